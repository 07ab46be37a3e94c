"""Who reaches what: every named URL of the project × every kind of user × GET and POST.

The table (MATRICE) is written by hand from the rules, not read back from the views:

- the portal check (accounts.access): not logged in → the login page; an officer on an operator page →
  the back-office; an account not certified → « Mon tableau de bord », which tells how to be certified
  (guide §2, FAQ); anyone but an officer on a back-office page → 404 (the back-office is not shown);
- then the method: a page only read answers 405 to a POST, an action 405 to a GET, for whoever passed
  the portal check, whatever the object (this tells nothing about the object);
- then the user-scoped selectors: another company's request, another service's request, is a 404 —
  never a 403, never a 200;
- then the rightful user: the holder operator (or the representative with mandate who filed), the
  officer of the service in charge on the back-office, the PAE staff for the export. His GET shows the
  page; his POST does what the guide says (a redirect after success) or shows the form back with its
  errors (then nothing changed); never a 5xx, a 403 or a 404.

Every refused request changes nothing: a fingerprint of the tables that matter (requests and their rows,
history, thread, documents, outbox, users, companies, permissions…) is taken of the world as built, which
is the state before every cell (each runs in a savepoint rolled back after it), and again after the cell;
no e-mail may be sent either. A POST carries the body the rightful user would send, so that a refusal is
a real one.

The Django admin is one generic rule over all its URLs (test_admin): anyone not staff is refused, a
staff account without the model's permission gets 403, the PAE administrator gets the page.

Adding a URL without its rows makes test_every_named_url_has_its_rows fail.

/healthz and /readyz are not in the URLconf: a middleware answers them before it (soprano/sante.py), the
same for anyone; tests/test_sante.py checks that every kind of user, signed in or not, gets that answer.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import pytest

from accounts.models import (
    BureauDouane,
    CalendrierEcheances,
    DemandeHabilitation,
    Departement,
    Entreprise,
    Mandat,
    User,
)
from accounts.services import generer_calendrier
from accounts.tokens import creer_jeton_activation
from api.models import JetonApi, ReponseIdempotente
from api.services import creer_jeton
from rex import services
from rex.models import (
    Compteur,
    Contact,
    Courriel,
    CourrielEnEchec,
    Demande,
    DemandeGroupePermission,
    DemandeUtilisateurPermission,
    Document,
    Evenement,
    FiltreEnregistre,
    LigneMarchandise,
    Message,
    RelanceEcheance,
)
from tests.factories import (
    BureauDouaneFactory,
    DemandeFactory,
    DepartementFactory,
    EntrepriseFactory,
    MandatFactory,
    UserFactory,
    demande_representee,
)
from webhooks import services as services_webhooks
from webhooks.models import Endpoint, Livraison, Tentative

# About 25 s of CPU, but a minute or more of wall time on a loaded machine (some 2,500 requests).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


# ------------------------------------------------------------------ the outcomes
@dataclass(frozen=True)
class Attendu:
    statut: int
    vers: str = ""  # the URL name a redirect leads to
    connexion: bool = False  # a redirect to the login page, with ?next= the URL asked
    change: bool = False  # the database changes (only where the rules let this user act)


def fait(vers: str) -> Attendu:
    """Done: a redirect to `vers`, and the database changed."""
    return Attendu(302, vers, change=True)


OK = Attendu(200)
LOGIN = Attendu(302, "accounts:login", connexion=True)  # not logged in
DASH = Attendu(302, "accounts:dashboard")  # not certified: « Mon tableau de bord » tells how to get it
BACK = Attendu(302, "agent:file")  # an officer on an operator page: to his back-office
N404 = Attendu(404)  # not shown: another's request, or the back-office to a non-officer
N405 = Attendu(405)  # the wrong method, for whoever passed the portal check
E422 = Attendu(422)  # the form back with its errors, nothing saved
N401 = Attendu(401)  # the API without a token: a session is not enough
CREE = Attendu(200, change=True)  # created, and shown on the same page (an API token, shown once)


# ------------------------------------------------------------------ the table
# Columns, in this order:
ROLES = (
    "anonyme",  # not logged in
    "non_certifie",  # an activated account, not certified by the PAE
    "autre_operateur",  # certified and habilitated, of another company
    "representant_sans_mandat",  # a customs representative without mandate for the holder
    "agent_autre_service",  # an officer of another customs service
    "ayant_droit",  # the rightful user of the URL: see Ligne.ayant_droit
    "staff",  # the PAE administrator (is_staff, is_superuser), with no company nor service
)


@dataclass(frozen=True)
class Ligne:
    GET: tuple[Attendu, ...]
    POST: tuple[Attendu, ...]
    objet: str = ""  # the fixture the URL's arguments come from (Monde.kwargs)
    # Who the rightful user is: "titulaire" (the holder operator of `objet`), "representant" (the
    # representative with mandate who filed `objet`), "agent" (an officer of the service in charge),
    # "operateur" (any habilitated operator), "certifie" (certified, not yet habilitated), "pae" (PAE
    # staff), "visiteur" (not logged in: sign-up, login, the links of the e-mails).
    ayant_droit: str = "operateur"
    data: dict = field(default_factory=dict)  # the POST body, the same for every role


def _formulaire_vide() -> dict:
    """« Reprendre plus tard » on an emptied form: a valid save of a draft (rubriques may be blank)."""
    data = {"action": "reprendre"}
    for prefix in ("contacts", "marchandises"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


AUJOURD_HUI = datetime.date.today()
TOUS = len(ROLES)  # the same outcome for every role

# Each tuple: (anonyme, non_certifie, autre_operateur, representant_sans_mandat, agent_autre_service,
#              ayant_droit, staff)
MATRICE: dict[str, Ligne] = {
    # ---- accounts: public pages, sign-up, login, password (guide §3.2)
    # Pages that only show something refuse any POST (405): every POST goes through a form.
    "accounts:home": Ligne(GET=(OK,) * TOUS, POST=(N405,) * TOUS),
    "accounts:signup": Ligne(
        ayant_droit="visiteur",
        GET=(OK, DASH, DASH, DASH, DASH, OK, DASH),
        POST=(fait("accounts:signup_done"), DASH, DASH, DASH, DASH, fait("accounts:signup_done"), DASH),
        data={
            "username": "nouvelexportateur",
            "first_name": "Jeanne",
            "last_name": "Martin",
            "email": "jeanne.martin@exemple.fr",
            "password1": "Motdepasse1!",
            "password2": "Motdepasse1!",
        },
    ),
    "accounts:signup_done": Ligne(ayant_droit="visiteur", GET=(OK,) * TOUS, POST=(N405,) * TOUS),
    # The e-mailed link activates the account it names, whoever follows it; POST sends a new link.
    "accounts:activate": Ligne(
        objet="activation",
        ayant_droit="visiteur",
        GET=(fait("accounts:login"),) * TOUS,
        POST=(fait("accounts:login"),) * TOUS,
        data={"email": "inactif@exemple.fr"},
    ),
    # Already logged in: to « Mon tableau de bord », an officer to his back-office.
    "accounts:login": Ligne(
        ayant_droit="visiteur",
        GET=(OK, DASH, DASH, DASH, BACK, OK, DASH),
        POST=(OK, DASH, DASH, DASH, BACK, OK, DASH),
    ),
    "accounts:logout": Ligne(GET=(N405,) * TOUS, POST=(Attendu(302, "accounts:home"),) * TOUS),
    "accounts:password_reset": Ligne(
        ayant_droit="visiteur",
        GET=(OK,) * TOUS,
        POST=(fait("accounts:password_reset_done"),) * TOUS,
        data={"email": "oublieux@exemple.fr"},
    ),
    "accounts:password_reset_done": Ligne(ayant_droit="visiteur", GET=(OK,) * TOUS, POST=(N405,) * TOUS),
    # A valid link is put in the session and the browser sent to the « set-password » form.
    "accounts:password_reset_confirm": Ligne(
        objet="reinitialisation",
        ayant_droit="visiteur",
        GET=(Attendu(302, "accounts:password_reset_confirm"),) * TOUS,
        POST=(Attendu(302, "accounts:password_reset_confirm"),) * TOUS,
    ),
    "accounts:password_reset_complete": Ligne(ayant_droit="visiteur", GET=(OK,) * TOUS, POST=(N405,) * TOUS),
    # ---- accounts: « Mon tableau de bord », services, habilitation, SOPRANO home (guide §3.3, §3.4)
    "accounts:dashboard": Ligne(
        GET=(LOGIN, OK, OK, OK, BACK, OK, OK),
        POST=(LOGIN, N405, N405, N405, BACK, N405, N405),
    ),
    "accounts:services": Ligne(
        GET=(OK, OK, OK, OK, BACK, OK, OK),
        POST=(N405,) * TOUS,
    ),
    # Only a certified account not yet habilitated may ask; the others are told so on their dashboard.
    # POST only, checked before the login (the order of the view's decorators): harmless.
    "accounts:demander_habilitation": Ligne(
        ayant_droit="certifie",
        GET=(N405,) * TOUS,
        POST=(LOGIN, DASH, DASH, DASH, BACK, fait("accounts:services"), DASH),
        data={"departement": "departement"},
    ),
    "accounts:soprano_home": Ligne(
        GET=(LOGIN, OK, OK, OK, BACK, OK, OK),
        POST=(LOGIN, N405, N405, N405, BACK, N405, N405),
    ),
    # ---- rex: the operator portal (guide §3.5 to §7)
    "rex:accueil": Ligne(
        GET=(LOGIN, DASH, OK, OK, BACK, OK, DASH),
        POST=(LOGIN, DASH, N405, N405, BACK, N405, DASH),
    ),
    # « Mes clients » and its CSV (issue 13): a customs representative's own clients (none for the one
    # without mandate); any other operator is not shown the page (404).
    **{
        nom: Ligne(
            ayant_droit="representant",
            GET=(LOGIN, DASH, N404, OK, BACK, OK, DASH),
            POST=(LOGIN, DASH, N405, N405, BACK, N405, DASH),
        )
        for nom in ("rex:clients", "rex:clients_csv")
    },
    # Any habilitated operator files; a representative for a client under mandate only (« Raison
    # sociale »). « Reprendre plus tard » saves the draft. Another operator has no « Raison sociale ».
    "rex:deposer": Ligne(
        ayant_droit="representant",
        GET=(LOGIN, DASH, OK, OK, BACK, OK, DASH),
        POST=(LOGIN, DASH, fait("rex:accueil"), E422, BACK, fait("rex:accueil"), DASH),
        data={**_formulaire_vide(), "titulaire": "client"},
    ),
    "rex:detail": Ligne(
        objet="deposee",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N405, N405, BACK, N405, DASH),
    ),
    # The pages of the request form are also the officers' (paper forms, guide §5 « À noter »): an
    # officer passes the portal check and finds only his service's paper drafts.
    "rex:formulaire": Ligne(
        objet="brouillon",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, N404, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, N404, fait("rex:accueil"), DASH),
        data=_formulaire_vide(),
    ),
    "rex:documents": Ligne(
        objet="brouillon",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, N404, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, N404, E422, DASH),  # no file chosen
        data={"nom": "Statuts"},
    ),
    "rex:document": Ligne(
        objet="brouillon",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, N404, OK, DASH),
        POST=(LOGIN, DASH, N405, N405, N405, N405, DASH),
    ),
    "rex:supprimer_document": Ligne(
        objet="brouillon",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N405, N405, N405, N405, DASH),
        POST=(LOGIN, DASH, N404, N404, N404, fait("rex:documents"), DASH),
    ),
    "rex:recapitulatif": Ligne(
        objet="brouillon",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, N404, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, N404, fait("rex:confirmation"), DASH),  # « Soumettre ma demande »
    ),
    "rex:abandonner": Ligne(
        objet="deposee",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, N404, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, N404, fait("rex:accueil"), DASH),
        data={"commentaire": "Nous n'exportons plus."},
    ),
    "rex:completer": Ligne(
        objet="incomplete",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N405, N405, BACK, N405, DASH),
    ),
    # Also the service's, for a paper filing completed on paper (guide §5): another service finds nothing.
    "rex:complement": Ligne(
        objet="incomplete",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, N404, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, N404, fait("rex:detail"), DASH),  # « Transmettre le complément »
        data={"complements": "Les statuts sont joints."},
    ),
    # Guide §6.3: a representative duplicates the requests he filed, for another client.
    "rex:dupliquer": Ligne(
        objet="representee",
        ayant_droit="representant",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, BACK, fait("rex:formulaire"), DASH),
    ),
    "rex:demander_modification": Ligne(
        objet="octroyee",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, BACK, fait("rex:modification"), DASH),
    ),
    "rex:modification": Ligne(
        objet="modification",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, BACK, fait("rex:accueil"), DASH),
        data=_formulaire_vide(),
    ),
    "rex:recapitulatif_modification": Ligne(
        objet="modification",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N404, N404, BACK, fait("rex:accueil"), DASH),
        data={"commentaire": "Un nouveau contact export."},
    ),
    "rex:ecrire": Ligne(
        objet="deposee",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N405, N405, BACK, N405, DASH),
        POST=(LOGIN, DASH, N404, N404, BACK, fait("rex:detail"), DASH),
        data={"texte": "Bonjour, où en est notre demande ?"},
    ),
    "rex:imprimer": Ligne(
        objet="octroyee",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N405, N405, BACK, N405, DASH),
    ),
    # An officer is sent back to his back-office (the request page when it is his service's).
    "rex:confirmation": Ligne(
        objet="deposee",
        ayant_droit="titulaire",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N405, N405, N405, N405, DASH),
    ),
    # htmx: one empty row of the form (no request involved).
    "rex:ligne": Ligne(
        objet="ligne",
        GET=(LOGIN, DASH, OK, OK, OK, OK, DASH),
        POST=(LOGIN, DASH, N405, N405, N405, N405, DASH),
    ),
    # Public reference data behind a login. Here the method is checked before the login (the order of the
    # view's decorators): harmless, a 405 tells nothing.
    "rex:nomenclature": Ligne(GET=(LOGIN, OK, OK, OK, OK, OK, OK), POST=(N405,) * TOUS),
    # ---- webhooks: « Notifications techniques », a company's addresses (any habilitated operator, for
    # his own company; another company's address is a 404).
    "webhooks:liste": Ligne(
        GET=(LOGIN, DASH, OK, OK, BACK, OK, DASH),
        POST=(
            LOGIN,
            DASH,
            fait("webhooks:detail"),
            fait("webhooks:detail"),
            BACK,
            fait("webhooks:detail"),
            DASH,
        ),
        data={"url": "https://erp.exemple.fr/soprano", "statut_modifie": "on", "message_recu": "on"},
    ),
    "webhooks:detail": Ligne(
        objet="endpoint",
        GET=(LOGIN, DASH, N404, N404, BACK, OK, DASH),
        POST=(LOGIN, DASH, N405, N405, BACK, N405, DASH),
    ),
    "webhooks:action": Ligne(
        objet="endpoint",
        GET=(LOGIN, DASH, N405, N405, BACK, N405, DASH),
        POST=(LOGIN, DASH, N404, N404, BACK, fait("webhooks:detail"), DASH),
        data={"action": "desactiver"},
    ),
    # ---- agent: the customs officers' back-office (guide §6, §7)
    "agent:file": Ligne(
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, OK, OK, N404),
        POST=(LOGIN, N404, N404, N404, N405, N405, N404),
    ),
    # The exports of the queue: each officer his own service's queue.
    **{
        f"agent:{nom}": Ligne(
            ayant_droit="agent",
            GET=(LOGIN, N404, N404, N404, OK, OK, N404),
            POST=(LOGIN, N404, N404, N404, N405, N405, N404),
        )
        for nom in ("export_csv", "export_xlsx")
    },
    # Bulk actions on the ticked requests: another service's request is refused as « introuvable », in
    # the summary, and nothing changes.
    "agent:actions_groupees": Ligne(
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, BACK, fait("agent:file"), N404),
        data={"demandes": "deposee", "action": "prendre_en_charge"},
    ),
    # « Mes filtres »: any officer saves his own; another officer's is a 404.
    "agent:enregistrer_filtre": Ligne(
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, fait("agent:file"), fait("agent:file"), N404),
        data={"nom": "Mes incomplètes", "statut": "incomplete"},
    ),
    "agent:supprimer_filtre": Ligne(
        objet="filtre",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:file"), N404),
    ),
    "agent:historique": Ligne(
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, OK, OK, N404),
        POST=(LOGIN, N404, N404, N404, N405, N405, N404),
    ),
    # Every officer reads his own service's dashboard (a staff officer may choose another one).
    "agent:tableau_de_bord": Ligne(
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, OK, OK, N404),
        POST=(LOGIN, N404, N404, N404, N405, N405, N404),
    ),
    # Any officer keys in a paper form for his own service.
    "agent:deposer_papier": Ligne(
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, OK, OK, N404),
        POST=(LOGIN, N404, N404, N404, fait("rex:formulaire"), fait("rex:formulaire"), N404),
        data={"eori": "papier", "attestation": "on"},
    ),
    "agent:detail": Ligne(
        objet="deposee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N404, OK, N404),
        POST=(LOGIN, N404, N404, N404, N405, N405, N404),
    ),
    "agent:prendre_en_charge": Ligne(
        objet="deposee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:detail"), N404),
    ),
    "agent:reaffecter": Ligne(
        objet="deposee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:file"), N404),
        data={"service": "autre_service", "commentaire": "Compétence territoriale."},
    ),
    "agent:demander_complement": Ligne(
        objet="deposee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:detail"), N404),
        data={"texte": "Joignez les statuts."},
    ),
    "agent:rejeter": Ligne(
        objet="deposee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:detail"), N404),
        data={"motif": "Le cadre indiqué n'utilise pas le système REX."},
    ),
    "agent:octroyer": Ligne(
        objet="deposee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:detail"), N404),
        data={"confirmation": "on"},
    ),
    "agent:revoquer": Ligne(
        objet="octroyee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:detail"), N404),
        data={
            "motif": "89-3-a",
            "droit_entendu_le": (AUJOURD_HUI - datetime.timedelta(days=20)).isoformat(),
            "a_compter_du": AUJOURD_HUI.isoformat(),
            "confirmation": "on",
        },
    ),
    "agent:valider_modification": Ligne(
        objet="modification_en_etude",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:detail"), N404),
        data={"confirmation": "on"},
    ),
    "agent:annuler_revocation": Ligne(
        objet="revoquee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:detail"), N404),
        data={"commentaire": "Le titulaire a présenté ses observations."},
    ),
    "agent:ecrire": Ligne(
        objet="deposee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N405, N405, N404),
        POST=(LOGIN, N404, N404, N404, N404, fait("agent:detail"), N404),
        data={"texte": "Votre demande est à l'étude."},
    ),
    "agent:imprimer": Ligne(
        objet="octroyee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N404, OK, N404),
        POST=(LOGIN, N404, N404, N404, N405, N405, N404),
    ),
    "agent:document": Ligne(
        objet="deposee",
        ayant_droit="agent",
        GET=(LOGIN, N404, N404, N404, N404, OK, N404),
        POST=(LOGIN, N404, N404, N404, N405, N405, N404),
    ),
    # ---- public: the check of a REX number; the export for the EU database (PAE staff only)
    "public:verifier": Ligne(ayant_droit="visiteur", GET=(OK,) * TOUS, POST=(N405,) * TOUS),
    # ---- pages: the footer's information pages, for everyone
    **{
        f"pages:{nom}": Ligne(ayant_droit="visiteur", GET=(OK,) * TOUS, POST=(N405,) * TOUS)
        for nom in ("accessibilite", "mentions_legales", "donnees_personnelles", "cookies", "plan_du_site")
    },
    "public:export_json": Ligne(
        ayant_droit="pae",
        GET=(LOGIN, N404, N404, N404, N404, OK, OK),
        POST=(LOGIN, N405, N405, N405, N405, N405, N405),
    ),
    "public:export_csv": Ligne(
        ayant_droit="pae",
        GET=(LOGIN, N404, N404, N404, N404, OK, OK),
        POST=(LOGIN, N405, N405, N405, N405, N405, N405),
    ),
    # ---- « Calendrier des échéances » (issue 13): the page (re)generates the secret address and shows
    # it on the answer to its POST, once; the feed answers whoever holds the address (no login: calendar
    # software cannot sign in), to a GET only. A wrong or replaced secret is a 404
    # (tests/rex/test_calendrier.py).
    "accounts:calendrier": Ligne(
        GET=(LOGIN, DASH, OK, OK, OK, OK, DASH),
        POST=(LOGIN, DASH, CREE, CREE, CREE, CREE, DASH),
    ),
    "public:calendrier": Ligne(
        objet="calendrier", ayant_droit="visiteur", GET=(OK,) * TOUS, POST=(N405,) * TOUS
    ),
    # ---- jetons: « Jetons d'accès » (issue 12), for habilitated operators and for officers. The POST
    # creates a token and shows it on its answer, once (never stored, nor put in the session).
    "jetons:liste": Ligne(
        GET=(LOGIN, DASH, OK, OK, OK, OK, DASH),
        POST=(LOGIN, DASH, CREE, CREE, CREE, CREE, DASH),
        data={"nom": "ERP", "portee": "lecture", "jours": "30"},
    ),
    # Another user's token is a 404; the rightful user revokes his own.
    "jetons:revoquer": Ligne(
        objet="jeton",
        GET=(LOGIN, DASH, N405, N405, N405, N405, DASH),
        POST=(LOGIN, DASH, N404, N404, N404, fait("jetons:liste"), DASH),
    ),
    # ---- api: the REST API authenticates by token only (tests/api/test_matrice_api.py has its matrix by
    # token): a browser's session, whoever it is, gets a 401 problem, and the API changes nothing.
    # The schema and its documentation page are public.
    "api:schema": Ligne(ayant_droit="visiteur", GET=(OK,) * TOUS, POST=(N405,) * TOUS),
    "api:docs": Ligne(ayant_droit="visiteur", GET=(OK,) * TOUS, POST=(N405,) * TOUS),
    **{
        f"api:{nom}": Ligne(objet=objet, GET=(N401,) * TOUS, POST=(N401,) * TOUS)
        for nom, objet in (
            ("moi", ""),
            ("demandes", ""),
            ("demande", "deposee"),
            ("messages", "deposee"),
            ("document", "deposee"),
            ("autorisation", "octroyee"),
            ("nomenclature", ""),
            ("agent_file", ""),
            ("agent_demande", "deposee"),
            ("agent_document", "deposee"),
            ("agent_autorisation", "octroyee"),
        )
    },
}


# ------------------------------------------------------------------ the URLconf
@dataclass(frozen=True)
class Route:
    nom: str  # "namespace:name", or "namespace:None" when unnamed
    parametres: tuple[str, ...]


def routes(patterns=None, namespace: str = "", parametres: tuple[str, ...] = ()) -> list[Route]:
    """Every URL pattern of the project, with its namespaced name and the arguments of its path."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        own = tuple(pattern.pattern.converters) or tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            found += routes(pattern.url_patterns, inner, parametres + own)
        elif isinstance(pattern, URLPattern):
            nom = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            found.append(Route(nom, parametres + own))
    return found


