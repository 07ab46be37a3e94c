"""Seeds a national-volume data set in bulk (PostgreSQL COPY), for `make bench-scale`.

The shape is fixed at 100,000 requests and scaled linearly for smaller sets (1,000 requests: same
proportions). Every row is written with COPY in one transaction; nothing goes through the models'
save(), the services or the factories, so 100k requests and their ~1.8 million rows take well under
three minutes. The statuses, dates and object permissions follow what the services would have written
(rex.services, rex.permissions.accorder_acces); the database constraints (one active REX per EORI,
deadline only when « Incomplète ») check them at insert time.

Holders and companies: the unique constraint `un_rex_actif_par_eori` allows one active request per
EORI, so 100k requests of which 20k are overdue « Incomplète » need ~62k holders. The set has 20k
companies with accounts (operators and customs representatives) and 45k companies without an account,
represented under mandate by the customs representatives who file for them.

Fixed subjects (benchmarks.scale.pages reads them by user name): « transitaire » (the customs
representative with ~1,000 requests for 500 clients), « operateur » (an exporter with a registration in
its 2nd version, a rejected request and a draft), « agent » (an officer of the service holding half the
requests), « nouveau » (certified, not habilitated), « admin » (PAE staff).
"""

import json
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.utils import timezone

from accounts.groupes import nom_groupe_entreprise, nom_groupe_service
from accounts.models import BureauDouane
from rex import permissions
from rex.models import (
    MOTIF_REJET_AUTOMATIQUE,
    CadrePreferentiel,
    Chapitre,
    Evenement,
    Message,
    MotifRevocation,
    PositionTarifaire,
    Statut,
)
from rex.services.depot import COMMENTAIRE_DEPOT_PAPIER
from tests.factories import siret_valide

REFERENCE = 100_000
# Requests at 100k, by story. A « chaine » is a former version and its current registration (2 requests);
# a « modification » a registration in « Modification demandée » and its modification being instructed.
ACTIVES = {
    "en_etude": 12_000,
    "incomplete_depassee": 19_600,
    "incomplete": 1_500,
    "octroyee": 23_000,
    "chaine": 5_000,
    "modification": 1_300,
}
# Of the modifications: (status of M, overdue deadline) — 400 overdue, so that 20,000 requests are.
MODIFICATIONS = (("en_etude", False),) * 8 + (("incomplete", True),) * 4 + (("incomplete", False),)
INACTIVES = {"rejetee": 17_300, "revoquee": 3_000, "brouillon": 11_000}
DEPOTS_PAPIER = 50  # of the drafts: keyed in by the big service from paper forms
SERVICE_PRINCIPAL = 50_000  # submitted requests held by the big service
COMPTES = 20_000  # companies with an account (one operator user each)
REPRESENTES = 45_000  # companies without an account, under mandate
REPRESENTANTS = 100  # customs representatives (among the companies with an account)
CLIENTS_TRANSITAIRE = 500  # clients of « transitaire », each with 2 requests
ABANDONS = 1_000  # anonymous traces of abandoned requests
AGENTS_PRINCIPAL = 20  # officers of the big service (not scaled: a service's size does not grow)
AGENTS_AUTRES = 3
MOT_DE_PASSE = "Soprano-Bench1!"
DELAI = timedelta(days=30)  # rex.models.DELAI_REPONSE, on the UTC clock here

# 40 family names: « Durand » names 1 company in 40 (the queue's search q=Durand).
NOMS = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
)
PRENOMS = (
    "Claire",
    "Marc",
    "Sophie",
    "Paul",
    "Léa",
    "Hugo",
    "Camille",
    "Louis",
    "Emma",
    "Jules",
    "Chloé",
    "Lucas",
    "Inès",
    "Nathalie",
    "Pierre",
)
METIERS = (
    "Vignobles",
    "Établissements",
    "Fromagerie",
    "Coutellerie",
    "Savonnerie",
    "Brasserie",
    "Distillerie",
    "Ateliers",
    "Manufacture",
    "Biscuiterie",
    "Conserverie",
    "Maison",
    "Parfumerie",
    "Tissages",
    "Chocolaterie",
    "Faïencerie",
)
RUES = ("rue des Vignes", "quai du Port", "avenue de la Gare", "place du Marché", "route des Crus")
FORMES = ("", " SAS", " SARL", " et Fils", " & Cie", " SA")
VILLES = (
    ("Lyon", "69002"),
    ("Bordeaux", "33000"),
    ("Marseille", "13002"),
    ("Lille", "59000"),
    ("Nantes", "44000"),
    ("Toulouse", "31000"),
    ("Strasbourg", "67000"),
    ("Rennes", "35000"),
    ("Reims", "51100"),
    ("Dijon", "21000"),
    ("Le Havre", "76600"),
    ("Paris", "75008"),
)
FONCTIONS = ("Directrice export", "Responsable douane", "Gérant", "Assistante ADV", "Directeur financier")
DESCRIPTIONS = ("Vins rouges", "Fromages affinés", "Pièces mécaniques", "Cosmétiques", "Textiles", "Outils")
# Rows per request, as {count: weight}: (on a draft, on a filed request), and on the operator's registration.
LIGNES = {
    "contacts": ({0: 3, 1: 5, 2: 2}, {1: 5, 2: 3, 3: 2}, 2),
    "marchandises": ({0: 3, 1: 4, 2: 3}, {1: 4, 2: 3, 3: 2, 4: 1}, 3),
    "cadres": ({0: 5, 1: 3, 2: 2}, {1: 5, 2: 3, 3: 2}, 2),
    "documents": ({0: 6, 1: 4}, {0: 25, 1: 45, 2: 20, 3: 10}, 2),
}
DOCUMENTS = (
    ("Statuts de la société", "statuts.pdf"),
    ("Extrait Kbis", "kbis.pdf"),
    ("Procuration", "mandat.pdf"),
)
MOTIFS_REJET = (
    "Le demandeur n'est pas établi dans l'Union.",
    "Les marchandises déclarées ne sont pas originaires.",
    "Les pièces justificatives demandées n'ont pas été fournies.",
)
TEXTES_COMPLEMENT = (
    "Merci de joindre l'extrait Kbis de moins de trois mois.",
    "Précisez les positions tarifaires des marchandises exportées.",
)
TEXTES_MESSAGE = (
    "Bonjour, où en est l'instruction de notre demande ?",
    "Votre demande est en cours d'examen par le service.",
    "Nous avons joint le document demandé.",
)


