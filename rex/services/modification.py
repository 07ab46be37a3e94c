"""Modifying a registration (guide §7.2): a new version instructed beside the registration it replaces.

The registration R stays valid (« Modification demandée ») while its modification M is instructed with
the usual flow (information request, complement, 30-day rule). Validating M makes it the registration
(same REX number) and keeps R as « Version antérieure »; refusing or rejecting M gives R back unchanged.
Only the rubrique 2 courriel and rubriques 4, 5 and 6 may change.
"""

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from rex import completude, emails, pdf, permissions
from rex.models import Demande, Document, Evenement, Statut
from rex.services.base import (
    ActionRefusee,
    autoriser,
    copier_rubriques,
    evenement,
    texte_saisi,
    verrouiller,
)
from rex.services.depot import prochain_numero
from rex.versions import differences

# A modification starts as a copy of the registration. The fields copied are listed one by one, and so are
# those that are not (tests.rex.test_modification checks that every field of Demande is in one list): a new
# field is a decision, never copied or dropped silently.
CHAMPS_COPIES = (
    "bureau", "service", "titulaire", "titulaire_eori", "titulaire_raison_sociale", "titulaire_adresse",
    "telephone", "courriel", "activite", "representant", "representant_telephone", "representant_courriel",
    "engagement", "engagement_nom", "engagement_fonction", "engagement_lieu", "consentement_publication",
    "depot_papier", "numero_rex", "date_enregistrement", "date_validite",
)  # fmt: skip
# Set for the new version (its number, status, author, version), or the instruction's own.
CHAMPS_NON_COPIES = (
    "id", "numero", "statut", "created_by", "created_at", "updated_at", "soumise_le", "agent", "complete_le",
    "date_limite", "motif_rejet", "rejetee_le", "version", "version_precedente", "revoquee_le",
    "motif_revocation", "droit_entendu_le",
)  # fmt: skip
# The related rows: rubriques 4, 5 and 6 and the documents come along; the rest belongs to each version.
RELATIONS_COPIEES = ("cadres", "contacts", "marchandises", "documents")
RELATIONS_NON_COPIEES = (
    "modifications", "evenements", "courriels", "messages", "relances",
    "demandegroupepermission", "demandeutilisateurpermission",
)  # fmt: skip


def preparer_modification(*, enregistrement: Demande, by: User) -> Demande:
    """« Demander des modifications de cet enregistrement »: a draft copy, or the one in progress.

    The documents come along, each as a file of its own (the holder may remove some or add others; the
    registration keeps its own); if the copy fails, the files already copied are removed.
    """
    fichiers_copies: list = []
    try:
        with transaction.atomic():
            return _preparer_modification(enregistrement=enregistrement, by=by, fichiers=fichiers_copies)
    except BaseException:
        for fichier in fichiers_copies:
            fichier.storage.delete(fichier.name)
        raise


def _preparer_modification(*, enregistrement: Demande, by: User, fichiers: list) -> Demande:
    enregistrement = verrouiller(enregistrement)
    autoriser(by, enregistrement, "demander_modification")
    en_cours = enregistrement.modifications.filter(statut=Statut.BROUILLON).first()
    if en_cours is not None:
        return en_cours
    copie = Demande(
        **{nom: getattr(enregistrement, nom) for nom in CHAMPS_COPIES},
        created_by=by,
        version=enregistrement.version + 1,
        version_precedente=enregistrement,
    )
    copie.save()
    copier_rubriques(enregistrement, copie)
    for document in enregistrement.documents.all():
        fichiers.append(_copier_document(document, copie))
    permissions.accorder_acces(copie)
    evenement(copie, by=by, kind=Evenement.Kind.CREATION, modification_de=enregistrement.numero_rex)
    return copie


def _copier_document(document: Document, demande: Demande):
    """The document attached to `demande` too, in a stored file of its own; returns that file."""
    copie = Document(
        demande=demande,
        nom=document.nom,
        nom_original=document.nom_original,
        type_mime=document.type_mime,
        taille=document.taille,
        ajoute_par=document.ajoute_par,
    )
    with document.fichier.open("rb") as source:
        copie.fichier.save(document.nom_original, File(source), save=False)
    copie.save()
    return copie.fichier