ROUTES = routes()
ADMIN = [r for r in ROUTES if r.nom.startswith("admin:") and not r.nom.endswith(":None")]
CELLULES = [(nom, role, methode) for nom in MATRICE for role in ROLES for methode in ("GET", "POST")]


def test_every_named_url_has_its_rows():
    """A URL added without its rows in MATRICE (or removed with them left behind) fails here."""
    projet = {r.nom for r in ROUTES if not r.nom.startswith("admin:")}
    assert {n for n in projet if n.endswith(":None") or ":" not in n} == set(), "a namespaced name for all"
    assert projet == set(MATRICE)


@pytest.mark.parametrize("nom", MATRICE)
def test_every_row_has_one_outcome_per_role_and_method(nom):
    ligne = MATRICE[nom]
    assert len(ligne.GET) == len(ligne.POST) == len(ROLES)
    # The rightful user is never refused: no 403, no 404, no error.
    droit = ROLES.index("ayant_droit")
    assert ligne.GET[droit].statut not in (403, 404) and ligne.POST[droit].statut not in (403, 404)
    # A GET never changes anything, except following the e-mailed activation link.
    assert not any(a.change for a in ligne.GET) or nom == "accounts:activate"


# ------------------------------------------------------------------ the world the cells act upon
def _document(demande: Demande) -> Document:
    return Document.objects.create(
        demande=demande,
        nom="Statuts",
        fichier=ContentFile(b"%PDF-1.4 test", name="statuts.pdf"),
        nom_original="statuts.pdf",
        type_mime="application/pdf",
        taille=13,
        ajoute_par=demande.created_by,
    )


