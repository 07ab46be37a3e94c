"""Filing a request (guide §5): drafts, documents, submission."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.forms.models import construct_instance
from django.utils import timezone

from django_fsm import TransitionNotAllowed

from accounts.models import Entreprise, User
from rex import actions, completude, emails, permissions, selectors
from rex.documents import verifier_document
from rex.models import STATUTS_MODIFIABLES, Compteur, Demande, Document, Evenement, Statut
from rex.regles import MESSAGE_UN_REX_PAR_EORI
from rex.services.base import ActionRefusee, evenement, verrouiller

COMMENTAIRE_DEPOT_PAPIER = "Dépôt par le service sur formulaire papier (annexe 22-06 bis)"


# ------------------------------------------------------------------ drafts
def nouveau_brouillon(*, by: User) -> Demande:
    """The new draft as « Déposer une demande » shows it, not saved: the user's company as the holder
    (rubrique 2), or as the customs representative (rubrique 3), with the user's e-mail address and the
    company's phone (the PAE's record, else the last one the company gave in a request)."""
    entreprise = by.entreprise
    if entreprise is None:
        raise ActionRefusee("Votre compte n'est rattaché à aucune entreprise.")
    demande = Demande(created_by=by)
    if entreprise.est_representant_en_douane:
        demande.representant = entreprise
        demande.representant_courriel = by.email
        demande.representant_telephone = entreprise.telephone or selectors.dernier_telephone(
            entreprise, representant=True
        )
    else:
        demande.titulaire = entreprise
        demande.courriel = by.email
        demande.telephone = entreprise.telephone or selectors.dernier_telephone(
            entreprise, representant=False
        )
    return demande


@transaction.atomic
def creer_brouillon(*, by: User, demande: Demande | None = None) -> Demande:
    """« Déposer une demande »: a draft for the user's company, or for a client of a representative.

    `demande`: the new draft `nouveau_brouillon` made for the form, not saved yet (by `by`), else a new one.
    """
    if demande is None:
        demande = nouveau_brouillon(by=by)
    if demande.pk is not None or demande.created_by_id != by.pk:
        raise ActionRefusee("Ce brouillon ne peut pas être créé.")
    demande.save()
    permissions.accorder_acces(demande)
    evenement(demande, by=by, kind=Evenement.Kind.CREATION)
    return demande


@transaction.atomic
def creer_depot_papier(*, by: User, titulaire: Entreprise) -> Demande:
    """Guide §5, « À noter »: a customs service files for an operator unable to do it himself.

    Exceptional, and based on the paper form (annex 22-06 bis of Implementing Regulation (EU)
    2015/2447) completed and signed by the operator: the request is marked `depot_papier` and its
    history says so. The draft is the filing service's (« instruire_demande » to its group); the
    holder's company sees nothing until it is submitted.
    """
    if by.service_id is None:
        raise ActionRefusee("Seul un agent des douanes peut déposer une demande sur formulaire papier.")
    if selectors.demande_active_existe(titulaire):
        raise ActionRefusee(
            f"L'opérateur {titulaire.raison_sociale} (EORI {titulaire.eori}) possède déjà un numéro REX en "
            "cours de validité ou a déjà déposé une demande : le dépôt d'une nouvelle demande n'est pas "
            "accepté (guide, point 5.1)."
        )
    demande = Demande.objects.create(
        created_by=by, titulaire=titulaire, depot_papier=True, bureau_id=by.service_id
    )
    permissions.accorder_acces(demande)
    evenement(
        demande, by=by, kind=Evenement.Kind.CREATION, commentaire=COMMENTAIRE_DEPOT_PAPIER, depot_papier=True
    )
    return demande


@transaction.atomic
def enregistrer_formulaire(*, demande: Demande, by: User, form, contacts, marchandises) -> Demande:
    """Saves the rubriques as typed (a draft may be incomplete); the status does not change.

    A new draft (« Déposer une demande », not saved yet) is created with its first save, in one transaction.
    """
    if demande.pk is None:
        demande = creer_brouillon(by=by, demande=demande)
    demande = verrouiller(demande)
    if demande.statut not in STATUTS_MODIFIABLES:
        raise ActionRefusee(
            f"Cette demande est au statut « {demande.get_statut_display()} » : "
            "elle ne peut plus être modifiée depuis ce formulaire."
        )
    construct_instance(form, demande, fields=form._meta.fields)
    demande.save()
    if "cadres" in form.cleaned_data:
        demande.cadres.set(form.cleaned_data["cadres"])
    for formset in (contacts, marchandises):
        formset.instance = demande
        rows = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for row in rows:
            row.demande = demande
            row.save()
        for ordre, ligne_form in enumerate(formset.lignes()):
            if ligne_form.instance.pk and ligne_form.instance.ordre != ordre:
                type(ligne_form.instance).objects.filter(pk=ligne_form.instance.pk).update(ordre=ordre)
    return demande


# ------------------------------------------------------------------ documents
def _documents_modifiables(demande: Demande) -> None:
    if demande.statut not in STATUTS_MODIFIABLES:
        raise ActionRefusee(
            f"Impossible d'ajouter un document à une demande au statut « {demande.get_statut_display()} »."
        )


def ajouter_document(*, demande: Demande, by: User, fichier, nom: str) -> Document:
    """Attaches a checked document; refused once the request is no longer editable.

    The file is checked (content, antivirus) before the row is locked, since a scan takes time, and it is
    written to storage only once accepted and the status checked again under the lock. If the database write
    or the commit fails after the file was written, the file is removed: a refused or failed upload leaves
    nothing on disk (called outside any transaction, as the view does, the commit is this function's own).
    """
    _documents_modifiables(demande)
    verifie = verifier_document(fichier)
    document = None
    try:
        with transaction.atomic():
            demande = verrouiller(demande)
            _documents_modifiables(demande)
            document = Document(
                demande=demande,
                nom=nom.strip(),
                nom_original=verifie.nom,
                type_mime=verifie.type_mime,
                taille=fichier.size,
                ajoute_par=by,
            )
            document.fichier.save(verifie.nom, fichier, save=False)
            document.save()
            Demande.objects.filter(pk=demande.pk).update(updated_at=timezone.now())
    except BaseException:
        if document is not None and document.fichier.name:
            document.fichier.storage.delete(document.fichier.name)
        raise
    return document


@transaction.atomic
def supprimer_document(*, document: Document, by: User) -> None:
    demande = verrouiller(document.demande)
    if demande.statut not in STATUTS_MODIFIABLES:
        raise ActionRefusee("Les documents de cette demande ne peuvent plus être modifiés.")
    storage, name = document.fichier.storage, document.fichier.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ------------------------------------------------------------------ submission
def prochain_numero(annee: int) -> str:
    """FR-REX-AAAA-NNNNN, unique under concurrency: the year's counter row is locked by the UPDATE."""
    Compteur.objects.get_or_create(annee=annee)
    Compteur.objects.filter(annee=annee).update(dernier=F("dernier") + 1)
    dernier = Compteur.objects.values_list("dernier", flat=True).get(annee=annee)
    return f"FR-REX-{annee}-{dernier:05d}"


def refus_soumission(demande: Demande) -> str | None:
    """Why a request may not be submitted in its status (None: it is a draft), in French."""
    if demande.statut == Statut.BROUILLON:
        return None
    if demande.numero:
        return f"Cette demande a déjà été soumise (numéro {demande.numero})."
    return "Cette demande ne peut pas être soumise dans son statut actuel."


def soumettre(*, demande: Demande, by: User) -> Demande:
    """« Soumettre ma demande »: Brouillon → En étude, a number, the confirmation e-mail.

    A paper draft is submitted by its filing service only; the request then goes to the office named
    in rubrique 1, and the holder's company follows it like any other.
    Side effects: confirmation e-mail to the rubrique 2 address, after commit.
    """
    try:
        with transaction.atomic():
            demande = verrouiller(demande)
            if refus := refus_soumission(demande):
                raise ActionRefusee(refus)
            if demande.depot_papier and actions.cote_de(by, demande) != actions.SERVICE:
                raise ActionRefusee(
                    "Seul le service qui a saisi ce dépôt sur formulaire papier peut le soumettre."
                )
            if demande.titulaire_id and selectors.demande_active_existe(demande.titulaire, sauf=demande):
                raise ActionRefusee(MESSAGE_UN_REX_PAR_EORI)
            if not completude.est_complete(demande):
                # Another request for this EORI may have been filed meanwhile: say so, not "incomplete".
                if demande.titulaire_id and selectors.demande_active_existe(demande.titulaire, sauf=demande):
                    raise ActionRefusee(MESSAGE_UN_REX_PAR_EORI)
                raise ActionRefusee(
                    "Votre demande est incomplète : complétez les champs indiqués dans le "
                    "formulaire avant de la soumettre."
                )
            now = timezone.now()
            avant = demande.statut
            try:
                demande.soumettre(by=by, numero=prochain_numero(timezone.localdate(now).year), when=now)
            except TransitionNotAllowed as exc:
                raise ActionRefusee("Cette demande ne peut pas être soumise.") from exc
            demande.save()
            permissions.accorder_acces(demande)
            papier = {}
            if demande.depot_papier:
                permissions.reserver_instruction(demande)
                papier = {"commentaire": COMMENTAIRE_DEPOT_PAPIER, "depot_papier": True}
            evenement(demande, by=by, kind=Evenement.Kind.SOUMISSION, avant=avant, **papier)
            emails.programmer_courriel(
                destinataire=demande.courriel,
                modele="rex/soumission",
                contexte={},
                demande=demande,
            )
    except IntegrityError as exc:
        # The database constraint caught a request filed at the same moment for the same EORI.
        raise ActionRefusee(MESSAGE_UN_REX_PAR_EORI) from exc
    return demande
