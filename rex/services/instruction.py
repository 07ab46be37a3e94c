"""Instruction and follow-up (guide §6, §8): one service per action, the only way to change a status.

Each service locks the row, checks the action against rex.actions (side and status), fires the pure
model transition, writes the history event, and queues its e-mails after the commit.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import BureauDouane, User
from rex import actions, completude, emails, pdf, permissions
from rex.models import Demande, Evenement, Message, MotifRevocation, Statut
from rex.services import modification
from rex.services.base import (
    ActionRefusee,
    autoriser,
    copier_rubriques,
    evenement,
    message,
    texte_saisi,
    verrouiller,
)

COMMENTAIRE_COMPLEMENT_PAPIER = "Complément reçu sur formulaire papier, enregistré par le service"


def _courriel_operateur(demande: Demande, modele: str, **contexte) -> None:
    """To the rubrique 2 address, where status changes are notified (guide §5.2.2)."""
    if demande.courriel:
        emails.programmer_courriel(
            destinataire=demande.courriel, modele=modele, contexte=contexte, demande=demande
        )


def _courriel_service(demande: Demande, modele: str, **contexte) -> None:
    """To the officer in charge, or else to the service's address."""
    destinataires = {a for a in (getattr(demande.agent, "email", ""),) if a}
    if not destinataires and demande.service is not None and demande.service.courriel:
        destinataires = {demande.service.courriel}
    for destinataire in sorted(destinataires):
        emails.programmer_courriel(
            destinataire=destinataire, modele=modele, contexte=contexte, demande=demande
        )


# ------------------------------------------------------------------ the service's actions
@transaction.atomic
def prendre_en_charge(*, demande: Demande, by: User) -> Demande:
    demande = verrouiller(demande)
    autoriser(by, demande, "prendre_en_charge")
    demande.agent = by
    demande.save(update_fields=["agent", "updated_at"])
    evenement(demande, by=by, kind=Evenement.Kind.PRISE_EN_CHARGE, avant=demande.statut)
    return demande


@transaction.atomic
def reaffecter(*, demande: Demande, by: User, service: BureauDouane, commentaire: str) -> Demande:
    """Guide §5.2.1: the designated service sends the file to the competent one.

    The new service's officers get the file; the former ones lose it.
    Side effects: e-mail to the new service, after commit.
    """
    demande = verrouiller(demande)
    autoriser(by, demande, "reaffecter")
    commentaire = texte_saisi(commentaire, "Le commentaire de réaffectation")
    if service.pk == demande.service_id:
        raise ActionRefusee("La demande est déjà confiée à ce service.")
    ancien = demande.service
    demande.service = service
    demande.agent = None
    demande.save(update_fields=["service", "agent", "updated_at"])
    if ancien is not None:
        permissions.retirer_instruction(demande, ancien.pk)
    permissions.accorder_acces(demande)
    evenement(
        demande,
        by=by,
        kind=Evenement.Kind.REAFFECTATION,
        avant=demande.statut,
        commentaire=commentaire,
        de=str(ancien),
        vers=str(service),
    )
    _courriel_service(demande, "rex/reaffectation", ancien=ancien, commentaire=commentaire)
    return demande


@transaction.atomic
def demander_complement(*, demande: Demande, by: User, texte: str) -> Demande:
    """En étude → Incomplète, 30 days to answer; the request appears in the thread and the history.

    Side effects: the guide's « Demande incomplète » e-mail, after commit.
    """
    demande = verrouiller(demande)
    autoriser(by, demande, "demander_complement")
    texte = texte_saisi(texte, "Le texte de la demande d'information complémentaire")
    avant = demande.statut
    demande.demander_complement(by=by, when=timezone.now())
    demande.save()
    message(demande, by=by, cote=Message.Cote.SERVICE, texte=texte)
    evenement(
        demande,
        by=by,
        kind=Evenement.Kind.DEMANDE_COMPLEMENT,
        avant=avant,
        commentaire=texte,
        date_limite=demande.date_limite.isoformat(),
    )
    _courriel_operateur(demande, "rex/incomplete", texte=texte)
    return demande


@transaction.atomic
def rejeter(*, demande: Demande, by: User, motif: str) -> Demande:
    """Side effects: e-mail with the reason, after commit."""
    if demande.version_precedente_id:
        # Same lock order as the validation of a modification: the registration first.
        verrouiller(Demande(pk=demande.version_precedente_id))
    demande = verrouiller(demande)
    autoriser(by, demande, "rejeter")
    motif = texte_saisi(motif, "Le motif du rejet")
    avant = demande.statut
    demande.rejeter(by=by, when=timezone.now(), motif=motif)
    demande.save()
    evenement(demande, by=by, kind=Evenement.Kind.REJET, avant=avant, commentaire=motif)
    if demande.est_modification:
        modification.retablir_enregistrement(demande, by=by, motif=motif)
    _courriel_operateur(demande, "rex/rejet", motif=motif)
    return demande


