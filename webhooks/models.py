"""« Notifications techniques »: the HTTPS addresses a company registers, and the outbox that feeds them.

An event (a status change, a new message, a « Tester » ping) is written as one `Livraison` row per
address of the companies concerned, in the transaction of the change; the workers POST it after the
commit, and each POST leaves one `Tentative` row: the delivery log the company reads.
"""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Entreprise


class TypeEvenement(models.TextChoices):
    STATUT_MODIFIE = "demande.statut_modifie", "Changement de statut d'une demande"
    MESSAGE_RECU = "demande.message_recu", "Nouveau message dans le fil de discussion"
    PING = "ping", "Test (« Tester »)"


class Endpoint(models.Model):
    """An address of a company's system (ERP, forwarder's software) that receives its events.

    The signing secret is stored as is: the HMAC needs it in clear at every delivery (a hash would not
    do), and whoever reads this table reads the requests too. It is shown once, at creation, then never
    again (neither on the page nor in the admin); a company that lost it deletes the address and
    registers it again.
    """

    entreprise = models.ForeignKey(Entreprise, on_delete=models.CASCADE, related_name="endpoints")
    url = models.URLField("adresse (URL)", max_length=500)
    libelle = models.CharField("libellé", max_length=100, blank=True)
    statut_modifie = models.BooleanField("changements de statut", default=True)
    message_recu = models.BooleanField("nouveaux messages", default=True)
    secret = models.CharField(max_length=100, editable=False)
    actif = models.BooleanField("active", default=True)
    echecs_consecutifs = models.PositiveIntegerField("échecs consécutifs", default=0)
    desactive_le = models.DateTimeField("désactivée le", null=True, blank=True)
    motif_desactivation = models.CharField("motif de la désactivation", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "adresse de notification"
        verbose_name_plural = "adresses de notification"
        # The active addresses of a company, read by every change of its requests.
        indexes = [
            models.Index(fields=["entreprise"], condition=Q(actif=True), name="webhooks_endpoint_actifs")
        ]

    def __str__(self):
        return self.libelle or self.url


class Livraison(models.Model):
    """The outbox: one event for one address, until delivered or given up."""

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        LIVREE = "livree", "Livrée"
        ECHEC = "echec", "Abandonnée"

    uuid = models.UUIDField("identifiant de livraison", default=uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="livraisons")
    evenement = models.UUIDField("identifiant de l'événement", default=uuid4)
    type = models.CharField("événement", max_length=40, choices=TypeEvenement.choices)
    donnees = models.JSONField("données", default=dict)
    # The event's time (`cree_le`): the same for every address of one event.
    created_at = models.DateTimeField("créée le", default=timezone.now)
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    essais = models.PositiveSmallIntegerField("tentatives", default=0)
    # Null: published to the broker at the commit (the periodic retry takes it after a minute); else the
    # next attempt, or the end of the lease of the worker sending it now.
    prochain_essai_le = models.DateTimeField("prochain essai", null=True, blank=True)
    livree_le = models.DateTimeField("livrée le", null=True, blank=True)
    derniere_erreur = models.CharField("dernière erreur", max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "livraison"
        # The pending rows, read every minute by the periodic retry: a small index.
        indexes = [
            models.Index(
                fields=["prochain_essai_le", "created_at"],
                condition=Q(etat="en_attente"),
                name="webhooks_livraison_attente",
            ),
            # The nightly purge of what was delivered or given up long ago.
            models.Index(fields=["created_at"], name="webhooks_livraison_date"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} → {self.endpoint_id} ({self.get_etat_display()})"

    def corps(self) -> dict:
        """The JSON body POSTed: the same at every attempt (`id` lets the receiver ignore a replay)."""
        return {
            "id": str(self.evenement),
            "type": self.type,
            "cree_le": self.created_at.isoformat(),
            "donnees": self.donnees,
        }


class Tentative(models.Model):
    """One POST of a delivery: the delivery log of « Notifications techniques »."""

    livraison = models.ForeignKey(Livraison, on_delete=models.CASCADE, related_name="tentatives")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="tentatives")
    numero = models.PositiveSmallIntegerField("tentative")
    created_at = models.DateTimeField("date", auto_now_add=True)
    statut_http = models.PositiveSmallIntegerField("statut HTTP", null=True, blank=True)
    duree_ms = models.PositiveIntegerField("durée (ms)", default=0)
    reussie = models.BooleanField("réussie", default=False)
    erreur = models.CharField("erreur", max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "tentative de livraison"
        verbose_name_plural = "tentatives de livraison"
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhooks_tentative_journal")]
