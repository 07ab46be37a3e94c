"""The REX request (« demande d'enregistrement »), its rows, its history and the reference data it uses."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from django_fsm import FSMField, TransitionNotAllowed, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import BureauDouane, Entreprise

# What is typed in a text area — a thread message, a motive, a comment — is at most this long: the forms
# refuse more, with the same limit wherever the text is typed (rex.forms, rex.forms_agent).
LONGUEUR_TEXTE = 5000


# ---------------------------------------------------------------- reference data
class Chapitre(models.Model):
    """A chapter (2 digits) of the Harmonized System, with its official French label."""

    code = models.CharField("chapitre", max_length=2, unique=True)
    libelle = models.TextField("libellé")
    libelle_recherche = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = "chapitre SH"
        verbose_name_plural = "chapitres SH"

    def __str__(self):
        return f"{self.code} – {self.libelle}"


class PositionTarifaire(models.Model):
    """A heading (SH4) of the Harmonized System valid today, with its official French label."""

    code = models.CharField("position SH4", max_length=4, unique=True)
    chapitre = models.ForeignKey(Chapitre, on_delete=models.CASCADE, related_name="positions")
    libelle = models.TextField("libellé")
    libelle_recherche = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = "position tarifaire (SH4)"
        verbose_name_plural = "positions tarifaires (SH4)"

    def __str__(self):
        return f"{self.code} – {self.libelle}"


class CadrePreferentiel(models.Model):
    """A preferential framework (agreement or unilateral scheme) in which the REX system is used."""

    code = models.SlugField("code", max_length=40, unique=True)
    libelle = models.CharField("libellé", max_length=250)
    description = models.TextField("description", blank=True)
    ordre = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    actif = models.BooleanField("proposé dans le formulaire", default=True)

    class Meta:
        ordering = ["ordre", "libelle"]
        verbose_name = "cadre préférentiel"
        verbose_name_plural = "cadres préférentiels"

    def __str__(self):
        return self.libelle


# ---------------------------------------------------------------- the request
class Statut(models.TextChoices):
    """The statuses of guide §8, with its words."""

    BROUILLON = "brouillon", "Brouillon"
    EN_ETUDE = "en_etude", "En étude"
    INCOMPLETE = "incomplete", "Incomplète"
    REJETEE = "rejetee", "Rejetée"
    OCTROYEE = "octroyee", "Octroyée"
    MODIFICATION_DEMANDEE = "modification_demandee", "Modification demandée"
    VERSION_ANTERIEURE = "version_anterieure", "Version antérieure"
    REVOQUEE = "revoquee", "Révoquée"


DELAI_REPONSE = timedelta(days=30)
MOTIF_REJET_AUTOMATIQUE = (
    "Rejet automatique : aucune réponse à la demande d'information complémentaire dans le délai de 30 jours."
)

# The status sets, each written once, next to the state machine; every other module reads them.
# Submitted and not decided yet (guide §6): what the service instructs.
STATUTS_EN_INSTRUCTION = (Statut.EN_ETUDE, Statut.INCOMPLETE)
# Everything but the draft: what the service's queue and its counters hold.
STATUTS_DEPOSES = tuple(s for s in Statut if s != Statut.BROUILLON)
# The form and the documents can be edited: a draft, or a request « Incomplète » being completed (§6.2).
STATUTS_MODIFIABLES = (Statut.BROUILLON, Statut.INCOMPLETE)
# The current state of a registration (« Mes autorisations », the public check, the EU export).
STATUTS_AUTORISATIONS = (Statut.OCTROYEE, Statut.MODIFICATION_DEMANDEE, Statut.REVOQUEE)
# A request that is, or was, a registration: it has a REX number and its dates (the printed registration).
STATUTS_IMPRIMABLES = (*STATUTS_AUTORISATIONS, Statut.VERSION_ANTERIEURE)
# Ended without a valid registration: the operator may file again from it (« Dupliquer », §3.5).
STATUTS_TERMINES = (Statut.REJETEE, Statut.REVOQUEE)
# An EORI holding one of these cannot file again (guide §5.1).
STATUTS_ACTIFS = (*STATUTS_EN_INSTRUCTION, Statut.OCTROYEE, Statut.MODIFICATION_DEMANDEE)
# A registration still valid, possibly being modified: its REX number is the holder's (« Mes clients »).
STATUTS_ENREGISTRES = (Statut.OCTROYEE, Statut.MODIFICATION_DEMANDEE)
# « Mes clients »: the statuses a client's row may show, most urgent first (a former version never is: its
# successor is).
STATUTS_CLIENTS = (
    Statut.INCOMPLETE,
    Statut.EN_ETUDE,
    Statut.MODIFICATION_DEMANDEE,
    Statut.BROUILLON,
    Statut.OCTROYEE,
    Statut.REJETEE,
    Statut.REVOQUEE,
)


class MotifRevocation(models.TextChoices):
    """Article 89(3) and (4) of Implementing Regulation (EU) 2015/2447."""

    ART_89_3_A = "89-3-a", "Art. 89, § 3, a) : l'exportateur enregistré n'existe plus"
    ART_89_3_B = (
        "89-3-b",
        (
            "Art. 89, § 3, b) : il ne remplit plus les conditions pour exporter des produits bénéficiant "
            "du régime préférentiel"
        ),
    )
    ART_89_3_C = (
        "89-3-c",
        (
            "Art. 89, § 3, c) : il a informé les autorités qu'il n'a plus l'intention d'exporter de tels "
            "produits"
        ),
    )
    ART_89_3_D = (
        "89-3-d",
        (
            "Art. 89, § 3, d) : il a établi, intentionnellement ou par négligence, une attestation d'origine "
            "inexacte ayant conduit à l'obtention irrégulière d'un traitement préférentiel"
        ),
    )
    ART_89_4 = "89-4", "Art. 89, § 4 : il ne tient pas à jour ses données d'enregistrement"


class Activite(models.TextChoices):
    PRODUCTION = "production", "Production"
    COMMERCIALISATION = "commercialisation", "Commercialisation"


# The submitted requests (every status but the draft): the condition of the officers' queue's indexes.
DEPOSEES = ~Q(statut=Statut.BROUILLON)
# A decision: the event that takes a request out of instruction, granted or rejected (rex.statistiques).
STATUTS_DECISION = (Statut.OCTROYEE, Statut.REJETEE)
DECISIONS = Q(
    statut_avant__in=[s.value for s in STATUTS_EN_INSTRUCTION],
    statut_apres__in=[s.value for s in STATUTS_DECISION],
)
# The drafts a customs service keys in from a paper form (the queue lists them): few, their own index.
PAPIER_EN_COURS = Q(statut=Statut.BROUILLON, depot_papier=True)


class Demande(models.Model):
    """A REX registration request, from the draft to the registration it becomes."""

    numero = models.CharField("numéro", max_length=20, unique=True, null=True, blank=True)
    statut = FSMField(
        "statut", max_length=30, choices=Statut.choices, default=Statut.BROUILLON, protected=True
    )
    # Rubrique 1
    bureau = models.ForeignKey(
        BureauDouane,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bureau de douane compétent",
    )
    service = models.ForeignKey(
        BureauDouane,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandes",
        verbose_name="service en charge",
    )
    # Rubrique 2: the applicant, who becomes the holder
    titulaire = models.ForeignKey(
        Entreprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandes_rex",
        verbose_name="demandeur",
    )
    # Indexed (on PostgreSQL also with varchar_pattern_ops): the officers' queue searches it by prefix.
    titulaire_eori = models.CharField("numéro EORI", max_length=17, blank=True, db_index=True)
    titulaire_raison_sociale = models.CharField("raison sociale", max_length=200, blank=True)
    titulaire_adresse = models.CharField("adresse", max_length=420, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.CharField("courriel", max_length=254, blank=True)
    activite = models.CharField("activité principale", max_length=20, choices=Activite.choices, blank=True)
    # Rubrique 3: the customs representative, when one files
    representant = models.ForeignKey(
        Entreprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandes_representees",
        verbose_name="représentant en douane",
    )
    representant_telephone = models.CharField("téléphone du représentant", max_length=30, blank=True)
    representant_courriel = models.CharField("courriel du représentant", max_length=254, blank=True)
    # Rubrique 6
    cadres = models.ManyToManyField(
        CadrePreferentiel, blank=True, related_name="demandes", verbose_name="cadres préférentiels"
    )
    # Rubrique 7
    engagement = models.BooleanField("je m'engage à souscrire", default=False)
    engagement_nom = models.CharField("nom", max_length=150, blank=True)
    engagement_fonction = models.CharField("fonction", max_length=150, blank=True)
    engagement_lieu = models.CharField("lieu", max_length=150, blank=True)
    consentement_publication = models.BooleanField("consentement à la publication", null=True, blank=True)

    depot_papier = models.BooleanField(
        "déposée par le service sur formulaire papier",
        default=False,
        help_text="Annexe 22-06 bis du règlement d'exécution (UE) 2015/2447 : procédure exceptionnelle.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="demandes_creees",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("dernière mise à jour", auto_now=True)
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True)
    # Instruction (guide §6)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes_en_charge",
        verbose_name="agent en charge",
    )
    complete_le = models.DateTimeField(
        "demande complète reçue le",
        null=True,
        blank=True,
        help_text="Dépôt ou dernier complément : date de validité par défaut (art. 86, § 4, du "
        "règlement d'exécution (UE) 2015/2447).",
    )
    date_limite = models.DateTimeField(
        "date limite de réponse",
        null=True,
        blank=True,
        db_index=True,
        help_text="Fixée quand la demande est incomplète : 30 jours pour répondre.",
    )
    motif_rejet = models.TextField("motif du rejet", blank=True, max_length=LONGUEUR_TEXTE)
    rejetee_le = models.DateTimeField("rejetée le", null=True, blank=True)
    # The registration (guide §7)
    numero_rex = models.CharField("numéro REX", max_length=22, blank=True, db_index=True)
    date_enregistrement = models.DateField("date d'enregistrement", null=True, blank=True)
    date_validite = models.DateField("valable à partir du", null=True, blank=True)
    version = models.PositiveSmallIntegerField("version", default=1)
    version_precedente = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="modifications",
        verbose_name="version précédente",
    )
    revoquee_le = models.DateField("révoquée à compter du", null=True, blank=True)
    motif_revocation = models.CharField(
        "motif de la révocation", max_length=10, choices=MotifRevocation.choices, blank=True
    )
    droit_entendu_le = models.DateField(
        "droit d'être entendu : courrier du",
        null=True,
        blank=True,
        help_text="Date du courrier par lequel le titulaire a été mis en mesure de présenter ses "
        "observations.",
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "demande REX"
        verbose_name_plural = "demandes REX"
        permissions = [
            ("suivre_demande", "Suivre la demande (demandeur, représentant)"),
            ("instruire_demande", "Instruire la demande (service en charge)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut=Statut.INCOMPLETE, date_limite__isnull=False)
                | (~Q(statut=Statut.INCOMPLETE) & Q(date_limite__isnull=True)),
                name="date_limite_si_incomplete",
            ),
            models.UniqueConstraint(
                fields=["titulaire"],
                # A modification being instructed stands beside its registration, which it replaces.
                condition=Q(statut__in=[s.value for s in STATUTS_ACTIFS])
                & ~Q(
                    version_precedente__isnull=False,
                    statut__in=list(STATUTS_EN_INSTRUCTION),
                ),
                name="un_rex_actif_par_eori",
                violation_error_message=(
                    "Cet EORI possède déjà un numéro REX en cours de validité ou une demande déposée."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["statut", "-updated_at"]),
            # The officers' queue (rex.selectors.file_agent): one index per filter, each in the order of
            # the keyset pagination, on the submitted requests only (the queue never shows a draft).
            # (service, statut) also serves the counters per status as an index-only scan.
            # The number and the EORI are searched as indexed prefixes (their varchar_pattern_ops
            # indexes), the raison sociale through a trigram index (PostgreSQL: migration 0011).
            models.Index(fields=["service", "-updated_at", "-id"], condition=DEPOSEES, name="rex_file_maj"),
            models.Index(
                fields=["service", "statut", "-updated_at", "-id"], condition=DEPOSEES, name="rex_file_statut"
            ),
            models.Index(
                fields=["service", "agent", "-updated_at", "-id"], condition=DEPOSEES, name="rex_file_agent"
            ),
            models.Index(
                fields=["service", "date_limite", "-updated_at", "-id"],
                condition=DEPOSEES,
                name="rex_file_echeance",
            ),
            models.Index(fields=["-updated_at", "-id"], condition=PAPIER_EN_COURS, name="rex_depots_papier"),
            # « Tableau de bord du service » (rex.statistiques): the requests filed per month, of a service
            # and of every service.
            models.Index(fields=["service", "soumise_le"], condition=DEPOSEES, name="rex_stats_depots"),
            models.Index(fields=["soumise_le"], condition=DEPOSEES, name="rex_stats_depots_national"),
            # Its backlog by age and deadlines, per service and nationally: an index-only scan of the
            # requests in instruction (a few tenths of the table), never the table itself.
            models.Index(
                fields=["service", "statut", "soumise_le", "date_limite"],
                condition=Q(statut__in=STATUTS_EN_INSTRUCTION),
                name="rex_stats_instruction",
            ),
            # The REX home's lists (selectors.tableau_accueil): a company's requests as holder and as
            # representative, by status, last updated first.
            models.Index(
                fields=["titulaire", "statut", "-updated_at", "-id"], name="demande_liste_titulaire"
            ),
            models.Index(
                fields=["representant", "statut", "-updated_at", "-id"], name="demande_liste_representant"
            ),
        ]

    def __str__(self):
        return self.numero or f"Brouillon n° {self.pk}"

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # The protected status refuses any assignment, the ORM's own reload included.
        if fields is None or "statut" in fields:
            self.__dict__.pop("statut", None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    @property
    def est_brouillon(self) -> bool:
        return self.statut == Statut.BROUILLON

    # Transitions: pure, they check the source status and stamp their own fields.
    # Only rex.services calls them (the actor is required, so a template never can).
    @transition(field=statut, source=Statut.BROUILLON, target=Statut.EN_ETUDE)
    def soumettre(self, *, by, numero: str, when) -> None:
        self.numero = numero
        self.soumise_le = when
        self.service = self.bureau
        if self.titulaire is not None:
            self.titulaire_eori = self.titulaire.eori
            self.titulaire_raison_sociale = self.titulaire.raison_sociale
            self.titulaire_adresse = self.titulaire.adresse_complete
        self.complete_le = when

    @transition(field=statut, source=Statut.EN_ETUDE, target=Statut.INCOMPLETE)
    def demander_complement(self, *, by, when) -> None:
        """Guide §6.2: the holder has 30 days to answer, or the request is rejected.

        Counted on the Paris wall clock: across a daylight-saving change the deadline keeps the
        hour of the request (aware arithmetic in the local zone), not 720 hours.
        """
        self.date_limite = timezone.localtime(when) + DELAI_REPONSE

    @transition(field=statut, source=Statut.INCOMPLETE, target=Statut.EN_ETUDE)
    def transmettre_complement(self, *, by, when) -> None:
        self.date_limite = None
        self.complete_le = when

    @transition(field=statut, source=list(STATUTS_EN_INSTRUCTION), target=Statut.REJETEE)
    def rejeter(self, *, by, when, motif: str) -> None:
        self._marquer_rejet(when, motif)

    @transition(field=statut, source=Statut.INCOMPLETE, target=Statut.REJETEE)
    def rejeter_automatiquement(self, *, by, when) -> None:
        """No answer within 30 days (guide §6.2): rejected by SOPRANO itself.

        The deadline is checked against `when` (the job's clock), not the wall clock.
        """
        if not self.delai_depasse(when):
            raise TransitionNotAllowed(
                "Le délai de réponse n'est pas dépassé.", object=self, method=self.rejeter_automatiquement
            )
        self._marquer_rejet(when, MOTIF_REJET_AUTOMATIQUE)

    def _marquer_rejet(self, when, motif: str) -> None:
        self.date_limite = None
        self.motif_rejet = motif
        self.rejetee_le = when

    @transition(field=statut, source=Statut.EN_ETUDE, target=Statut.OCTROYEE)
    def octroyer(self, *, by, when, date_validite=None) -> None:
        """REX number = FRREX + EORI (guide §7); validity by default from the complete request."""
        self.numero_rex = f"FRREX{self.titulaire_eori}"
        self.date_enregistrement = timezone.localdate(when)
        self.date_validite = date_validite or timezone.localdate(self.complete_le or when)
        self.date_limite = None

    # Modification of a registration (guide §7.2): the registration R and the request M that changes it.
    @transition(field=statut, source=Statut.OCTROYEE, target=Statut.MODIFICATION_DEMANDEE)
    def demander_modification(self, *, by, when) -> None:
        """R: its REX number stays valid while the modification is instructed."""

    @transition(field=statut, source=Statut.MODIFICATION_DEMANDEE, target=Statut.VERSION_ANTERIEURE)
    def remplacer(self, *, by, when) -> None:
        """R: kept, viewable, as the former version once the modification is validated."""

    @transition(field=statut, source=Statut.MODIFICATION_DEMANDEE, target=Statut.OCTROYEE)
    def retablir(self, *, by, when) -> None:
        """R: unchanged when the modification is refused or rejected."""

    @transition(field=statut, source=Statut.BROUILLON, target=Statut.EN_ETUDE)
    def soumettre_modification(self, *, by, numero: str, when) -> None:
        """M: submitted to the service in charge of the registration."""
        self.numero = numero
        self.soumise_le = when
        self.complete_le = when
        self.service = self.version_precedente.service

    @transition(field=statut, source=Statut.EN_ETUDE, target=Statut.OCTROYEE)
    def valider_modification(self, *, by, when) -> None:
        """M: becomes the registration, with the same REX number and validity."""
        precedente = self.version_precedente
        self.numero_rex = precedente.numero_rex
        self.date_enregistrement = precedente.date_enregistrement
        self.date_validite = precedente.date_validite
        self.date_limite = None

    @property
    def est_modification(self) -> bool:
        return self.version_precedente_id is not None

    @transition(field=statut, source=Statut.OCTROYEE, target=Statut.REVOQUEE)
    def revoquer(self, *, by, when, motif: str, a_compter_du, droit_entendu_le) -> None:
        """Guide §7.3: after the right to be heard (by letter), on a ground of art. 89(3)–(4)."""
        self.motif_revocation = motif
        self.revoquee_le = a_compter_du
        self.droit_entendu_le = droit_entendu_le

    def erreurs_revocation(self, *, a_compter_du, droit_entendu_le, aujourd_hui) -> dict[str, str]:
        """The date rules of a revocation (guide §7.3), in French, by field; empty when they hold.

        The letter giving the right to be heard is sent before the decision (never dated in the future),
        the revocation takes effect after that letter and not before the registration is valid. It may
        take effect later than today: the number stays valid until then (`revoquee_au`).
        """
        erreurs = {}
        if droit_entendu_le and droit_entendu_le > aujourd_hui:
            erreurs["droit_entendu_le"] = (
                "Le courrier du droit d'être entendu précède la décision : il ne peut pas être daté dans "
                "le futur."
            )
        if a_compter_du and self.date_validite and a_compter_du < self.date_validite:
            erreurs["a_compter_du"] = (
                "La révocation ne peut pas prendre effet avant la date de validité de l'enregistrement "
                f"({self.date_validite:%d/%m/%Y})."
            )
        elif a_compter_du and droit_entendu_le and a_compter_du < droit_entendu_le:
            erreurs["a_compter_du"] = (
                "La révocation ne peut pas prendre effet avant le courrier du droit d'être entendu "
                f"({droit_entendu_le:%d/%m/%Y})."
            )
        return erreurs

    def revoquee_au(self, jour) -> bool:
        """Whether the registration is revoked on `jour`: a revocation may take effect later than the day
        it is decided, and the number stays valid until then."""
        return self.statut == Statut.REVOQUEE and self.revoquee_le is not None and self.revoquee_le <= jour

    @transition(field=statut, source=Statut.REVOQUEE, target=Statut.OCTROYEE)
    def annuler_revocation(self, *, by, when) -> None:
        """The registration is « octroyée » again, with its REX number and validity date."""
        self.motif_revocation = ""
        self.revoquee_le = None
        self.droit_entendu_le = None

    def delai_depasse(self, now=None) -> bool:
        return self.date_limite is not None and self.date_limite <= (now or timezone.now())

    def jours_restants(self, now=None) -> int | None:
        if self.date_limite is None:
            return None
        # Calendar days in Paris: 30 right after the request, 0 on the last day.
        aujourd_hui = timezone.localdate(now or timezone.now())
        return max(0, (timezone.localdate(self.date_limite) - aujourd_hui).days)


class Contact(models.Model):
    """Rubrique 4: a contact person (every field required at validation, except the fax)."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="contacts")
    ordre = models.PositiveSmallIntegerField(default=0)
    nom = models.CharField("nom", max_length=150, blank=True)
    prenom = models.CharField("prénom", max_length=150, blank=True)
    fonction = models.CharField("fonction", max_length=150, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    fax = models.CharField("fax", max_length=30, blank=True)
    courriel = models.CharField("courriel", max_length=254, blank=True)

    class Meta:
        ordering = ["ordre", "id"]
        verbose_name = "contact"


class LigneMarchandise(models.Model):
    """Rubrique 5: a heading (SH4) or a whole chapter (2 digits), with a short description."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="marchandises")
    ordre = models.PositiveSmallIntegerField(default=0)
    code = models.CharField("position tarifaire (SH4) ou chapitre", max_length=4, blank=True)
    description = models.CharField("description de la marchandise", max_length=300, blank=True)

    class Meta:
        ordering = ["ordre", "id"]
        verbose_name = "ligne de marchandise"
        verbose_name_plural = "lignes de marchandises"


def document_path(instance, filename):
    # The stored name never comes from the user: no path tricks, no collisions.
    return f"demandes/{instance.demande_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A document attached to a request; stored outside any public URL."""

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="documents")
    nom = models.CharField("nom du document", max_length=200)
    fichier = models.FileField(upload_to=document_path, max_length=200)
    nom_original = models.CharField("fichier d'origine", max_length=255)
    type_mime = models.CharField("type", max_length=120)
    taille = models.PositiveIntegerField("taille (octets)")
    ajoute_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "document"


class Evenement(models.Model):
    """« Historique »: one immutable row per event in the life of a request; written by services only."""

    class Kind(models.TextChoices):
        CREATION = "creation", "Création du brouillon"
        SOUMISSION = "soumission", "Dépôt de la demande"
        DEPOT_PAPIER = "depot_papier", "Dépôt par le service sur formulaire papier"
        PRISE_EN_CHARGE = "prise_en_charge", "Prise en charge"
        REAFFECTATION = "reaffectation", "Réaffectation"
        DEMANDE_COMPLEMENT = "demande_complement", "Demande d'information complémentaire"
        COMPLEMENT = "complement", "Compléments apportés à la demande"
        REJET = "rejet", "Rejet"
        REJET_AUTOMATIQUE = "rejet_automatique", "Rejet automatique (délai de 30 jours dépassé)"
        RELANCE = "relance", "Relance avant rejet automatique"
        OCTROI = "octroi", "Octroi"
        MODIFICATION = "modification", "Demande de modification"
        MODIFICATION_VALIDEE = "modification_validee", "Modification validée"
        MODIFICATION_REFUSEE = "modification_refusee", "Modification refusée"
        REVOCATION = "revocation", "Révocation"
        ANNULATION_REVOCATION = "annulation_revocation", "Annulation de la révocation"
        ABANDON = "abandon", "Abandon de la demande"
        DUPLICATION = "duplication", "Duplication"
        MESSAGE = "message", "Message dans le fil de discussion"

    demande = models.ForeignKey(
        Demande, on_delete=models.SET_NULL, null=True, blank=True, related_name="evenements"
    )
    numero_demande = models.CharField("numéro", max_length=20, blank=True)
    service = models.ForeignKey(
        BureauDouane,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Service en charge au moment de l'événement (trace anonyme après un abandon).",
    )
    acteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )  # traçabilité
    kind = models.CharField("événement", max_length=40, choices=Kind.choices)
    statut_avant = models.CharField(max_length=30, choices=Statut.choices, blank=True)
    statut_apres = models.CharField(max_length=30, choices=Statut.choices, blank=True)
    commentaire = models.TextField(blank=True, max_length=LONGUEUR_TEXTE)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "événement"
        indexes = [
            # « Tableau de bord du service » (rex.statistiques): a service's decisions of a period.
            models.Index(
                fields=["service", "created_at"],
                condition=DECISIONS,
                name="rex_stats_decisions",
            ),
        ]