# One row of each registered model, for the URLs that name one (most tables have some already).
OBJETS_ADMIN = {
    "axes.AccessAttempt": {
        "user_agent": "test",
        "http_accept": "*/*",
        "path_info": "/",
        "get_data": "",
        "post_data": "",
        "failures_since_start": 1,
    },
    "axes.AccessLog": {"user_agent": "test", "http_accept": "*/*", "path_info": "/"},
    "axes.AccessFailureLog": {"user_agent": "test", "http_accept": "*/*", "path_info": "/"},
    "django_celery_beat.ClockedSchedule": {
        "clocked_time": datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    },
    "django_celery_beat.SolarSchedule": {"event": "sunrise", "latitude": 45.76, "longitude": 4.83},
    "django_celery_beat.IntervalSchedule": {"every": 1, "period": "days"},
}


class Monde:
    """One request in each state a URL needs, its rightful users and the users of every role.

    Built once for the module; each cell runs in a savepoint rolled back after it.
    """

    def __init__(self):
        self.service = BureauDouaneFactory(nom="Bureau de Lyon")
        self.autre_service = BureauDouaneFactory(nom="Bureau de Marseille")
        self.agent = UserFactory(service=self.service, first_name="Paul", last_name="Agent")
        self.roles = {
            "anonyme": None,
            "non_certifie": UserFactory(),
            "autre_operateur": UserFactory(habilite=True),
            "representant_sans_mandat": UserFactory(representant=True),
            "agent_autre_service": UserFactory(service=self.autre_service),
            "staff": UserFactory(is_staff=True, is_superuser=True),
        }
        self.operateur = UserFactory(habilite=True)
        self.certifie = UserFactory(certifie=True)
        self.pae = UserFactory(is_staff=True)
        self.departement = DepartementFactory()
        # Accounts reached only through the links of their e-mails (never logged in here).
        inactif = UserFactory(email="inactif@exemple.fr", is_active=False)
        oublieux = UserFactory(email="oublieux@exemple.fr")
        self.activation = {"token": creer_jeton_activation(user_id=inactif.pk)}
        self.reinitialisation = {
            "uidb64": urlsafe_base64_encode(force_bytes(oublieux.pk)),
            "token": default_token_generator.make_token(oublieux),
        }
        self.papier = EntrepriseFactory()  # a company with no request: an officer may file for it
        self.jeton = {"pk": creer_jeton(user=self.operateur, nom="ERP")[0].pk}  # « Jetons d'accès »
        self.calendrier = {"secret": generer_calendrier(user=self.operateur)}  # « Calendrier des échéances »
        self.ligne = {"prefixe": "contacts"}
        self.filtre = {
            "pk": FiltreEnregistre.objects.create(user=self.agent, nom="Dupont", parametres="q=dupont").pk
        }

        # One holder (company) per request: an EORI holds one active request at most (guide §5.1).
        self.demandes = {
            "brouillon": DemandeFactory(complete=True, bureau=self.service),
            "deposee": self._deposer(),
            "incomplete": services.demander_complement(demande=self._deposer(), by=self.agent, texte="?"),
            "octroyee": self._octroyer(),
            "revoquee": services.revoquer(
                demande=self._octroyer(),
                by=self.agent,
                motif="89-3-c",
                a_compter_du=AUJOURD_HUI,
                droit_entendu_le=AUJOURD_HUI - datetime.timedelta(days=20),
            ),
        }
        self.titulaires = {nom: d.created_by for nom, d in self.demandes.items()}
        self.documents = {nom: _document(self.demandes[nom]) for nom in ("brouillon", "deposee")}
        # A modification being prepared, and one being instructed (guide §7.2).
        for nom in ("modification", "modification_en_etude"):
            enregistrement = self._octroyer()
            modification = services.preparer_modification(
                enregistrement=enregistrement, by=enregistrement.created_by
            )
            # What the holder asks to change: the courriel of rubrique 2.
            Demande.objects.filter(pk=modification.pk).update(courriel="export.nouveau@exemple.fr")
            if nom == "modification_en_etude":
                modification = services.soumettre_modification(
                    modification=modification, by=enregistrement.created_by, commentaire="Contact."
                )
            self.demandes[nom] = modification
            self.titulaires[nom] = enregistrement.created_by
        # A request filed by a customs representative for his client under mandate.
        self.representant = UserFactory(representant=True)
        self.client = MandatFactory(representant=self.representant.entreprise).represente
        self.demandes["representee"] = services.soumettre(
            demande=demande_representee(self.representant, self.client, bureau=self.service),
            by=self.representant,
        )
        self.titulaires["representee"] = UserFactory(habilite=True, entreprise=self.client)
        # An address of « Notifications techniques » of the operator's company, with a ping waiting.
        endpoint = services_webhooks.creer(
            by=self.operateur, url="https://erp.exemple.fr/", statut_modifie=True, message_recu=True
        )
        services_webhooks.tester(endpoint=endpoint, by=self.operateur)
        self.endpoint = {"pk": endpoint.pk}
        self.admin_kwargs = self._objets_admin()
        # A session for each user, opened once: logging in again for every cell would cost most of it.
        utilisateurs = [*self.roles.values(), *self.titulaires.values()]
        utilisateurs += [self.agent, self.representant, self.operateur, self.certifie, self.pae]
        client, self.sessions = Client(), {}
        for user in filter(None, utilisateurs):
            client.force_login(user)
            self.sessions[user.pk] = client.cookies.pop(settings.SESSION_COOKIE_NAME).value
        # Sessions kept in a cache do not outlive the cache clear of each cell: then log in each time.
        vider_caches()
        self.sessions_durables = SessionStore().exists(self.sessions[self.agent.pk])
        # The state before every cell: each cell runs in a savepoint rolled back after it.
        self.empreinte = empreinte()

    def _objets_admin(self) -> dict[str, dict]:
        """{admin URL name: its kwargs}, naming an existing object (created when its table is empty)."""
        kwargs = {
            "admin:app_list": {"app_label": "rex"},
            "admin:view_on_site": {
                "content_type_id": ContentType.objects.get_for_model(Demande).pk,
                "object_id": self.demandes["deposee"].pk,
            },
        }
        for model, model_admin in admin.site._registry.items():
            objet = model.objects.order_by("pk").first()
            if model is CourrielEnEchec:
                # Its admin lists only the e-mails the mail server refused.
                objet = CourrielEnEchec.objects.create(
                    destinataire="inconnu@exemple.fr", sujet="Refusé", texte="…", tentatives=3
                )
            elif objet is None and model is RelanceEcheance:
                objet = RelanceEcheance.objects.create(
                    demande=self.demandes["deposee"],
                    date_limite=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
                    palier=3,
                )
            elif objet is None and model is DemandeHabilitation:
                objet = DemandeHabilitation.objects.create(
                    user=UserFactory(certifie=True), departement=self.departement
                )
            elif objet is None:
                objet = model.objects.create(**OBJETS_ADMIN.get(model._meta.label, {}))
            for pattern in model_admin.urls:
                if pattern.name:
                    kwargs[f"admin:{pattern.name}"] = {"object_id": objet.pk, "id": objet.pk}
        return kwargs

    def _deposer(self) -> Demande:
        demande = DemandeFactory(complete=True, bureau=self.service)
        return services.soumettre(demande=demande, by=demande.created_by)

    def _octroyer(self) -> Demande:
        return services.octroyer(demande=self._deposer(), by=self.agent)

    def utilisateur(self, role: str, ligne: Ligne) -> User | None:
        if role != "ayant_droit":
            return self.roles[role]
        return {
            "titulaire": self.titulaires.get(ligne.objet),
            "representant": self.representant,
            "agent": self.agent,
            "operateur": self.operateur,
            "certifie": self.certifie,
            "pae": self.pae,
            "visiteur": None,
        }[ligne.ayant_droit]

    def kwargs(self, route: Route, ligne: Ligne) -> dict:
        """The URL's arguments: a request (and its document), a prefix, the tokens of an e-mail."""
        if ligne.objet in self.demandes:
            valeurs = {"pk": self.demandes[ligne.objet].pk}
            if ligne.objet in self.documents:
                valeurs["document_pk"] = self.documents[ligne.objet].pk
        else:
            valeurs = getattr(self, ligne.objet) if ligne.objet else {}
        return {nom: valeurs[nom] for nom in route.parametres}

    def data(self, ligne: Ligne) -> dict:
        """The POST body; a few values name objects of this world."""
        references = {
            "departement": self.departement.pk,
            "autre_service": self.autre_service.pk,
            "papier": self.papier.eori,
            "client": self.client.pk,
            "deposee": self.demandes["deposee"].pk,
        }
        return {cle: references.get(valeur, valeur) for cle, valeur in ligne.data.items()}