@transaction.atomic
def octroyer(*, demande: Demande, by: User, date_validite: date | None = None) -> Demande:
    """En étude → Octroyée: REX number FRREX + EORI, registration and validity dates.

    Side effects: e-mail to the account's address (guide §7), after commit.
    """
    demande = verrouiller(demande)
    autoriser(by, demande, "octroyer")
    avant = demande.statut
    demande.octroyer(by=by, when=timezone.now(), date_validite=date_validite)
    demande.save()
    evenement(
        demande,
        by=by,
        kind=Evenement.Kind.OCTROI,
        avant=avant,
        numero_rex=demande.numero_rex,
        date_validite=demande.date_validite.isoformat(),
    )
    # The account that filed; not the officer who keyed in a paper form (its address is rubrique 2's).
    compte = "" if demande.depot_papier else demande.created_by.email
    for destinataire in sorted({compte, demande.courriel} - {""}):
        emails.programmer_courriel(
            destinataire=destinataire, modele="rex/octroi", contexte={}, demande=demande
        )
    pdf.programmer_generation(demande)
    return demande


@transaction.atomic
def revoquer(
    *, demande: Demande, by: User, motif: str, a_compter_du: date, droit_entendu_le: date
) -> Demande:
    """Guide §7.3: Octroyée → Révoquée, on a ground of art. 89(3)–(4) of Reg. 2015/2447.

    The right to be heard is given by letter beforehand: its date is recorded and required.
    Side effects: e-mail to the holder, after commit.
    """
    demande = verrouiller(demande)
    autoriser(by, demande, "revoquer")
    if motif not in MotifRevocation.values:
        raise ActionRefusee("Choisissez le motif de la révocation (article 89 du règlement 2015/2447).")
    if droit_entendu_le is None:
        raise ActionRefusee(
            "Indiquez la date du courrier par lequel le titulaire a pu exercer son droit d'être entendu."
        )
    if a_compter_du is None:
        raise ActionRefusee("Indiquez la date à compter de laquelle l'enregistrement est révoqué.")
    erreurs = demande.erreurs_revocation(
        a_compter_du=a_compter_du, droit_entendu_le=droit_entendu_le, aujourd_hui=timezone.localdate()
    )
    if erreurs:
        raise ActionRefusee(" ".join(erreurs.values()))
    avant = demande.statut
    demande.revoquer(
        by=by,
        when=timezone.now(),
        motif=motif,
        a_compter_du=a_compter_du,
        droit_entendu_le=droit_entendu_le,
    )
    demande.save()
    evenement(
        demande,
        by=by,
        kind=Evenement.Kind.REVOCATION,
        avant=avant,
        commentaire=demande.get_motif_revocation_display(),
        motif=motif,
        a_compter_du=a_compter_du.isoformat(),
        droit_entendu_le=droit_entendu_le.isoformat(),
    )
    _courriel_operateur(demande, "rex/revocation")
    pdf.programmer_generation(demande)
    return demande


@transaction.atomic
def annuler_revocation(*, demande: Demande, by: User, commentaire: str = "") -> Demande:
    """Révoquée → Octroyée; the holder is told his file is « octroyé » again (guide §7.3)."""
    demande = verrouiller(demande)
    autoriser(by, demande, "annuler_revocation")
    commentaire = texte_saisi(commentaire, "Le commentaire", requis=False)
    avant = demande.statut
    demande.annuler_revocation(by=by, when=timezone.now())
    demande.save()
    evenement(
        demande,
        by=by,
        kind=Evenement.Kind.ANNULATION_REVOCATION,
        avant=avant,
        commentaire=commentaire,
    )
    _courriel_operateur(demande, "rex/annulation_revocation")
    pdf.programmer_generation(demande)
    return demande


# ------------------------------------------------------------------ the operator's actions
@transaction.atomic
def transmettre_complement(*, demande: Demande, by: User, complements: str) -> Demande:
    """« Transmettre le complément »: Incomplète → En étude, with the mandatory explanation.

    Online by the holder's side; for a request filed on paper, also by the service in charge, which keys
    in the complement received on paper (recorded as such in the history).
    Side effects, after commit: e-mail to the service when the holder's side transmits; to the holder
    (rubrique 2) when the service records a complement received on paper.
    """
    demande = verrouiller(demande)
    papier = by.service_id is not None
    autoriser(by, demande, actions.nom_complement(by))
    complements = texte_saisi(complements, "La case « Compléments apportés à la demande »")
    if not completude.est_complete(demande):
        raise ActionRefusee(
            "Votre demande est incomplète : complétez les champs indiqués avant de transmettre le complément."
        )
    avant = demande.statut
    demande.transmettre_complement(by=by, when=timezone.now())
    demande.save()
    if papier:
        evenement(
            demande,
            by=by,
            kind=Evenement.Kind.COMPLEMENT,
            avant=avant,
            commentaire=f"{COMMENTAIRE_COMPLEMENT_PAPIER} : {complements}",
            depot_papier=True,
        )
        _courriel_operateur(demande, "rex/complement_papier", complements=complements)
        return demande
    message(demande, by=by, cote=Message.Cote.OPERATEUR, texte=complements)
    evenement(demande, by=by, kind=Evenement.Kind.COMPLEMENT, avant=avant, commentaire=complements)
    _courriel_service(demande, "rex/complement", complements=complements)
    return demande


