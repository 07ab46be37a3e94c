"""Personal API tokens (« jetons d'accès ») and the replayed answers of idempotent requests."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Portee(models.TextChoices):
    LECTURE = "lecture", "Lecture seule"
    ECRITURE = "ecriture", "Lecture et écriture"


class JetonApiQuerySet(models.QuerySet):
    def actifs(self, jour=None):
        """Neither revoked nor expired on `jour` (today, Paris): the user's own rights are checked apart."""
        jour = jour or timezone.localdate()
        return self.filter(revoque_le__isnull=True, expire_le__gte=jour)


class JetonApi(models.Model):
    """A personal token: it acts with exactly its user's rights, within its scope, until it expires.

    The token itself is shown once, at creation; only its SHA-256 is stored (a leaked database gives no
    usable token) and its first characters (`prefix`), which tell the user which token is which.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jetons_api",
        verbose_name="utilisateur",
    )
    nom = models.CharField("nom", max_length=100)
    prefix = models.CharField("début du jeton", max_length=16)
    hash = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    portee = models.CharField("portée", max_length=10, choices=Portee.choices, default=Portee.LECTURE)
    expire_le = models.DateField("expire le")
    dernier_usage = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = JetonApiQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "jeton d'accès à l'API"
        verbose_name_plural = "jetons d'accès à l'API"

    def __str__(self):
        return f"{self.nom} ({self.prefix}…)"

    @property
    def ecriture(self) -> bool:
        return self.portee == Portee.ECRITURE

    def actif(self, jour=None) -> bool:
        return self.revoque_le is None and self.expire_le >= (jour or timezone.localdate())


class ReponseIdempotente(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed when the same key comes again.

    `statut` is null while the first request is being processed (a second one then gets a 409).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cle = models.CharField("clé", max_length=255)
    empreinte = models.CharField("empreinte de la requête", max_length=64)
    statut = models.PositiveSmallIntegerField("statut HTTP", null=True, blank=True)
    type_contenu = models.CharField(max_length=100, blank=True)
    corps = models.BinaryField(default=b"")
    entetes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "réponse idempotente"
        constraints = [models.UniqueConstraint(fields=["user", "cle"], name="idempotence_cle_unique")]