def nombre(valeur: int, echelle: float, minimum: int = 1) -> int:
    """A count of the 100k shape at this scale; never below `minimum` when the shape has some."""
    return max(minimum, round(valeur * echelle)) if valeur else 0


def lettres(n: int) -> str:
    """User names are letters only (accounts.validators): digits spelt a–j."""
    return "".join(chr(97 + int(c)) for c in str(n))


def ascii_minuscule(texte: str) -> str:
    return unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().lower().replace(" ", "")


@dataclass(slots=True)
class Entreprise:
    id: int
    eori: str
    raison_sociale: str
    adresse: str
    code_postal: str
    ville: str
    representant: bool = False
    user_id: int | None = None
    mandataire: "Entreprise | None" = None  # the customs representative who files for it

    @property
    def adresse_complete(self) -> str:
        return f"{self.adresse}, {self.code_postal} {self.ville}"


@dataclass(slots=True)
class Demande:
    """One row of rex_demande, with the history and the thread the services would have written."""

    id: int
    statut: str
    titulaire: Entreprise
    created_by_id: int
    created_at: datetime
    bureau_id: int
    service_id: int | None
    representant: Entreprise | None = None
    numero: str | None = None
    soumise_le: datetime | None = None
    complete_le: datetime | None = None
    date_limite: datetime | None = None
    agent_id: int | None = None
    motif_rejet: str = ""
    rejetee_le: datetime | None = None
    numero_rex: str = ""
    date_enregistrement: date | None = None
    date_validite: date | None = None
    octroi: datetime | None = None
    version: int = 1
    version_precedente_id: int | None = None
    revoquee_le: date | None = None
    motif_revocation: str = ""
    droit_entendu_le: date | None = None
    depot_papier: bool = False
    consentement: bool | None = None
    riche: bool = False  # the operator's registration: a fuller request than the average one
    sauvegardee_le: datetime | None = None  # a draft saved again
    # (kind, statut_avant, statut_apres, when, acteur_id, commentaire, payload)
    evenements: list = field(default_factory=list)
    messages: list = field(default_factory=list)  # (when, cote, auteur_id, texte)

    @property
    def updated_at(self) -> datetime:
        return max(
            [self.created_at, self.sauvegardee_le or self.created_at] + [e[3] for e in self.evenements]
        )


