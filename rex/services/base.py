"""What every service shares: the refusal, the row lock, the history event and the texts typed."""

from django.core.exceptions import ValidationError

from rex import actions, signals
from rex.models import LONGUEUR_TEXTE, Contact, Demande, Evenement, LigneMarchandise, Message
from rex.regles import CHAMPS_CONTACT, CHAMPS_MARCHANDISE
from soprano.saisie import CaracteresAutorises


class ActionRefusee(Exception):
    """An action not allowed for this user or in this status; the message is shown as is."""


def verrouiller(demande: Demande) -> Demande:
    """Reloads the row under a lock: two clicks or two people cannot interleave on one request."""
    return (
        Demande.objects.select_for_update(of=("self",))
        .select_related("titulaire", "representant", "service")
        .get(pk=demande.pk)
    )


def autoriser(user, demande: Demande, action: str) -> None:
    """Raises the French reason when `user` may not do `action` on the (locked) request now."""
    raison = actions.refus(user, demande, action)
    if raison:
        raise ActionRefusee(raison)


def texte_saisi(texte: str, quoi: str, *, requis: bool = True) -> str:
    """A text typed in a text area (a message, a motive, a comment), stripped.

    The forms refuse first what is refused here — empty when required, too long, a control character or
    a bidi override —: this is the last line before the database (PostgreSQL refuses a NUL), whoever
    calls the service.
    """
    texte = (texte or "").strip()
    if requis and not texte:
        raise ActionRefusee(f"{quoi} est obligatoire.")
    if len(texte) > LONGUEUR_TEXTE:
        raise ActionRefusee(f"{quoi} ne peut dépasser {LONGUEUR_TEXTE} caractères.")
    try:
        CaracteresAutorises(multiligne=True)(texte)
    except ValidationError as exc:
        raise ActionRefusee(f"{quoi} : {exc.messages[0]}") from exc
    return texte


def evenement(
    demande: Demande, *, by, kind: str, avant: str = "", commentaire: str = "", **payload
) -> Evenement:
    """The « Historique » row of a change. Side effect: announced (rex.signals) in the transaction."""
    ligne = Evenement.objects.create(
        demande=demande,
        numero_demande=demande.numero or "",
        service_id=demande.service_id,
        acteur=by,
        kind=kind,
        statut_avant=avant,
        statut_apres=demande.statut,
        commentaire=commentaire,
        payload=payload,
    )
    signals.evenement_enregistre.send(sender=Evenement, evenement=ligne, demande=demande)
    return ligne


def message(demande: Demande, *, by, cote: str, texte: str) -> Message:
    """A message of the « Fil de discussion ». Side effect: announced (rex.signals) in the transaction."""
    ligne = Message.objects.create(demande=demande, auteur=by, cote=cote, texte=texte)
    signals.message_enregistre.send(sender=Message, message=ligne, demande=demande)
    return ligne


def copier_rubriques(source: Demande, copie: Demande) -> None:
    """Rubriques 4, 5 and 6 of `source` onto its new `copie` (« Dupliquer », a modification): the contacts
    and the goods, in their order, and the preferential frameworks."""
    copie.cadres.set(source.cadres.all())
    for modele, lignes, champs in (
        (Contact, source.contacts.all(), CHAMPS_CONTACT),
        (LigneMarchandise, source.marchandises.all(), CHAMPS_MARCHANDISE),
    ):
        modele.objects.bulk_create(
            modele(demande=copie, ordre=ligne.ordre, **{champ: getattr(ligne, champ) for champ in champs})
            for ligne in lignes
        )