def soumettre_modification(*, modification: Demande, by: User, commentaire: str) -> Demande:
    """« Soumettre la demande de modification »: M → En étude, R → Modification demandée.

    Side effects: e-mails to the holder (rubrique 2) and to the service, after commit.
    """
    commentaire = texte_saisi(commentaire, "Le commentaire", requis=False)
    if not commentaire:
        raise ActionRefusee("Le commentaire est obligatoire : indiquez les éléments à modifier.")
    if modification.version_precedente_id is None:
        raise ActionRefusee(
            "Action impossible : cette demande n'est pas une demande de modification d'un enregistrement."
        )
    with transaction.atomic():
        enregistrement = verrouiller(modification.version_precedente)
        modification = verrouiller(modification)
        autoriser(by, enregistrement, "demander_modification")
        if modification.statut != Statut.BROUILLON:
            raise ActionRefusee("Cette demande de modification a déjà été soumise.")
        if not completude.est_complete(modification):
            raise ActionRefusee("La demande de modification est incomplète : complétez les champs indiqués.")
        if not any(differences(modification).values()):
            raise ActionRefusee("Aucune donnée n'a été modifiée par rapport à l'enregistrement.")
        now = timezone.now()
        avant = enregistrement.statut
        enregistrement.demander_modification(by=by, when=now)
        enregistrement.save()
        modification.soumettre_modification(
            by=by, numero=prochain_numero(timezone.localdate(now).year), when=now
        )
        modification.save()
        permissions.accorder_acces(modification)
        changes = [champ for champ, change in differences(modification).items() if change]
        evenement(
            enregistrement,
            by=by,
            kind=Evenement.Kind.MODIFICATION,
            avant=avant,
            commentaire=commentaire,
            demande_modification=modification.numero,
            champs=changes,
        )
        evenement(
            modification,
            by=by,
            kind=Evenement.Kind.SOUMISSION,
            avant=Statut.BROUILLON,
            commentaire=commentaire,
            champs=changes,
        )
        for destinataire in sorted(
            {modification.courriel, getattr(modification.service, "courriel", "")} - {""}
        ):
            emails.programmer_courriel(
                destinataire=destinataire,
                modele="rex/modification_demandee",
                contexte={"commentaire": commentaire, "enregistrement": enregistrement},
                demande=modification,
            )
    return modification


@transaction.atomic
def valider_modification(*, modification: Demande, by: User) -> Demande:
    """The officer validates: M becomes the registration, R its « Version antérieure »."""
    if modification.version_precedente_id is None:
        autoriser(by, modification, "valider_modification")  # refused: not a modification
    enregistrement = verrouiller(modification.version_precedente)
    modification = verrouiller(modification)
    autoriser(by, modification, "valider_modification")
    now = timezone.now()
    avant = modification.statut
    # The former version first: at no moment two current registrations for one EORI.
    enregistrement.remplacer(by=by, when=now)
    enregistrement.save()
    modification.valider_modification(by=by, when=now)
    modification.save()
    evenement(
        modification,
        by=by,
        kind=Evenement.Kind.MODIFICATION_VALIDEE,
        avant=avant,
        version=modification.version,
        numero_rex=modification.numero_rex,
    )
    evenement(
        enregistrement,
        by=by,
        kind=Evenement.Kind.MODIFICATION_VALIDEE,
        avant=Statut.MODIFICATION_DEMANDEE,
        remplacee_par=modification.numero,
    )
    emails.programmer_courriel(
        destinataire=modification.courriel,
        modele="rex/modification_validee",
        contexte={"enregistrement": enregistrement},
        demande=modification,
    )
    pdf.programmer_generation(modification)
    return modification


def retablir_enregistrement(modification: Demande, *, by: User | None, motif: str) -> None:
    """After a refused, rejected or abandoned modification: R is « Octroyée » again, unchanged."""
    enregistrement = verrouiller(modification.version_precedente)
    if enregistrement.statut != Statut.MODIFICATION_DEMANDEE:
        return
    enregistrement.retablir(by=by, when=timezone.now())
    enregistrement.save()
    evenement(
        enregistrement,
        by=by,
        kind=Evenement.Kind.MODIFICATION_REFUSEE,
        avant=Statut.MODIFICATION_DEMANDEE,
        commentaire=motif,
        demande_modification=modification.numero,
    )
