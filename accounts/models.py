"""Who uses the service: users, their companies, mandates, customs offices and départements."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.validators import identifiant_validator, normaliser_eori, validate_eori


class Departement(models.Model):
    """A French département and the PAE (pôle d'action économique) that handles its habilitations."""

    code = models.CharField("code", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=100)
    pae_nom = models.CharField("PAE compétent", max_length=200, blank=True)
    pae_courriel = models.EmailField("adresse électronique du PAE", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self):
        return f"{self.code} – {self.nom}"


class BureauDouane(models.Model):
    """A customs office (« service ») that receives and instructs REX requests."""

    code = models.CharField(
        "code du bureau",
        max_length=8,
        blank=True,
        help_text="Référence officielle du bureau (à renseigner par l'administrateur).",
    )
    nom = models.CharField("nom", max_length=200, unique=True)
    adresse = models.CharField("adresse", max_length=300, blank=True)
    code_postal = models.CharField("code postal", max_length=10, blank=True)
    ville = models.CharField("ville", max_length=100, blank=True)
    courriel = models.EmailField("adresse électronique", blank=True)
    departements = models.ManyToManyField(
        Departement, related_name="bureaux", blank=True, verbose_name="départements couverts"
    )
    actif = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = "bureau de douane"
        verbose_name_plural = "bureaux de douane"

    def __str__(self):
        return self.nom


class Entreprise(models.Model):
    """A company identified by its EORI number; only the PAE changes these details (FAQ)."""

    eori = models.CharField("numéro EORI", max_length=17, unique=True, validators=[validate_eori])
    siret = models.CharField("SIRET", max_length=14, blank=True)
    raison_sociale = models.CharField("raison sociale", max_length=200)
    adresse = models.CharField("adresse", max_length=300)
    code_postal = models.CharField("code postal", max_length=10)
    ville = models.CharField("ville", max_length=100)
    pays = models.CharField("pays", max_length=2, default="FR")
    telephone = models.CharField(
        "téléphone",
        max_length=30,
        blank=True,
        help_text="Proposé dans les demandes déposées par l'entreprise (rubrique 2, ou rubrique 3 pour un "
        "représentant en douane).",
    )
    est_representant_en_douane = models.BooleanField("représentant en douane", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["raison_sociale"]
        verbose_name = "entreprise"

    def __str__(self):
        return f"{self.raison_sociale} ({self.eori})"

    def save(self, *args, **kwargs):
        self.eori = normaliser_eori(self.eori)
        if self.eori.startswith("FR") and not self.siret:
            self.siret = self.eori[2:]
        super().save(*args, **kwargs)

    @property
    def adresse_complete(self) -> str:
        return f"{self.adresse}, {self.code_postal} {self.ville}"


class MandatQuerySet(models.QuerySet):
    def en_cours(self, on=None):
        on = on or timezone.localdate()
        return self.filter(date_debut__lte=on).filter(Q(date_fin__isnull=True) | Q(date_fin__gte=on))


class Mandat(models.Model):
    """A customs representative acts for a represented operator between two dates."""

    representant = models.ForeignKey(
        Entreprise,
        on_delete=models.CASCADE,
        related_name="mandats_representant",
        verbose_name="représentant en douane",
        limit_choices_to={"est_representant_en_douane": True},
    )
    represente = models.ForeignKey(
        Entreprise,
        on_delete=models.CASCADE,
        related_name="mandats_represente",
        verbose_name="opérateur représenté",
    )
    date_debut = models.DateField("début", default=timezone.localdate)
    date_fin = models.DateField("fin", null=True, blank=True)

    objects = MandatQuerySet.as_manager()

    class Meta:
        verbose_name = "mandat de représentation"
        verbose_name_plural = "mandats de représentation"
        constraints = [
            models.UniqueConstraint(fields=["representant", "represente"], name="mandat_unique"),
            models.CheckConstraint(
                condition=~Q(representant=models.F("represente")), name="mandat_pas_soi_meme"
            ),
        ]

    def __str__(self):
        return f"{self.representant.raison_sociale} → {self.represente.raison_sociale}"


class User(AbstractUser):
    """An account: an operator's (attached to a company) or a customs officer's (attached to a service)."""

    username = models.CharField(
        "identifiant",
        max_length=60,
        unique=True,
        validators=[identifiant_validator],
        help_text="Lettres uniquement (ni chiffre, ni caractère spécial).",
        error_messages={"unique": "Cet identifiant est déjà utilisé."},
    )
    email = models.EmailField("adresse électronique")
    entreprise = models.ForeignKey(
        Entreprise, on_delete=models.PROTECT, null=True, blank=True, related_name="utilisateurs"
    )
    service = models.ForeignKey(
        BureauDouane,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        verbose_name="service douanier",
        help_text="Renseigné pour un agent des douanes uniquement.",
    )
    certifie_le = models.DateTimeField("certifié le", null=True, blank=True)
    habilite_le = models.DateTimeField("habilité à SOPRANO le", null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.CheckConstraint(
                condition=Q(entreprise__isnull=True) | Q(service__isnull=True),
                name="utilisateur_entreprise_ou_service",
            )
        ]

    @property
    def est_agent(self) -> bool:
        return self.service_id is not None

    @property
    def est_operateur(self) -> bool:
        return self.service_id is None and not self.is_staff

    @property
    def est_certifie(self) -> bool:
        return self.certifie_le is not None and self.entreprise_id is not None

    @property
    def est_habilite(self) -> bool:
        return self.est_certifie and self.habilite_le is not None

    @property
    def est_representant(self) -> bool:
        return self.entreprise_id is not None and self.entreprise.est_representant_en_douane


class DemandeHabilitation(models.Model):
    """« Demander mon habilitation »: sent to the PAE of the chosen département."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="demandes_habilitation")
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, verbose_name="département")
    message = models.TextField("message", blank=True)
    created_at = models.DateTimeField("reçue le", auto_now_add=True)
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "demande d'habilitation"
        verbose_name_plural = "demandes d'habilitation"

    def __str__(self):
        return f"{self.user} – {self.departement}"


class CalendrierEcheances(models.Model):
    """« Calendrier des échéances »: the secret address of a user's deadlines feed (iCalendar).

    As the API tokens: only the SHA-256 of the secret is stored (a leaked database gives no usable
    address); the address is shown once, when (re)generated. Regenerating replaces the hash: the old
    address stops working at once.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="calendrier_echeances", verbose_name="utilisateur"
    )
    hash = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    genere_le = models.DateTimeField("adresse générée le")

    class Meta:
        verbose_name = "calendrier des échéances"
        verbose_name_plural = "calendriers des échéances"

    def __str__(self):
        return f"Calendrier des échéances de {self.user}"