@pytest.fixture(scope="module")
def monde(django_db_setup, django_db_blocker):
    """Built once, in a transaction rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield Monde()
        transaction.set_rollback(True)


# ------------------------------------------------------------------ what a cell changes
TABLES = (
    Demande,
    Demande.cadres.through,
    Contact,
    LigneMarchandise,
    Document,
    Evenement,
    Message,
    Courriel,
    Compteur,
    DemandeGroupePermission,
    DemandeUtilisateurPermission,
    User,
    User.groups.through,
    Group,
    Entreprise,
    Mandat,
    DemandeHabilitation,
    Departement,
    BureauDouane,
    LogEntry,
    Endpoint,
    Livraison,
    Tentative,
    JetonApi,
    ReponseIdempotente,
    CalendrierEcheances,
    FiltreEnregistre,
    RelanceEcheance,
)


def empreinte() -> dict[str, tuple[int, str]]:
    """Row count and hash of the rows of each table a request could change.

    One query on PostgreSQL (it runs after every cell); table by table elsewhere.
    """
    if connection.vendor == "postgresql":
        sql = " UNION ALL ".join(
            f"SELECT %s, count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f"FROM {connection.ops.quote_name(model._meta.db_table)} t"
            for model in TABLES
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [model._meta.label for model in TABLES])
            return {table: (count, digest) for table, count, digest in cursor.fetchall()}
    result = {}
    for model in TABLES:
        rows = sorted(map(repr, model.objects.values_list()))
        result[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def differences(avant: dict, apres: dict) -> list[str]:
    return [
        f"{table} {avant[table][0]}→{apres[table][0]} rows" for table in avant if avant[table] != apres[table]
    ]


def vider_caches() -> None:
    """A cache-based rate limit (sign-up, login, password reset…) must not leak from one cell to the next."""
    for cache in caches.all():
        cache.clear()


SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


# ------------------------------------------------------------------ one cell
@pytest.fixture(scope="module")
def navigateur():
    """One test client for the module: a new one loads the middleware again (WhiteNoise indexes every
    static file, most of a second)."""
    return Client()


def requete(monde: Monde, client: Client, user: User | None, methode: str, url: str, data=None):
    """One cell: a fresh cache, the user's session, the request; returns the response and what changed
    (tables and e-mails sent) from the world as built."""
    vider_caches()
    mail.outbox = []
    client.cookies.clear()
    if user is not None and monde.sessions_durables:
        client.cookies[settings.SESSION_COOKIE_NAME] = monde.sessions[user.pk]
    elif user is not None:
        client.force_login(user)
    response = client.get(url) if methode == "GET" else client.post(url, data or {})
    if response.streaming:
        # Read to the end: the test client then closes the file (and only then, safely for the savepoint).
        b"".join(response.streaming_content)
    changes = differences(monde.empreinte, empreinte())
    if mail.outbox:
        changes.append(f"{len(mail.outbox)} e-mail(s) sent")
    return response, changes


def verifier(response, attendu: Attendu, url: str, login: str = "accounts:login") -> list[str]:
    erreurs = []
    if response.status_code != attendu.statut:
        erreurs.append(f"status {response.status_code}, expected {attendu.statut}")
    elif attendu.statut == 302:
        location = urlparse(response["Location"])
        if attendu.connexion:
            if (location.path, parse_qs(location.query).get("next")) != (reverse(login), [url]):
                erreurs.append(f"redirect to {response['Location']}, expected the login page")
        elif resolve(location.path).view_name != attendu.vers:
            erreurs.append(f"redirect to {response['Location']}, expected {attendu.vers}")
    return erreurs


# ------------------------------------------------------------------ the matrix
@pytest.mark.parametrize(("nom", "role", "methode"), CELLULES)
def test_matrice(monde, navigateur, nom, role, methode):
    ligne = MATRICE[nom]
    attendu = getattr(ligne, methode)[ROLES.index(role)]
    route = next(r for r in ROUTES if r.nom == nom)
    url = reverse(nom, kwargs=monde.kwargs(route, ligne))
    user = monde.utilisateur(role, ligne)
    response, changes = requete(monde, navigateur, user, methode, url, monde.data(ligne))

    erreurs = verifier(response, attendu, url)
    if attendu.change and not changes:
        erreurs.append("nothing changed")
    if changes and not attendu.change:
        erreurs.append(f"the database changed: {', '.join(changes)}")
    assert not erreurs, f"{methode} {url} as {role}: {'; '.join(erreurs)}"


# ------------------------------------------------------------------ the Django admin: one rule for all
# The PAE administrator is the rightful user of every admin page; a staff account (the PAE staff of the
# export) holds no model permission. Anyone not staff is sent to the admin login page — its own log-out
# page sends him to the admin home, which does the same; the login form itself is shown to everyone.
ADMIN_LOGIN = Attendu(302, "admin:login", connexion=True)
N403 = Attendu(403)
HOME = Attendu(302, "accounts:home")  # LOGOUT_REDIRECT_URL

# The admin's own pages (not a model's), for staff without any permission, then for the administrator.
ADMIN_SITE: dict[str, tuple[tuple[Attendu, Attendu], tuple[Attendu, Attendu]]] = {
    # name: ((GET, POST) without permission, (GET, POST) administrator)
    "admin:index": ((OK, OK), (OK, OK)),  # without permission: a home with no model
    "admin:login": (
        (Attendu(302, "admin:index"), OK),
        (Attendu(302, "admin:index"), OK),
    ),  # POST: no credentials
    "admin:logout": ((N405, HOME), (N405, HOME)),  # POST only; it ends the session
    "admin:password_change": ((OK, OK), (OK, OK)),  # his own password; an empty form changes nothing
    "admin:password_change_done": ((OK, N405), (OK, N405)),
    "admin:autocomplete": ((N403, N405), (N403, N405)),  # no model named: refused
    "admin:jsi18n": ((OK, N405), (OK, N405)),
    "admin:view_on_site": ((N404, N404), (N404, N404)),  # a request has no public page
    "admin:app_list": ((N404, N404), (OK, OK)),  # no model of the app he may see
}
# Turned off for everyone, the administrator included: a request changes only through the services, the
# outbox and the login logs are written by the application, a habilitation request by its user.
ADMIN_DESACTIVE = {
    "admin:rex_demande_add",
    "admin:rex_demande_delete",
    "admin:rex_courriel_add",
    "admin:rex_courrielenechec_add",
    "admin:rex_courrielenechec_delete",
    "admin:axes_accessattempt_add",
    "admin:axes_accesslog_add",
    "admin:axes_accessfailurelog_add",
    "admin:accounts_demandehabilitation_add",
    "admin:webhooks_endpoint_add",
    "admin:webhooks_livraison_add",
    "admin:webhooks_livraison_delete",
    "admin:api_jetonapi_add",
    "admin:api_jetonapi_delete",
    "admin:accounts_calendrierecheances_add",
    "admin:rex_relanceecheance_add",
    "admin:rex_relanceecheance_delete",
}
# The administrator's POST (an empty body on every form of the admin) is left to the admin's own tests.
CELLULES_ADMIN = [
    (role, methode) for role in (*ROLES[:5], "staff_sans_permission") for methode in ("GET", "POST")
]
CELLULES_ADMIN.append(("staff", "GET"))


def attendu_admin(nom: str, role: str, methode: str) -> Attendu:
    """The rule over every admin URL."""
    if role in ROLES[:5]:  # not staff
        if nom == "admin:login":
            return OK
        return Attendu(302, "admin:index") if nom == "admin:logout" else ADMIN_LOGIN
    if nom in ADMIN_SITE:
        return ADMIN_SITE[nom][role == "staff"][methode == "POST"]
    if role == "staff_sans_permission" or nom in ADMIN_DESACTIVE:
        return N403  # every page of a model
    return OK


@pytest.mark.parametrize("route", ADMIN, ids=[r.nom for r in ADMIN])
def test_admin(monde, navigateur, route):
    valeurs = monde.admin_kwargs.get(route.nom, {})
    url = reverse(route.nom, kwargs={p: valeurs[p] for p in route.parametres})
    utilisateurs = {**monde.roles, "staff_sans_permission": monde.pae}
    erreurs = []
    for role, methode in CELLULES_ADMIN:
        with transaction.atomic():
            response, changes = requete(monde, navigateur, utilisateurs[role], methode, url)
            transaction.set_rollback(True)
        probleme = verifier(response, attendu_admin(route.nom, role, methode), url, login="admin:login")
        if changes:
            probleme.append(f"the database changed: {', '.join(changes)}")
        erreurs += [f"{methode} as {role}: {p}" for p in probleme]
    assert not erreurs, f"{url}: " + "; ".join(erreurs)


def test_admin_urls_without_a_name_refuse_anyone_not_staff_too(monde, navigateur):
    """The object shortcut (…/<pk>/ → its change page) and the admin's catch-all."""
    urls = [
        reverse("admin:rex_demande_changelist") + f"{monde.demandes['deposee'].pk}/",
        reverse("admin:index") + "inconnu/",
    ]
    for url in urls:
        for role in ROLES[:5]:
            with transaction.atomic():
                response, changes = requete(monde, navigateur, monde.roles[role], "GET", url)
                transaction.set_rollback(True)
            assert verifier(response, ADMIN_LOGIN, url, login="admin:login") == [], (url, role)
            assert changes == [], (url, role)


# ---- api: the writes (api.views_ecriture) authenticate by token only too (tests/api/test_matrice_ecriture.py
# has their matrix by token): a browser's session gets a 401 problem.
MATRICE.update(
    {
        f"api:{nom}": Ligne(objet=objet, GET=(N401,) * TOUS, POST=(N401,) * TOUS)
        for nom, objet in (
            ("documents", "deposee"),
            ("soumettre", "deposee"),
            ("complement", "deposee"),
            ("modification", "octroyee"),
            ("bureaux", ""),
            ("cadres", ""),
            ("clients", ""),
        )
    }
)