def abandonner(*, demande: Demande, by: User, commentaire: str = "") -> None:
    """Guide §6.4: until granted; irreversible; data and files deleted.

    A draft leaves nothing; a filed request leaves the officers an anonymous trace (number, service,
    date, comment) in their history. The filing service may abandon its own paper draft.
    Side effects: files deleted and the service told, after commit.
    """
    with transaction.atomic():
        if demande.version_precedente_id:
            verrouiller(Demande(pk=demande.version_precedente_id))
        demande = verrouiller(demande)
        autoriser(by, demande, actions.nom_abandon(by))
        commentaire = texte_saisi(commentaire, "Le commentaire", requis=False)
        if demande.est_modification and demande.statut != Statut.BROUILLON:
            modification.retablir_enregistrement(
                demande, by=by, motif="Demande de modification abandonnée par le titulaire."
            )
        fichiers = [(doc.fichier.storage, doc.fichier.name) for doc in demande.documents.all()]
        if demande.statut != Statut.BROUILLON:
            evenement(
                demande,
                by=None,
                kind=Evenement.Kind.ABANDON,
                avant=demande.statut,
                commentaire=commentaire,
                # Who may be told, on the request's old link, that it was abandoned (rex.selectors).
                demande_id=demande.pk,
                entreprises=[pk for pk in (demande.titulaire_id, demande.representant_id) if pk],
            )
            service = demande.service
            if service is not None and service.courriel:
                emails.programmer_courriel(
                    destinataire=service.courriel,
                    modele="rex/abandon",
                    contexte={"numero": demande.numero, "commentaire": commentaire},
                )
            demande.evenements.update(demande=None, acteur=None)
        else:
            demande.evenements.all().delete()
        demande.delete()
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in fichiers])


@transaction.atomic
def dupliquer(*, demande: Demande, by: User) -> Demande:
    """Guide §6.3: a new draft with the same rubriques; a representative then picks the client."""
    demande = verrouiller(demande)
    autoriser(by, demande, "dupliquer")
    # The copy belongs to whoever duplicates: a representative files it for a client still to pick;
    # the holder's own company files it itself (even when a representative had filed the original).
    representant = by.entreprise if by.entreprise.est_representant_en_douane else None
    meme_representant = representant is not None and representant.pk == demande.representant_id
    representant_courriel = by.email if representant is not None else ""
    if meme_representant:
        representant_courriel = demande.representant_courriel
    copie = Demande(
        created_by=by,
        bureau=demande.bureau,
        telephone=demande.telephone,
        courriel=demande.courriel,
        activite=demande.activite,
        representant=representant,
        representant_telephone=demande.representant_telephone if meme_representant else "",
        representant_courriel=representant_courriel,
        consentement_publication=demande.consentement_publication,
        titulaire=None if representant is not None else demande.titulaire,
    )
    copie.save()
    permissions.accorder_acces(copie)
    copier_rubriques(demande, copie)
    evenement(copie, by=by, kind=Evenement.Kind.CREATION, source=demande.numero)
    evenement(demande, by=by, kind=Evenement.Kind.DUPLICATION, avant=demande.statut, copie=copie.pk)
    return copie


# ------------------------------------------------------------------ both sides
@transaction.atomic
def ecrire(*, demande: Demande, by: User, texte: str) -> Message:
    """« Fil de discussion »: at every stage (the status never changes); the other side is e-mailed."""
    demande = verrouiller(demande)
    cote = Message.Cote.SERVICE if by.service_id else Message.Cote.OPERATEUR
    autoriser(by, demande, f"ecrire_{cote}")
    texte = texte_saisi(texte, "Le message")
    ecrit = message(demande, by=by, cote=cote, texte=texte)
    # Guide §7.3: a message « apparaîtra dans l'historique du dossier ».
    evenement(demande, by=by, kind=Evenement.Kind.MESSAGE, avant=demande.statut, commentaire=texte)
    Demande.objects.filter(pk=demande.pk).update(updated_at=timezone.now())
    if cote == Message.Cote.SERVICE:
        _courriel_operateur(demande, "rex/message", message=ecrit)
    else:
        _courriel_service(demande, "rex/message", message=ecrit)
    return ecrit