class Generateur:
    """Builds the parties and the requests (with their history) in memory, then COPYs every table."""

    def __init__(self, demandes: int, *, graine: int = 2025):
        self.echelle = demandes / REFERENCE
        self.rng = random.Random(graine)
        self.now = timezone.now().replace(microsecond=0)
        self.entreprises: list[Entreprise] = []
        self.users: list[tuple] = []
        self.demandes: list[Demande] = []
        self.compteurs: dict[int, int] = {}
        self.agents: dict[int, list[int]] = {}
        self.ids: dict[str, int] = {}
        self.modifications = 0

    # ------------------------------------------------------------------ helpers
    def jours(self, minimum: float, maximum: float) -> timedelta:
        return timedelta(days=self.rng.uniform(minimum, maximum))

    def passe(self, instant: datetime) -> datetime:
        """Keeps a generated date in the past: an hour before the seeding at the latest."""
        return min(instant, self.now - timedelta(hours=1))

    def numero(self, quand: datetime) -> str:
        annee = timezone.localtime(quand).year
        self.compteurs[annee] = self.compteurs.get(annee, 0) + 1
        return f"FR-REX-{annee}-{self.compteurs[annee]:05d}"

    def prochain(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def agent_de(self, service: int, probabilite: float = 1.0) -> int | None:
        return self.rng.choice(self.agents[service]) if self.rng.random() < probabilite else None

    # ------------------------------------------------------------------ reference data and parties
    def lire_references(self) -> None:
        bureaux = list(BureauDouane.objects.order_by("nom").values_list("id", "nom"))
        if not bureaux:
            raise RuntimeError("Reference data missing: run `manage.py load_reference_data` first.")
        self.bureaux = [pk for pk, _ in bureaux]
        self.service_principal = next(
            (pk for pk, nom in bureaux if nom == "Bureau de douane de Paris"), bureaux[0][0]
        )
        self.autres_services = [pk for pk in self.bureaux if pk != self.service_principal]
        self.cadres = list(CadrePreferentiel.objects.filter(actif=True).values_list("id", flat=True))
        self.codes = list(PositionTarifaire.objects.values_list("code", flat=True))
        self.codes += list(Chapitre.objects.values_list("code", flat=True)[:20])
        self.perm = dict(
            Permission.objects.filter(
                content_type__app_label="rex",
                content_type__model="demande",
                codename__in=[permissions.SUIVRE, permissions.INSTRUIRE],
            ).values_list("codename", "id")
        )
        with connection.cursor() as cursor:
            for table in ("accounts_entreprise", "accounts_user", "auth_group", "rex_demande"):
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - fixed names
                self.ids[table] = cursor.fetchone()[0]

    def creer_parties(self) -> None:
        """Companies, one operator per company with an account, the mandates, the officers, the PAE."""
        rng = self.rng
        comptes = nombre(COMPTES, self.echelle, 10)
        representants = nombre(REPRESENTANTS, self.echelle, 2)
        self.password = make_password(MOT_DE_PASSE)
        for i in range(comptes + nombre(REPRESENTES, self.echelle, 10)):
            pk = self.prochain("accounts_entreprise")
            ville, code_postal = rng.choice(VILLES)
            # 0: « transitaire »; 1: « operateur »; 2: « nouveau »; then the other representatives.
            representant = i == 0 or 3 <= i < representants + 2
            nom = rng.choice(NOMS)
            if representant:
                raison = f"Transit {nom}{rng.choice(FORMES)}"
            else:
                raison = f"{rng.choice(METIERS)} {nom}{rng.choice(FORMES)}"
            self.entreprises.append(
                Entreprise(
                    id=pk,
                    eori="FR" + siret_valide(10_000_000 + pk),
                    raison_sociale=raison,
                    adresse=f"{rng.randint(1, 120)} {rng.choice(RUES)}",
                    code_postal=code_postal,
                    ville=ville,
                    representant=representant,
                )
            )
        self.transitaire, self.operateur, self.nouveau = self.entreprises[:3]
        self.transitaire.raison_sociale = "Transit Martin et Fils"
        self.operateur.raison_sociale = "Vignobles Lambert SAS"
        self.nouveau.raison_sociale = "Biscuiterie Lefèvre"
        avec_compte = self.entreprises[:comptes]
        representants_ = [e for e in avec_compte if e.representant]
        autres = representants_[1:]
        # At least 50 clients (~100 requests): the small set's REX home then shows full pages of 25 rows,
        # as the large one does, so that its growth measures the volume and not the page's length.
        clients_transitaire = nombre(CLIENTS_TRANSITAIRE, self.echelle, 50)
        for i, client in enumerate(self.entreprises[comptes:]):
            client.mandataire = self.transitaire if i < clients_transitaire else autres[i % len(autres)]
        fixes = {0: "transitaire", 1: "operateur", 2: "nouveau"}
        for i, entreprise in enumerate(avec_compte):
            nom = fixes.get(i, "compte" + lettres(entreprise.id))
            entreprise.user_id = self.ajouter_user(nom, entreprise=entreprise.id, habilite=i != 2)
        for service in self.bureaux:
            principal = service == self.service_principal
            self.agents[service] = [
                self.ajouter_user(
                    "agent" if principal and n == 0 else f"agent{lettres(service)}x{lettres(n)}",
                    service=service,
                )
                for n in range(AGENTS_PRINCIPAL if principal else AGENTS_AUTRES)
            ]
        self.ajouter_user("admin", staff=True)

    def ajouter_user(
        self, username: str, *, entreprise=None, service=None, habilite=True, staff=False
    ) -> int:
        pk = self.prochain("accounts_user")
        inscrit = self.now - self.jours(30, 1500)
        certifie = inscrit if entreprise else None
        self.users.append(
            (
                pk,
                self.password,
                None,  # last_login
                staff,  # is_superuser
                self.rng.choice(PRENOMS),
                self.rng.choice(NOMS),
                staff,  # is_staff
                True,  # is_active
                inscrit,
                username,
                f"{username}@exemple.fr",
                certifie,
                certifie if habilite else None,
                service,
                entreprise,
            )
        )
        return pk

    # ------------------------------------------------------------------ requests
    def creer_demandes(self) -> None:
        """Every story, each given to a holder: one active request per EORI at most."""
        rng, echelle = self.rng, self.echelle
        actives = [kind for kind, n in ACTIVES.items() for _ in range(nombre(n, echelle))]
        inactives = [kind for kind, n in INACTIVES.items() for _ in range(nombre(n, echelle))]
        # The operator's own stories are among them (a registration in its 2nd version, a rejection, a draft).
        actives.remove("chaine")
        inactives.remove("rejetee")
        inactives.remove("brouillon")
        rng.shuffle(actives)
        rng.shuffle(inactives)
        fixes = {self.transitaire.id, self.operateur.id, self.nouveau.id}
        candidats = [e for e in self.entreprises if not e.representant and e.id not in fixes]
        clients = [e for e in candidats if e.mandataire is self.transitaire]
        autres = [e for e in candidats if e.mandataire is not self.transitaire]
        rng.shuffle(autres)
        titulaires = clients + autres
        if len(actives) > len(titulaires):
            raise RuntimeError(f"{len(actives)} active requests for {len(titulaires)} holders")
        # « transitaire »: each client has its active request and one other (~1,000 requests for 500).
        histoires = list(zip(actives, titulaires, strict=False)) + list(zip(inactives, clients, strict=False))
        histoires += [(kind, rng.choice(autres)) for kind in inactives[len(clients) :]]
        rng.shuffle(histoires)

        principal = self.service_principal
        cible = nombre(SERVICE_PRINCIPAL, echelle)
        papier = nombre(DEPOTS_PAPIER, echelle)
        operateur = self.chaine(self.operateur, principal, riche=True)
        operateur.consentement = True
        self.rejetee(self.operateur, principal)
        self.brouillon(self.operateur, principal)
        dans_principal = 3
        for kind, titulaire in histoires:
            soumises = {"chaine": 2, "modification": 2, "brouillon": 0}.get(kind, 1)
            if not soumises:
                service = principal if rng.random() < 0.56 else rng.choice(self.autres_services)
            elif dans_principal + soumises <= cible:
                service = principal
                dans_principal += soumises
            else:
                service = rng.choice(self.autres_services)
            if kind == "brouillon" and papier:
                papier -= 1
                self.brouillon(titulaire, principal, papier=True)
            else:
                getattr(self, kind)(titulaire, service)

    def nouvelle(self, titulaire: Entreprise, service: int, statut: str, cree: datetime, **champs) -> Demande:
        """A request created by the holder's operator, or by its customs representative under mandate."""
        representant = titulaire.mandataire
        auteur = representant.user_id if representant else titulaire.user_id
        demande = Demande(
            id=self.prochain("rex_demande"),
            statut=statut,
            titulaire=titulaire,
            created_by_id=auteur,
            created_at=cree,
            bureau_id=service,
            service_id=None if statut == Statut.BROUILLON else service,
            representant=representant,
            consentement=self.rng.random() < 0.7,
            **champs,
        )
        demande.evenements.append((Evenement.Kind.CREATION, "", Statut.BROUILLON, cree, auteur, "", {}))
        self.demandes.append(demande)
        return demande

    def soumettre(self, demande: Demande, quand: datetime, *, en_charge: float) -> None:
        demande.numero = self.numero(quand)
        demande.soumise_le = demande.complete_le = quand
        auteur = demande.created_by_id
        demande.evenements.append(
            (Evenement.Kind.SOUMISSION, Statut.BROUILLON, Statut.EN_ETUDE, quand, auteur, "", {})
        )
        demande.agent_id = self.agent_de(demande.service_id, en_charge)
        if demande.agent_id:
            prise = self.passe(quand + self.jours(0.1, 3))
            demande.evenements.append(
                (
                    Evenement.Kind.PRISE_EN_CHARGE,
                    Statut.EN_ETUDE,
                    Statut.EN_ETUDE,
                    prise,
                    demande.agent_id,
                    "",
                    {},
                )
            )

    def demander_complement(self, demande: Demande, quand: datetime, *, repondu: bool) -> datetime:
        """« Demande d'information complémentaire » at `quand`; answered (back to « En étude ») or not."""
        agent = demande.agent_id or self.agent_de(demande.service_id)
        texte = self.rng.choice(TEXTES_COMPLEMENT)
        demande.evenements.append(
            (Evenement.Kind.DEMANDE_COMPLEMENT, Statut.EN_ETUDE, Statut.INCOMPLETE, quand, agent, texte, {})
        )
        if not repondu:
            return quand
        reponse = self.passe(quand + self.jours(1, 25))
        demande.complete_le = reponse
        auteur = demande.created_by_id
        demande.evenements.append(
            (
                Evenement.Kind.COMPLEMENT,
                Statut.INCOMPLETE,
                Statut.EN_ETUDE,
                reponse,
                auteur,
                "Kbis joint.",
                {},
            )
        )
        return reponse

    def fil(self, demande: Demande, depuis: datetime, *, maximum: int = 3) -> None:
        """« Fil de discussion »: messages from either side, each with its history event."""
        n = (
            3
            if demande.riche
            else self.rng.choices(range(maximum + 1), weights=(45, 35, 15, 5)[: maximum + 1])[0]
        )
        statut = Statut.OCTROYEE if demande.statut == Statut.VERSION_ANTERIEURE else demande.statut
        for _ in range(n):
            quand = self.passe(depuis + self.jours(0.5, 30))
            if self.rng.random() < 0.5:
                cote, auteur = Message.Cote.SERVICE, self.agent_de(demande.service_id)
            else:
                cote, auteur = Message.Cote.OPERATEUR, demande.created_by_id
            texte = self.rng.choice(TEXTES_MESSAGE)
            demande.messages.append((quand, cote, auteur, texte))
            demande.evenements.append((Evenement.Kind.MESSAGE, statut, statut, quand, auteur, texte, {}))

    # One method per story: the statuses a request (or a pair of versions) went through, with its history.
    def en_etude(self, titulaire: Entreprise, service: int) -> None:
        soumise = self.now - self.jours(0.5, 150)
        d = self.nouvelle(titulaire, service, Statut.EN_ETUDE, soumise - self.jours(0, 10))
        self.soumettre(d, soumise, en_charge=0.6)
        if self.rng.random() < 0.2 and soumise < self.now - timedelta(days=10):
            self.demander_complement(d, self.passe(soumise + self.jours(2, 8)), repondu=True)
        self.fil(d, soumise)

    def incomplete_depassee(self, titulaire: Entreprise, service: int) -> None:
        self.incomplete(titulaire, service, depassee=True)

    def incomplete(self, titulaire: Entreprise, service: int, *, depassee: bool = False) -> None:
        limite = self.limite(depassee)
        demandee = limite - DELAI
        soumise = demandee - self.jours(2, 60)
        d = self.nouvelle(
            titulaire, service, Statut.INCOMPLETE, soumise - self.jours(0, 10), date_limite=limite
        )
        self.soumettre(d, soumise, en_charge=0.9)
        self.demander_complement(d, demandee, repondu=False)
        self.fil(d, demandee)

    def limite(self, depassee: bool) -> datetime:
        """A 30-day deadline: passed (up to 60 days ago) or to come (a quarter within 7 days)."""
        return self.now - self.jours(1 / 24, 60) if depassee else self.now + self.jours(1 / 24, 29.9)

    def rejetee(self, titulaire: Entreprise, service: int) -> None:
        soumise = self.now - self.jours(10, 1000)
        d = self.nouvelle(titulaire, service, Statut.REJETEE, soumise - self.jours(0, 10))
        self.soumettre(d, soumise, en_charge=0.95)
        if self.rng.random() < 0.2:
            demandee = self.passe(soumise + self.jours(2, 8))
            self.demander_complement(d, demandee, repondu=False)
            d.rejetee_le = self.passe(demandee + self.jours(30.01, 31))
            d.motif_rejet = MOTIF_REJET_AUTOMATIQUE
            kind, avant, acteur = Evenement.Kind.REJET_AUTOMATIQUE, Statut.INCOMPLETE, None
        else:
            d.rejetee_le = self.passe(soumise + self.jours(5, 90))
            d.motif_rejet = self.rng.choice(MOTIFS_REJET)
            kind, avant, acteur = Evenement.Kind.REJET, Statut.EN_ETUDE, d.agent_id or self.agent_de(service)
        d.evenements.append((kind, avant, Statut.REJETEE, d.rejetee_le, acteur, d.motif_rejet, {}))
        self.fil(d, soumise, maximum=2)

    def octroyee(
        self, titulaire, service, *, statut=Statut.OCTROYEE, anciennete=(10, 1000), riche=False
    ) -> Demande:
        soumise = self.now - self.jours(*anciennete)
        d = self.nouvelle(titulaire, service, statut, soumise - self.jours(0, 10), riche=riche)
        self.soumettre(d, soumise, en_charge=0.95)
        complete = soumise
        if self.rng.random() < 0.15:
            complete = self.demander_complement(d, self.passe(soumise + self.jours(2, 8)), repondu=True)
        d.octroi = self.passe(complete + self.jours(2, 60))
        d.numero_rex = f"FRREX{titulaire.eori}"
        d.date_enregistrement = timezone.localdate(d.octroi)
        d.date_validite = timezone.localdate(d.complete_le)
        acteur = d.agent_id or self.agent_de(service)
        d.evenements.append(
            (Evenement.Kind.OCTROI, Statut.EN_ETUDE, Statut.OCTROYEE, d.octroi, acteur, "", {})
        )
        self.fil(d, soumise, maximum=2)
        return d

    def modifier(self, enregistrement: Demande, statut: str, soumise: datetime, **champs) -> Demande:
        """The modification M of the registration R (rex.services.modification), submitted at `soumise`."""
        m = self.nouvelle(
            enregistrement.titulaire,
            enregistrement.service_id,
            statut,
            max(enregistrement.octroi, soumise - self.jours(0, 5)),
            version=enregistrement.version + 1,
            version_precedente_id=enregistrement.id,
            numero_rex=enregistrement.numero_rex,
            date_enregistrement=enregistrement.date_enregistrement,
            date_validite=enregistrement.date_validite,
            riche=enregistrement.riche,
            **champs,
        )
        m.consentement = enregistrement.consentement
        m.evenements[0] = m.evenements[0][:-1] + ({"modification_de": enregistrement.numero_rex},)
        self.soumettre(m, soumise, en_charge=0.7)
        enregistrement.evenements.append(
            (
                Evenement.Kind.MODIFICATION,
                Statut.OCTROYEE,
                Statut.MODIFICATION_DEMANDEE,
                soumise,
                m.created_by_id,
                "",
                {"demande_modification": m.numero},
            )
        )
        return m

    def chaine(self, titulaire: Entreprise, service: int, riche: bool = False) -> Demande:
        """A former version (« Version antérieure ») and the validated modification that replaced it."""
        r = self.octroyee(
            titulaire, service, statut=Statut.VERSION_ANTERIEURE, anciennete=(400, 1000), riche=riche
        )
        soumise = self.passe(r.octroi + self.jours(60, 300))
        m = self.modifier(r, Statut.OCTROYEE, soumise)
        validee = self.passe(soumise + self.jours(5, 40))
        acteur = m.agent_id or self.agent_de(service)
        m.evenements.append(
            (Evenement.Kind.MODIFICATION_VALIDEE, Statut.EN_ETUDE, Statut.OCTROYEE, validee, acteur, "", {})
        )
        r.evenements.append(
            (Evenement.Kind.MODIFICATION_VALIDEE, Statut.MODIFICATION_DEMANDEE, Statut.VERSION_ANTERIEURE)
            + (validee, acteur, "", {})
        )
        self.fil(m, validee, maximum=1)
        return m

    def modification(self, titulaire: Entreprise, service: int) -> None:
        statut, depassee = MODIFICATIONS[self.modifications % len(MODIFICATIONS)]
        self.modifications += 1
        r = self.octroyee(titulaire, service, statut=Statut.MODIFICATION_DEMANDEE, anciennete=(200, 1000))
        if statut == Statut.EN_ETUDE:
            self.modifier(r, statut, self.now - self.jours(0.5, 60))
            return
        limite = self.limite(depassee)
        demandee = limite - DELAI
        m = self.modifier(r, statut, demandee - self.jours(2, 20), date_limite=limite)
        self.demander_complement(m, demandee, repondu=False)

    def revoquee(self, titulaire: Entreprise, service: int) -> None:
        r = self.octroyee(titulaire, service, statut=Statut.REVOQUEE, anciennete=(300, 1000))
        revoquee = self.passe(r.octroi + self.jours(60, 400))
        r.revoquee_le = timezone.localdate(revoquee)
        r.droit_entendu_le = max(r.date_validite, r.revoquee_le - timedelta(days=self.rng.randint(15, 60)))
        r.motif_revocation = self.rng.choice(MotifRevocation.values)
        acteur = r.agent_id or self.agent_de(service)
        r.evenements.append(
            (Evenement.Kind.REVOCATION, Statut.OCTROYEE, Statut.REVOQUEE, revoquee, acteur, "", {})
        )

    def brouillon(self, titulaire: Entreprise, service: int, *, papier: bool = False) -> None:
        cree = self.now - self.jours(0.1, 365)
        d = self.nouvelle(titulaire, service, Statut.BROUILLON, cree)
        d.sauvegardee_le = self.passe(cree + self.jours(0, 5))
        if papier:  # keyed in by the big service from the operator's paper form (guide §5)
            d.representant, d.depot_papier = None, True
            d.created_by_id = self.agents[service][0]
            papier = {"depot_papier": True}
            creation = (Evenement.Kind.CREATION, "", Statut.BROUILLON, cree, d.created_by_id)
            d.evenements[0] = (*creation, COMMENTAIRE_DEPOT_PAPIER, papier)

    # ------------------------------------------------------------------ rows
    def lignes_demandes(self):
        for d in self.demandes:
            t, r = d.titulaire, d.representant
            soumise = d.numero is not None
            yield (
                d.id,
                d.numero,
                d.statut,
                t.eori if soumise else "",
                t.raison_sociale if soumise else "",
                t.adresse_complete if soumise else "",
                "01 23 45 67 89",
                f"export@{ascii_minuscule(t.raison_sociale)[:30]}.example",
                "production" if d.id % 3 else "commercialisation",
                "01 40 00 00 00" if r else "",
                f"douane@{ascii_minuscule(r.raison_sociale)[:30]}.example" if r else "",
                soumise,
                "Claire Durand" if soumise else "",
                "Directrice export" if soumise else "",
                t.ville if soumise else "",
                d.consentement if soumise else None,
                d.depot_papier,
                d.created_at,
                d.updated_at,
                d.soumise_le,
                d.bureau_id,
                d.created_by_id,
                r.id if r else None,
                d.service_id,
                t.id,
                d.agent_id,
                d.complete_le,
                d.date_enregistrement,
                d.date_limite,
                d.date_validite,
                d.motif_rejet,
                d.numero_rex,
                d.rejetee_le,
                d.revoquee_le,
                d.version,
                d.version_precedente_id,
                d.droit_entendu_le,
                d.motif_revocation,
            )

    def combien(self, demande: Demande, genre: str) -> int:
        brouillon, deposee, riche = LIGNES[genre]
        if demande.riche:
            return riche
        loi = brouillon if demande.numero is None else deposee
        return self.rng.choices(tuple(loi), weights=tuple(loi.values()))[0]

    def lignes_enfants(self):
        """Contacts, goods, frameworks, documents: fewer on a draft, more on the operator's registration."""
        rng = self.rng
        contacts, marchandises, cadres, documents = [], [], [], []
        for d in self.demandes:
            for ordre in range(self.combien(d, "contacts")):
                prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
                courriel = f"{ascii_minuscule(prenom)}.{ascii_minuscule(nom)}@exemple.fr"
                contacts.append(
                    (ordre, nom, prenom, rng.choice(FONCTIONS), "01 23 45 67 89", "", courriel, d.id)
                )
            for ordre in range(self.combien(d, "marchandises")):
                marchandises.append((ordre, rng.choice(self.codes), rng.choice(DESCRIPTIONS), d.id))
            for cadre in rng.sample(self.cadres, self.combien(d, "cadres")):
                cadres.append((d.id, cadre))
            for nom, original in rng.sample(DOCUMENTS, self.combien(d, "documents")):
                fichier = f"demandes/{d.id}/{rng.getrandbits(128):032x}"  # no file: never read here
                taille = rng.randint(20_000, 2_000_000)
                ajout = (d.created_at, d.created_by_id, d.id)
                documents.append((nom, fichier, original, "application/pdf", taille, *ajout))
        return contacts, marchandises, cadres, documents

    def lignes_evenements(self):
        for d in self.demandes:
            for kind, avant, apres, quand, acteur, commentaire, payload in d.evenements:
                creation = kind == Evenement.Kind.CREATION
                numero = "" if creation else d.numero or ""
                service = None if creation else d.service_id
                yield (
                    numero,
                    kind,
                    avant,
                    apres,
                    commentaire,
                    json.dumps(payload),
                    quand,
                    acteur,
                    d.id,
                    service,
                )
        # « Historique du service »: the anonymous traces of abandoned requests.
        for n in range(nombre(ABANDONS, self.echelle)):
            quand = self.now - self.jours(1, 700)
            service = self.service_principal if n % 2 else self.rng.choice(self.autres_services)
            titulaire = self.rng.choice(self.entreprises)
            payload = {"demande_id": self.ids["rex_demande"] + 1 + n, "entreprises": [titulaire.id]}
            kind, avant = Evenement.Kind.ABANDON, Statut.EN_ETUDE
            yield (self.numero(quand), kind, avant, "", "", json.dumps(payload), quand, None, None, service)

    def lignes_messages(self):
        for d in self.demandes:
            for quand, cote, auteur, texte in d.messages:
                yield (cote, texte, quand, auteur, d.id)

    def lignes_permissions(self, groupes: dict[str, int]):
        """What rex.permissions.accorder_acces gives, request by request."""
        suivre, instruire = self.perm[permissions.SUIVRE], self.perm[permissions.INSTRUIRE]
        for d in self.demandes:
            titulaire, representant = d.titulaire.id, d.representant.id if d.representant else None
            if d.statut == Statut.BROUILLON and d.depot_papier:
                yield (d.id, groupes[nom_groupe_service(d.bureau_id)], instruire)
                continue
            if d.statut == Statut.BROUILLON and not d.version_precedente_id:
                proprietaires = {representant or titulaire}
            else:
                proprietaires = {titulaire, representant} - {None}
            for entreprise in sorted(proprietaires):
                yield (d.id, groupes[nom_groupe_entreprise(entreprise)], suivre)
            if d.service_id and d.statut != Statut.BROUILLON:
                yield (d.id, groupes[nom_groupe_service(d.service_id)], instruire)

    # ------------------------------------------------------------------ COPY
    def ecrire(self) -> dict[str, int]:
        """Writes every table with COPY (the caller holds the transaction); returns rows per table."""
        lignes: dict[str, int] = {}
        groupes: dict[str, int] = {}
        for entreprise in self.entreprises:
            groupes[nom_groupe_entreprise(entreprise.id)] = self.prochain("auth_group")
        for service in self.bureaux:
            groupes[nom_groupe_service(service)] = self.prochain("auth_group")
        membres = []
        for user in self.users:
            entreprise, service = user[-1], user[-2]
            nom = (
                nom_groupe_entreprise(entreprise)
                if entreprise
                else nom_groupe_service(service)
                if service
                else None
            )
            if nom:
                membres.append((user[0], groupes[nom]))
        contacts, marchandises, cadres, documents = self.lignes_enfants()
        tables = (
            (
                "accounts_entreprise",
                "id eori siret raison_sociale adresse code_postal ville pays est_representant_en_douane "
                "created_at telephone",
                (
                    (e.id, e.eori, e.eori[2:], e.raison_sociale, e.adresse, e.code_postal, e.ville, "FR")
                    + (
                        e.representant,
                        self.now - timedelta(days=e.id % 1500),
                        f"05 56 {e.id % 100:02d} {e.id // 100 % 100:02d} 00",
                    )
                    for e in self.entreprises
                ),
            ),
            (
                "accounts_user",
                "id password last_login is_superuser first_name last_name is_staff is_active date_joined "
                "username email certifie_le habilite_le service_id entreprise_id",
                self.users,
            ),
            ("auth_group", "id name", ((pk, nom) for nom, pk in groupes.items())),
            ("accounts_user_groups", "user_id group_id", membres),
            (
                "accounts_mandat",
                "date_debut date_fin representant_id represente_id",
                (
                    (
                        timezone.localdate(self.now) - timedelta(days=400 + e.id % 1000),
                        None,
                        e.mandataire.id,
                        e.id,
                    )
                    for e in self.entreprises
                    if e.mandataire
                ),
            ),
            ("rex_demande", COLONNES_DEMANDE, self.lignes_demandes()),
            ("rex_contact", "ordre nom prenom fonction telephone fax courriel demande_id", contacts),
            ("rex_lignemarchandise", "ordre code description demande_id", marchandises),
            ("rex_demande_cadres", "demande_id cadrepreferentiel_id", cadres),
            (
                "rex_document",
                "nom fichier nom_original type_mime taille created_at ajoute_par_id demande_id",
                documents,
            ),
            ("rex_message", "cote texte created_at auteur_id demande_id", self.lignes_messages()),
            (
                "rex_evenement",
                "numero_demande kind statut_avant statut_apres commentaire payload created_at acteur_id "
                "demande_id service_id",
                self.lignes_evenements(),
            ),
            (
                "rex_courriel",
                "destinataire sujet texte html created_at envoye_le tentatives derniere_erreur demande_id "
                "modele contexte",
                # Sent long ago: rendered then, their template and context no longer kept.
                ((*ligne, 1, "", d.id, "", "{}") for d, ligne in self.courriels()),
            ),
            (
                "rex_demandegroupepermission",
                "content_object_id group_id permission_id",
                self.lignes_permissions(groupes),
            ),
            ("rex_compteur", "annee dernier", sorted(self.compteurs.items())),
        )
        with connection.cursor() as cursor:
            for table, colonnes, rows in tables:
                colonnes = colonnes.split() if isinstance(colonnes, str) else colonnes
                lignes[table] = copier(cursor.cursor, table, colonnes, rows)
            for table in ("accounts_entreprise", "accounts_user", "auth_group", "rex_demande"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                )
        return lignes

    def courriels(self):
        for d in self.demandes:
            if d.numero:
                destinataire = f"export@{ascii_minuscule(d.titulaire.raison_sociale)[:30]}.example"
                sujet = f"SOPRANO/REX : votre demande {d.numero} a bien été déposée"
                envoye = d.soumise_le + timedelta(seconds=30)
                texte = "Votre demande a été transmise au service des douanes."
                yield d, (destinataire, sujet, texte, "", d.soumise_le, envoye)


COLONNES_DEMANDE = (
    "id",
    "numero",
    "statut",
    "titulaire_eori",
    "titulaire_raison_sociale",
    "titulaire_adresse",
    "telephone",
    "courriel",
    "activite",
    "representant_telephone",
    "representant_courriel",
    "engagement",
    "engagement_nom",
    "engagement_fonction",
    "engagement_lieu",
    "consentement_publication",
    "depot_papier",
    "created_at",
    "updated_at",
    "soumise_le",
    "bureau_id",
    "created_by_id",
    "representant_id",
    "service_id",
    "titulaire_id",
    "agent_id",
    "complete_le",
    "date_enregistrement",
    "date_limite",
    "date_validite",
    "motif_rejet",
    "numero_rex",
    "rejetee_le",
    "revoquee_le",
    "version",
    "version_precedente_id",
    "droit_entendu_le",
    "motif_revocation",
)


def copier(cursor, table: str, colonnes: list[str], lignes) -> int:
    """COPY rows into a table through psycopg; returns how many."""
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(colonnes)}) FROM STDIN") as copie:
        for ligne in lignes:
            copie.write_row(ligne)
            n += 1
    return n


def semer(demandes: int) -> dict[str, int]:
    """Seeds `demandes` requests (and everything around them) in one transaction; rows per table."""
    generateur = Generateur(demandes)
    generateur.lire_references()
    generateur.creer_parties()
    generateur.creer_demandes()
    with transaction.atomic():
        return generateur.ecrire()