class Compteur(models.Model):
    """The last request number given in a year (FR-REX-AAAA-NNNNN)."""

    annee = models.PositiveSmallIntegerField(primary_key=True)
    dernier = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de numérotation"


class Courriel(models.Model):
    """Outbox: every e-mail is written here in the transaction, then sent by a Celery task.

    A batch job's e-mails are written unrendered (modele, contexte) and rendered by the sending task.

    A broker outage never loses one: the periodic task sends whatever is still unsent.
    """

    destinataire = models.EmailField()
    sujet = models.CharField(max_length=250, blank=True)
    texte = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # Written by a batch job, rendered when sent: the template (`emails/<modele>_subject.txt` …) and its
    # context (JSON values; the request is `demande`). Empty for an e-mail rendered when written.
    modele = models.CharField("modèle", max_length=100, blank=True)
    contexte = models.JSONField(default=dict, blank=True)
    demande = models.ForeignKey(
        Demande, on_delete=models.SET_NULL, null=True, blank=True, related_name="courriels"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    envoye_le = models.DateTimeField(null=True, blank=True, db_index=True)
    tentatives = models.PositiveSmallIntegerField(default=0)
    derniere_erreur = models.TextField("dernière erreur", blank=True)
    prochain_essai_le = models.DateTimeField("prochain essai", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "courriel"
        # The outbox's pending rows, read every minute by the periodic retry: a small index.
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(envoye_le__isnull=True), name="courriel_en_attente"
            )
        ]


