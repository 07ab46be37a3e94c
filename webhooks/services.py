"""Every write on a company's « Notifications techniques ». Views and the admin call these."""

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import Entreprise, User
from webhooks.livraison import refus_url
from webhooks.models import Endpoint, Livraison, TypeEvenement
from webhooks.publication import publier_lots

# Addresses per company: each event is written and sent once per address.
MAX_ADRESSES = 10


class ActionRefusee(Exception):
    """A refused write; the message is French, shown as is."""


def nouveau_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


@transaction.atomic
def creer(*, by: User, url: str, libelle: str = "", statut_modifie: bool, message_recu: bool) -> Endpoint:
    """A new address for the user's company; its secret is returned on the object, to be shown once."""
    if by.entreprise_id is None:
        raise ActionRefusee("Seul un compte rattaché à une entreprise peut enregistrer une adresse.")
    refus = refus_url(url)
    if refus:
        raise ActionRefusee(refus)
    if not (statut_modifie or message_recu):
        raise ActionRefusee("Choisissez au moins un type d'événement.")
    # The company's row locked: two registrations at once cannot both pass the count.
    Entreprise.objects.select_for_update().filter(pk=by.entreprise_id).first()
    if Endpoint.objects.filter(entreprise_id=by.entreprise_id).count() >= MAX_ADRESSES:
        raise ActionRefusee(
            f"Votre entreprise a déjà {MAX_ADRESSES} adresses de notification : supprimez-en une avant "
            "d'en ajouter une autre."
        )
    return Endpoint.objects.create(
        entreprise_id=by.entreprise_id,
        url=url,
        libelle=libelle,
        statut_modifie=statut_modifie,
        message_recu=message_recu,
        secret=nouveau_secret(),
        created_by=by,
    )


@transaction.atomic
def tester(*, endpoint: Endpoint, by: User) -> Livraison:
    """« Tester »: a `ping` event through the same outbox and delivery; sent after commit."""
    livraison = Livraison.objects.create(
        endpoint=endpoint,
        type=TypeEvenement.PING,
        donnees={"message": "Test de l'adresse de notification (bouton « Tester »)."},
    )
    transaction.on_commit(lambda: publier_lots([livraison.pk]))
    return livraison


@transaction.atomic
def desactiver(*, endpoint: Endpoint, by: User) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.actif:
        raise ActionRefusee("Cette adresse est déjà désactivée.")
    endpoint.actif = False
    endpoint.desactive_le = timezone.now()
    endpoint.motif_desactivation = f"Désactivée par {by.get_full_name() or by.username}"
    endpoint.save(update_fields=["actif", "desactive_le", "motif_desactivation"])
    return endpoint


@transaction.atomic
def reactiver(*, endpoint: Endpoint, by: User) -> Endpoint:
    """The failures start again from zero; the deliveries left pending go at the next pass."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.actif:
        raise ActionRefusee("Cette adresse est déjà active.")
    endpoint.actif = True
    endpoint.desactive_le = None
    endpoint.motif_desactivation = ""
    endpoint.echecs_consecutifs = 0
    endpoint.save(update_fields=["actif", "desactive_le", "motif_desactivation", "echecs_consecutifs"])
    return endpoint


@transaction.atomic
def supprimer(*, endpoint: Endpoint, by: User) -> None:
    """The address, its pending deliveries and its log."""
    Endpoint.objects.filter(pk=endpoint.pk).delete()