class CourrielEnEchec(Courriel):
    """The outbox's e-mails that the mail server refused: their own admin list, « Renvoyer »."""

    class Meta:
        proxy = True
        verbose_name = "courriel en échec"
        verbose_name_plural = "courriels en échec"


class RelanceEcheance(models.Model):
    """A reminder sent before the automatic rejection: one per request, deadline and threshold (10 or 3
    days before). The unique constraint is what makes the reminders never go twice, even when two runs
    overlap; a new deadline (the request incomplete again) gets its own reminders."""

    class Palier(models.IntegerChoices):
        DIX_JOURS = 10, "10 jours avant"
        TROIS_JOURS = 3, "3 jours avant"

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="relances")
    date_limite = models.DateTimeField("date limite de réponse")
    palier = models.PositiveSmallIntegerField("palier", choices=Palier.choices)
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "relance avant rejet automatique"
        verbose_name_plural = "relances avant rejet automatique"
        constraints = [
            models.UniqueConstraint(
                fields=["demande", "date_limite", "palier"], name="relance_unique_par_echeance"
            )
        ]


class Message(models.Model):
    """« Fil de discussion » (guide §6.1): both sides write at every stage of the request."""

    class Cote(models.TextChoices):
        OPERATEUR = "operateur", "Opérateur"
        SERVICE = "service", "Service des douanes"

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="messages")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    cote = models.CharField("de la part de", max_length=10, choices=Cote.choices)
    texte = models.TextField("message", max_length=LONGUEUR_TEXTE)
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "message"


class DemandeGroupePermission(GroupObjectPermissionBase):
    """django-guardian's group permissions on requests, with a real foreign key (deleted with it)."""

    content_object = models.ForeignKey(Demande, on_delete=models.CASCADE)


class DemandeUtilisateurPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Demande, on_delete=models.CASCADE)


# Saved filters of the officers' queue: a handful per officer, never a list that grows.
FILTRES_PAR_AGENT = 20


class FiltreEnregistre(models.Model):
    """« Mes filtres » of the officers' queue: a name and the queue's filters, as a query string
    cleaned through rex.forms_agent.FiltreFileForm (never stored as typed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="filtres_enregistres"
    )
    nom = models.CharField("nom du filtre", max_length=80)
    # Bounded by the form (a search of 200 characters at most), whatever its percent-encoding.
    parametres = models.TextField("filtres")
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        ordering = ["nom", "pk"]
        verbose_name = "filtre enregistré"
        verbose_name_plural = "filtres enregistrés"
        constraints = [
            # Also the index of the officer's list, in the order it is shown.
            models.UniqueConstraint(fields=["user", "nom"], name="filtre_enregistre_nom_unique"),
        ]

    def __str__(self):
        return self.nom
