"""Hostile input on every form endpoint of both portals and of the account pages (security issue, part 5).

Every URL of the URLconf (the PAE's Django admin aside) is either a POST endpoint of `CIBLES`, with a user
of the right role and a valid submission to start from, or a page of `GET_SEULEMENT`, checked to refuse a
POST (405): a new URL that is neither makes `test_every_url_has_a_hostile_input_strategy` fail.

Each example changes one to three values of the valid submission: a NUL, another control character or a
bidi override in a text; 100,000 characters; emoji, CJK, combining marks, astral characters; huge,
negative or non-numeric ids, choices, dates and formset counts; a missing field; unknown fields. The
answer is never a 5xx nor an English message; an invalid value is refused with a French error, on a page
of normal size, and leaves the database, the session and the outbox as they were; valid unicode may be
stored. Each example runs in a savepoint rolled back afterwards, so the state an endpoint needs (a
request « En étude », a draft …) survives the examples that succeed.
"""

import copy
import html
import io
import re
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import (
    BaseForm,
    BooleanField,
    CharField,
    ChoiceField,
    DateField,
    FileField,
    IntegerField,
    Textarea,
)
from django.forms.formsets import BaseFormSet
from django.forms.models import InlineForeignKeyField
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from accounts.forms import (
    DemandeHabilitationForm,
    LoginForm,
    PasswordResetForm,
    ResendActivationForm,
    SetPasswordForm,
    SignupForm,
)
from accounts.models import DemandeHabilitation, Entreprise, Mandat, User
from api.forms import JetonForm
from api.models import JetonApi
from api.services import creer_jeton
from rex import services, validation
from rex.forms import (
    BOUTONS_DEMANDE,
    BOUTONS_MODIFICATION,
    AbandonForm,
    BoutonForm,
    CommentaireModificationForm,
    ComplementForm,
    DocumentForm,
    MessageForm,
    ModificationForm,
)
from rex.forms_agent import (
    ActionsGroupeesForm,
    AnnulerRevocationForm,
    DemanderComplementForm,
    DepotPapierForm,
    EcrireForm,
    EnregistrerFiltreForm,
    OctroyerForm,
    PrendreEnChargeForm,
    ReaffecterForm,
    RejeterForm,
    RevoquerForm,
    ValiderModificationForm,
)
from rex.models import (
    Contact,
    Courriel,
    Demande,
    DemandeGroupePermission,
    DemandeUtilisateurPermission,
    Document,
    Evenement,
    FiltreEnregistre,
    LigneMarchandise,
    Message,
)
from tests.factories import (
    BureauDouaneFactory,
    CadrePreferentielFactory,
    DemandeFactory,
    DepartementFactory,
    EntrepriseFactory,
    PositionTarifaireFactory,
    UserFactory,
)
from webhooks import services as webhooks_services
from webhooks.forms import ActionForm, EndpointForm

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

REGLAGES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
TAILLE_MAX = 1_000_000  # bytes: a refused page stays of normal size (1001 rows once made 7.8 MB)
STATS: Counter = Counter()

# Django's English messages, and the words that give one away.
ANGLAIS = re.compile(
    r"this field|enter a |select a |ensure this|please |null characters|not one of the available"
    r"|management ?form|tampered|is not a valid|not allowed|at most \d+ form",
    re.IGNORECASE,
)


# ------------------------------------------------------------------ the hostile values
CONTROLES = [chr(c) for c in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))]
BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
SAUTS = ["\t", "\n", "\r"]  # refused on one line only
LETTRES = st.text(alphabet=string.ascii_letters, min_size=1, max_size=6)


def _avec(*caracteres: list[str]):
    """A forbidden character (NUL, another control character, a bidi override … as often) inside
    letters, where no strip() removes it."""
    interdit = st.one_of(*(st.sampled_from(liste) for liste in caracteres if liste))
    return st.builds(lambda a, c, b: f"{a}{c}{b}", LETTRES, interdit, LETTRES)


LONG = st.sampled_from(["a", "é", "字", "😀", "7", "ab "]).map(lambda motif: (motif * 100_000)[:100_000])
UNICODE = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "😀",
                "👩\u200d👩\u200d👧",
                "漢字",
                "한국어",
                "e\u0301",
                "\u0301",
                "𝔘𝔫𝔦",
                "\U00020000",
                "ﷺ",
                "\ufeff",
            ]
        ),
        st.characters(categories=("L", "M", "N", "P", "S", "Zs")),
    ),
    min_size=1,
    max_size=20,
).map("".join)
# Invalid for every id, choice and date of the project's forms.
NOMBRES = st.one_of(
    st.sampled_from(
        [
            "-1", "0", str(2**31), str(2**63), str(2**64), "9" * 30, "9" * 5000, "1e5", "1.5", "0x10",
            "1_0", "１", "٣", "abc", "None", "[]", "1;DROP TABLE rex_demande", "99999-01-01", "0000-00-00",
            "2025-02-30", "31/12/99999", "0001-01-01", "\x00", "1\x00",
        ]
    ),
    st.integers(max_value=0).map(str),
    st.integers(min_value=2**63).map(str),
)  # fmt: skip
# Invalid for the TOTAL_FORMS and INITIAL_FORMS of a formset.
COMPTES = st.one_of(
    st.sampled_from(["1001", "-1", "abc", "", " ", "1e3", "0x10", "9" * 30, "9" * 5000, "\x00"]),
    st.integers(min_value=1001).map(str),
    st.integers(max_value=-1).map(str),
)
INCONNUS = st.one_of(
    st.sampled_from(
        ["next", "id", "pk", "statut", "numero", "numero_rex", "agent", "service", "created_by",
         "version_precedente", "is_staff", "is_superuser", "entreprise", "depot_papier", "DELETE"]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=12),
)  # fmt: skip
SUPPRIME = object()


@dataclass
class Cible:
    """A POST endpoint and the valid submission `donnees`, the client logged in as the right user."""

    url: str
    donnees: dict
    champs: dict[str, str] = field(default_factory=dict)  # html name → "ligne", "texte" or "nombre"
    formsets: tuple[str, ...] = ()
    fichiers: Callable[[], dict] | None = None
    avant: Callable | None = None  # called with the client before each example, in its savepoint


def _champs(*formulaires) -> dict[str, str]:
    """The fields of the page's forms: a single-line text, a multi-line text, or a number (an id, a
    choice, a date, a formset's hidden key)."""
    champs = {}
    for formulaire in formulaires:
        forms = formulaire.forms if isinstance(formulaire, BaseFormSet) else [formulaire]
        for form in forms:
            for bf in form:
                champ = bf.field
                if isinstance(champ, FileField | BooleanField):
                    continue
                if isinstance(champ, ChoiceField | DateField | InlineForeignKeyField | IntegerField):
                    champs[bf.html_name] = "nombre"
                elif isinstance(champ, CharField):
                    champs[bf.html_name] = "texte" if isinstance(champ.widget, Textarea) else "ligne"
    return champs


def _donnees(formulaire) -> dict[str, list[str]]:
    """What the browser posts back for the request as stored (rows and management forms included)."""
    data = formulaire.form.data
    return {key: data.getlist(key) for key in data}


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ the states the endpoints need
def _deposee(**kwargs) -> Demande:
    demande = DemandeFactory(complete=True, **kwargs)
    return services.soumettre(demande=demande, by=demande.created_by)


def _agent(demande: Demande) -> User:
    return UserFactory(service=demande.service, first_name="Paul", last_name="Agent")


def _octroyee() -> Demande:
    demande = _deposee()
    return services.octroyer(demande=demande, by=_agent(demande))


def _modification() -> Demande:
    """A registration's modification draft, which changes the rubrique 2 « Courriel »."""
    enregistrement = _octroyee()
    modification = services.preparer_modification(enregistrement=enregistrement, by=enregistrement.created_by)
    Demande.objects.filter(pk=modification.pk).update(courriel="nouvelle.adresse@exemple.fr")
    return Demande.objects.get(pk=modification.pk)


def _connecter(client, user: User) -> User:
    client.force_login(user)
    return user


# ------------------------------------------------------------------ the operator's portal
def _deposer(client) -> Cible:
    user = _connecter(client, UserFactory(habilite=True))
    bureau, cadre, position = BureauDouaneFactory(), CadrePreferentielFactory(), PositionTarifaireFactory()
    formulaire = validation.construire(Demande(created_by=user, titulaire=user.entreprise))
    donnees = {
        "bureau": str(bureau.pk),
        "telephone": "01 23 45 67 89",
        "courriel": "export@exemple.fr",
        "activite": "production",
        "cadres": [str(cadre.pk)],
        "engagement": "on",
        "engagement_nom": "Claire Durand",
        "engagement_fonction": "Directrice export",
        "engagement_lieu": "Lyon",
        "consentement_publication": "oui",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "20",
        "contacts-0-nom": "Durand",
        "contacts-0-prenom": "Claire",
        "contacts-0-fonction": "Directrice export",
        "contacts-0-telephone": "01 23 45 67 89",
        "contacts-0-courriel": "claire@exemple.fr",
        "marchandises-TOTAL_FORMS": "1",
        "marchandises-INITIAL_FORMS": "0",
        "marchandises-MIN_NUM_FORMS": "0",
        "marchandises-MAX_NUM_FORMS": "100",
        "marchandises-0-code": position.code,
        "marchandises-0-description": "Vins rouges",
        "action": "reprendre",
    }
    champs = _champs(
        formulaire.form, formulaire.contacts, formulaire.marchandises, BoutonForm(boutons=BOUTONS_DEMANDE)
    )
    return Cible(reverse("rex:deposer"), donnees, champs, formsets=("contacts", "marchandises"))


def _formulaire(client) -> Cible:
    demande = DemandeFactory(complete=True)
    _connecter(client, demande.created_by)
    formulaire = validation.verifier(demande)
    return Cible(
        reverse("rex:formulaire", args=[demande.pk]),
        {**_donnees(formulaire), "action": "reprendre"},
        _champs(
            formulaire.form, formulaire.contacts, formulaire.marchandises, BoutonForm(boutons=BOUTONS_DEMANDE)
        ),
        formsets=("contacts", "marchandises"),
    )


def _modification_formulaire(client) -> Cible:
    modification = _modification()
    _connecter(client, modification.created_by)
    formulaire = validation.verifier(modification, form_class=ModificationForm)
    return Cible(
        reverse("rex:modification", args=[modification.pk]),
        {**_donnees(formulaire), "action": "reprendre", "commentaire": "Nouvelle adresse électronique."},
        _champs(
            formulaire.form,
            formulaire.contacts,
            formulaire.marchandises,
            BoutonForm(boutons=BOUTONS_MODIFICATION),
            CommentaireModificationForm(),
        ),
        formsets=("contacts", "marchandises"),
    )


def _recapitulatif_modification(client) -> Cible:
    modification = _modification()
    _connecter(client, modification.created_by)
    return Cible(
        reverse("rex:recapitulatif_modification", args=[modification.pk]),
        {"commentaire": "Nouvelle adresse électronique."},
        _champs(CommentaireModificationForm()),
    )


def _documents(client) -> Cible:
    demande = DemandeFactory(complete=True)
    _connecter(client, demande.created_by)
    contenu = _pdf()
    return Cible(
        reverse("rex:documents", args=[demande.pk]),
        {"nom": "Fiche produit"},
        _champs(DocumentForm()),
        fichiers=lambda: {"fichier": SimpleUploadedFile("fiche.pdf", contenu, "application/pdf")},
    )


def _supprimer_document(client) -> Cible:
    demande = DemandeFactory(complete=True)
    user = _connecter(client, demande.created_by)
    contenu = _pdf()
    document = Document.objects.create(
        demande=demande,
        nom="Fiche produit",
        fichier=ContentFile(contenu, name="fiche.pdf"),
        nom_original="fiche.pdf",
        type_mime="application/pdf",
        taille=len(contenu),
        ajoute_par=user,
    )
    return Cible(reverse("rex:supprimer_document", args=[demande.pk, document.pk]), {})


def _recapitulatif(client) -> Cible:
    demande = DemandeFactory(complete=True)
    _connecter(client, demande.created_by)
    return Cible(reverse("rex:recapitulatif", args=[demande.pk]), {})


def _abandonner(client) -> Cible:
    demande = _deposee()
    _connecter(client, demande.created_by)
    return Cible(
        reverse("rex:abandonner", args=[demande.pk]),
        {"commentaire": "Nous n'exportons plus."},
        _champs(AbandonForm()),
    )


def _complement(client) -> Cible:
    demande = _deposee()
    services.demander_complement(demande=demande, by=_agent(demande), texte="Précisez l'activité.")
    _connecter(client, demande.created_by)
    return Cible(
        reverse("rex:complement", args=[demande.pk]),
        {"complements": "L'activité principale est la production."},
        _champs(ComplementForm()),
    )


def _dupliquer(client) -> Cible:
    demande = _deposee()
    demande = services.rejeter(demande=demande, by=_agent(demande), motif="Pièces manquantes.")
    _connecter(client, demande.created_by)
    return Cible(reverse("rex:dupliquer", args=[demande.pk]), {})


def _demander_modification(client) -> Cible:
    enregistrement = _octroyee()
    _connecter(client, enregistrement.created_by)
    return Cible(reverse("rex:demander_modification", args=[enregistrement.pk]), {})


def _ecrire(client) -> Cible:
    demande = _deposee()
    _connecter(client, demande.created_by)
    return Cible(
        reverse("rex:ecrire", args=[demande.pk]),
        {"texte": "Faut-il joindre un extrait Kbis ?\nMerci."},
        _champs(MessageForm()),
    )


# ------------------------------------------------------------------ the back-office
def _action_agent(nom: str, etat: Callable[[], Demande], form_class, donnees: dict):
    def preparer(client) -> Cible:
        demande = etat()
        _connecter(client, _agent(demande))
        return Cible(
            reverse(f"agent:{nom}", args=[demande.pk]), donnees, _champs(form_class(demande=demande))
        )

    return preparer


def _modification_deposee() -> Demande:
    modification = _modification()
    return services.soumettre_modification(
        modification=modification, by=modification.created_by, commentaire="Nouvelle adresse."
    )


# A revocation takes effect after the letter of the right to be heard, not before the validity date.
AUJOURD_HUI = timezone.localdate()
COURRIER = AUJOURD_HUI - timedelta(days=20)


def _revoquee() -> Demande:
    demande = _octroyee()
    return services.revoquer(
        demande=demande,
        by=_agent(demande),
        motif="89-4",
        a_compter_du=AUJOURD_HUI,
        droit_entendu_le=COURRIER,
    )


def _reaffecter(client) -> Cible:
    demande = _deposee()
    _connecter(client, _agent(demande))
    autre = BureauDouaneFactory()
    return Cible(
        reverse("agent:reaffecter", args=[demande.pk]),
        {"service": str(autre.pk), "commentaire": "Le siège est à Marseille."},
        _champs(ReaffecterForm(demande=demande)),
    )


def _deposer_papier(client) -> Cible:
    _connecter(client, UserFactory(agent=True))
    entreprise = EntrepriseFactory()
    return Cible(
        reverse("agent:deposer_papier"),
        {"eori": entreprise.eori, "attestation": "on"},
        _champs(DepotPapierForm()),
    )


def _ecrire_agent(client) -> Cible:
    demande = _deposee()
    _connecter(client, _agent(demande))
    return Cible(
        reverse("agent:ecrire", args=[demande.pk]),
        {"texte": "Merci de joindre la fiche produit.\nCordialement."},
        _champs(EcrireForm()),
    )


def _actions_groupees(client) -> Cible:
    demande = _deposee()
    agent = _connecter(client, _agent(demande))
    autre = BureauDouaneFactory()
    return Cible(
        reverse("agent:actions_groupees"),
        {
            "demandes": [str(demande.pk)],
            "action": "reaffecter",
            "service": str(autre.pk),
            "commentaire": "Le siège est à Marseille.",
        },
        _champs(ActionsGroupeesForm(user=agent)),
    )


def _enregistrer_filtre(client) -> Cible:
    agent = _connecter(client, UserFactory(agent=True))
    return Cible(
        reverse("agent:enregistrer_filtre"),
        {"nom": "Incomplètes à échéance proche", "statut": "incomplete", "echeance": "proche"},
        _champs(EnregistrerFiltreForm(agents=[], compteurs={}, user=agent)),
    )


def _supprimer_filtre(client) -> Cible:
    agent = _connecter(client, UserFactory(agent=True))
    filtre = FiltreEnregistre.objects.create(user=agent, nom="Dupont", parametres="q=dupont")
    return Cible(reverse("agent:supprimer_filtre", args=[filtre.pk]), {})


# ------------------------------------------------------------------ « Jetons d'accès » (issue 12)
def _jetons(client) -> Cible:
    user = _connecter(client, UserFactory(habilite=True))
    return Cible(
        reverse("jetons:liste"),
        {"nom": "ERP — site de Lyon", "portee": "lecture", "jours": "90"},
        _champs(JetonForm(user=user)),
    )


def _revoquer_jeton(client) -> Cible:
    user = _connecter(client, UserFactory(habilite=True))
    jeton, _ = creer_jeton(user=user, nom="ERP")
    return Cible(reverse("jetons:revoquer", args=[jeton.pk]), {})


# ------------------------------------------------------------------ « Calendrier des échéances » (issue 13)
def _calendrier(client) -> Cible:
    _connecter(client, UserFactory(habilite=True))
    return Cible(reverse("accounts:calendrier"), {})


# ------------------------------------------------------------------ the account pages
MOT_DE_PASSE = "Motdepasse1!"  # UserFactory's


def _signup(client) -> Cible:
    donnees = {
        "username": "jeanne",
        "first_name": "Jeanne",
        "last_name": "Martin",
        "email": "jeanne.martin@exemple.fr",
        "password1": "Azerty-Soprano7",
        "password2": "Azerty-Soprano7",
    }
    return Cible(reverse("accounts:signup"), donnees, _champs(SignupForm()))


def _renvoyer_activation(client) -> Cible:
    user = UserFactory(is_active=False)
    return Cible(
        reverse("accounts:activate", kwargs={"token": "renvoyer"}),
        {"email": user.email},
        _champs(ResendActivationForm()),
    )


def _login(client) -> Cible:
    user = UserFactory(habilite=True)
    return Cible(
        reverse("accounts:login"), {"username": user.username, "password": MOT_DE_PASSE}, _champs(LoginForm())
    )


def _logout(client) -> Cible:
    _connecter(client, UserFactory(habilite=True))
    return Cible(reverse("accounts:logout"), {})


def _password_reset(client) -> Cible:
    user = UserFactory(habilite=True)
    return Cible(reverse("accounts:password_reset"), {"email": user.email}, _champs(PasswordResetForm()))


def _password_reset_confirm(client) -> Cible:
    user = UserFactory(habilite=True)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    lien = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)},
    )
    return Cible(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": "set-password"}),
        {"new_password1": "Nouveau-Soprano9", "new_password2": "Nouveau-Soprano9"},
        _champs(SetPasswordForm(user)),
        # The e-mailed link puts the token in the session, then leads to the form.
        avant=lambda client: client.get(lien),
    )


def _demander_habilitation(client) -> Cible:
    _connecter(client, UserFactory(certifie=True))
    departement = DepartementFactory()
    return Cible(
        reverse("accounts:demander_habilitation"),
        {"departement": str(departement.pk)},
        _champs(DemandeHabilitationForm()),
    )


# ------------------------------------------------------------------ « Notifications techniques »
def _endpoint_ajouter(client) -> Cible:
    _connecter(client, UserFactory(habilite=True))
    donnees = {
        "url": "https://erp.exemple.fr/soprano/notifications",
        "libelle": "ERP production",
        "statut_modifie": "on",
        "message_recu": "on",
    }
    return Cible(reverse("webhooks:liste"), donnees, _champs(EndpointForm()))


def _endpoint_action(client) -> Cible:
    user = _connecter(client, UserFactory(habilite=True))
    endpoint = webhooks_services.creer(
        by=user, url="https://erp.exemple.fr/soprano", libelle="ERP", statut_modifie=True, message_recu=True
    )
    return Cible(
        reverse("webhooks:action", args=[endpoint.pk]), {"action": "desactiver"}, _champs(ActionForm())
    )


CIBLES: dict[str, Callable[..., Cible]] = {
    "jetons:liste": _jetons,
    "jetons:revoquer": _revoquer_jeton,
    "accounts:calendrier": _calendrier,
    "rex:deposer": _deposer,
    "rex:formulaire": _formulaire,
    "rex:documents": _documents,
    "rex:supprimer_document": _supprimer_document,
    "rex:recapitulatif": _recapitulatif,
    "rex:abandonner": _abandonner,
    "rex:complement": _complement,
    "rex:dupliquer": _dupliquer,
    "rex:demander_modification": _demander_modification,
    "rex:modification": _modification_formulaire,
    "rex:recapitulatif_modification": _recapitulatif_modification,
    "rex:ecrire": _ecrire,
    "agent:deposer_papier": _deposer_papier,
    "agent:prendre_en_charge": _action_agent("prendre_en_charge", _deposee, PrendreEnChargeForm, {}),
    "agent:reaffecter": _reaffecter,
    "agent:demander_complement": _action_agent(
        "demander_complement", _deposee, DemanderComplementForm, {"texte": "Joindre la fiche produit."}
    ),
    "agent:rejeter": _action_agent(
        "rejeter", _deposee, RejeterForm, {"motif": "Relation préférentielle inexistante."}
    ),
    "agent:octroyer": _action_agent(
        "octroyer", _deposee, OctroyerForm, {"date_validite": "2025-03-15", "confirmation": "on"}
    ),
    "agent:revoquer": _action_agent(
        "revoquer",
        _octroyee,
        RevoquerForm,
        {
            "motif": "89-4",
            "droit_entendu_le": COURRIER.isoformat(),
            "a_compter_du": AUJOURD_HUI.isoformat(),
            "confirmation": "on",
        },
    ),
    "agent:valider_modification": _action_agent(
        "valider_modification", _modification_deposee, ValiderModificationForm, {"confirmation": "on"}
    ),
    "agent:annuler_revocation": _action_agent(
        "annuler_revocation", _revoquee, AnnulerRevocationForm, {"commentaire": "Courrier mal adressé."}
    ),
    "agent:ecrire": _ecrire_agent,
    "agent:actions_groupees": _actions_groupees,
    "agent:enregistrer_filtre": _enregistrer_filtre,
    "agent:supprimer_filtre": _supprimer_filtre,
    "accounts:signup": _signup,
    "accounts:activate": _renvoyer_activation,
    "accounts:login": _login,
    "accounts:logout": _logout,
    "accounts:password_reset": _password_reset,
    "accounts:password_reset_confirm": _password_reset_confirm,
    "accounts:demander_habilitation": _demander_habilitation,
    "webhooks:liste": _endpoint_ajouter,
    "webhooks:action": _endpoint_action,
}

# Pages that take no POST, and who may open them (a POST from that user is a 405).
GET_SEULEMENT = {
    "rex:accueil": "operateur",
    "rex:clients": "operateur",
    "rex:clients_csv": "operateur",
    "rex:detail": "operateur",
    "rex:document": "operateur",
    "rex:imprimer": "operateur",
    "rex:confirmation": "operateur",
    "rex:completer": "operateur",
    "rex:ligne": "operateur",
    "rex:nomenclature": "operateur",
    "agent:file": "agent",
    "agent:historique": "agent",
    "agent:tableau_de_bord": "agent",
    "agent:export_csv": "agent",
    "agent:export_xlsx": "agent",
    "agent:detail": "agent",
    "agent:imprimer": "agent",
    "agent:document": "agent",
    "public:verifier": "anonyme",
    "public:export_json": "operateur",
    "public:export_csv": "operateur",
    "public:calendrier": "anonyme",
    "accounts:home": "anonyme",
    "accounts:signup_done": "anonyme",
    "accounts:dashboard": "operateur",
    "accounts:services": "anonyme",
    "accounts:soprano_home": "operateur",
    "accounts:password_reset_done": "anonyme",
    "accounts:password_reset_complete": "anonyme",
    "pages:accessibilite": "anonyme",
    "pages:mentions_legales": "anonyme",
    "pages:donnees_personnelles": "anonyme",
    "pages:cookies": "anonyme",
    "pages:plan_du_site": "anonyme",
    "webhooks:detail": "operateur",
}


def urls_du_projet(resolver=None, namespace=""):
    """(name, pattern) of every URL of the URLconf, the PAE's Django admin aside (Django's own forms), and
    the REST API aside (JSON, by token, no form: tests/api/test_schemathesis.py sends it generated and
    hostile input against its schema)."""
    for motif in (resolver or get_resolver()).url_patterns:
        if isinstance(motif, URLResolver):
            if motif.namespace in ("admin", "api"):
                continue
            yield from urls_du_projet(
                motif, f"{namespace}{motif.namespace}:" if motif.namespace else namespace
            )
        else:
            yield f"{namespace}{motif.name}", motif


# ------------------------------------------------------------------ one example
def _mutations(cible: Cible):
    """One change of the valid submission, and whether it makes it invalid (None: it may be valid)."""
    textes = [nom for nom, sorte in cible.champs.items() if sorte in ("ligne", "texte")]
    nombres = [nom for nom, sorte in cible.champs.items() if sorte == "nombre"]
    options = [
        st.tuples(INCONNUS, st.one_of(_avec(["\x00"], CONTROLES, BIDI), UNICODE, NOMBRES))
        .filter(lambda t: t[0] not in cible.donnees and t[0] not in cible.champs)
        .map(lambda t: (t[0], t[1], None)),
    ]
    if cible.donnees:
        options.append(st.sampled_from(sorted(cible.donnees)).map(lambda nom: (nom, SUPPRIME, None)))
    if textes:
        options += [
            st.sampled_from(textes).flatmap(
                lambda nom: _avec(
                    ["\x00"], CONTROLES, BIDI, SAUTS if cible.champs[nom] == "ligne" else []
                ).map(lambda valeur: (nom, valeur, True))
            ),
            st.tuples(st.sampled_from(textes), LONG).map(lambda t: (t[0], t[1], True)),
            st.tuples(st.sampled_from(textes), UNICODE).map(lambda t: (t[0], t[1], None)),
        ]
    if nombres:
        options.append(
            st.tuples(st.sampled_from(nombres), NOMBRES, st.booleans()).map(
                lambda t: (t[0], [*_liste(cible.donnees.get(t[0])), t[1]] if t[2] else t[1], True)
            )
        )
    if cible.formsets:
        options.append(
            st.tuples(
                st.sampled_from(cible.formsets), st.sampled_from(["TOTAL_FORMS", "INITIAL_FORMS"]), COMPTES
            ).map(lambda t: (f"{t[0]}-{t[1]}", t[2], True))
        )
    return st.one_of(options)


def _incontournables(cible: Cible) -> list[list]:
    """The attacks of the security issue, tried on every field whatever the draw: a NUL in each text,
    100,000 characters, a huge id in each number, 1001 rows in each formset."""
    exemples = []
    for nom, sorte in cible.champs.items():
        if sorte == "nombre":
            exemples.append([(nom, str(2**64), True)])
        else:
            exemples += [[(nom, "Bonjour\x00", True)], [(nom, "a" * 100_000, True)]]
    exemples += [[(f"{prefixe}-TOTAL_FORMS", "1001", True)] for prefixe in cible.formsets]
    return exemples


def _liste(valeur) -> list[str]:
    if valeur is None:
        return []
    return list(valeur) if isinstance(valeur, list) else [valeur]


def _empreinte(client) -> tuple:
    """What a refused submission must leave unchanged: the tables, the session and the outbox."""
    modeles = (
        Demande,
        Demande.cadres.through,
        Contact,
        LigneMarchandise,
        Document,
        Evenement,
        Message,
        Courriel,
        User,
        Entreprise,
        Mandat,
        DemandeHabilitation,
        DemandeUtilisateurPermission,
        DemandeGroupePermission,
        JetonApi,
        FiltreEnregistre,
    )
    tables = {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in modeles}
    return tables, dict(client.session.items()), len(mail.outbox)


def _formulaires(valeur, profondeur: int = 0):
    if isinstance(valeur, BaseForm | BaseFormSet):
        yield valeur
    elif profondeur < 3 and isinstance(valeur, dict):
        for element in valeur.values():
            yield from _formulaires(element, profondeur + 1)
    elif profondeur < 3 and isinstance(valeur, list | tuple):
        for element in valeur:
            yield from _formulaires(element, profondeur + 1)


def erreurs_affichees(response) -> list[str]:
    """The errors the user reads: the error and warning messages, and the errors of the page's forms."""
    textes = [str(m) for m in get_messages(response.wsgi_request) if m.level >= messages.WARNING]
    contextes = response.context if isinstance(response.context, list) else [response.context]
    vus = set()
    for contexte in filter(None, contextes):
        for formulaire in _formulaires(contexte.flatten()):
            if id(formulaire) in vus or not formulaire.is_bound:
                continue
            vus.add(id(formulaire))
            if isinstance(formulaire, BaseFormSet):
                textes += list(formulaire.non_form_errors())
                forms = formulaire.forms
            else:
                forms = [formulaire]
            for form in forms:
                for liste in form.errors.values():
                    textes += list(liste)
    return [html.unescape(t) for t in textes]


def essayer(client, cible: Cible, mutations: list) -> list[str]:
    """Posts the valid submission changed by `mutations`, in a savepoint rolled back; checks the answer
    and returns the errors shown."""
    donnees = {nom: list(v) if isinstance(v, list) else v for nom, v in cible.donnees.items()}
    invalides = set()  # the fields whose last change makes the submission invalid
    for nom, valeur, sorte in mutations:
        if valeur is SUPPRIME:
            donnees.pop(nom, None)
        else:
            donnees[nom] = valeur
        invalides.discard(nom)
        if sorte:
            invalides.add(nom)
    invalide = bool(invalides)
    cookies = copy.deepcopy(client.cookies)
    cache.clear()  # throttling counts posts per address: here, every example is a first try
    try:
        with transaction.atomic():
            if cible.avant:
                cible.avant(client)
            mail.outbox = []
            avant = _empreinte(client)
            response = client.post(cible.url, {**donnees, **(cible.fichiers() if cible.fichiers else {})})
            STATS["essais"] += 1
            STATS["invalides"] += invalide
            if response.status_code >= 500:
                STATS["5xx"] += 1
            else:
                apres = _empreinte(client)
                erreurs = erreurs_affichees(response)
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    resume = {nom: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for nom, v, _ in mutations}
    assert response.status_code < 500, f"{cible.url} {resume}: {response.status_code}"
    assert not [e for e in erreurs if ANGLAIS.search(e)], f"{cible.url} {resume}: English error {erreurs}"
    assert len(response.content) < TAILLE_MAX, f"{cible.url} {resume}: {len(response.content)} bytes"
    if invalide:
        assert apres == avant, f"{cible.url} {resume}: an invalid value changed the data"
        assert erreurs, f"{cible.url} {resume}: refused without a French error ({response.status_code})"
    return erreurs


# ------------------------------------------------------------------ the tests
def test_every_url_has_a_hostile_input_strategy():
    noms = [nom for nom, _ in urls_du_projet()]
    assert len(noms) == len(set(noms)), "every URL has its own name"
    inconnues = set(noms) - set(CIBLES) - set(GET_SEULEMENT)
    assert not inconnues, (
        f"{sorted(inconnues)}: add a hostile-input strategy to CIBLES (POST) or the page to GET_SEULEMENT"
    )
    assert not (set(CIBLES) | set(GET_SEULEMENT)) - set(noms), "a URL listed here no longer exists"


@pytest.fixture(scope="module", autouse=True)
def bilan(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and STATS["essais"]:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nhostile inputs: {STATS['essais']} tried ({STATS['invalides']} invalid POSTs, to refuse), "
                f"{STATS['5xx']} answered with a 5xx",
                bold=True,
            )


@pytest.mark.parametrize("nom", sorted(GET_SEULEMENT))
def test_get_only_pages_refuse_post(client, nom):
    motif = dict(urls_du_projet())[nom]
    exemples = {"pk": 1, "document_pk": 1, "prefixe": "contacts", "token": "x", "uidb64": "x", "secret": "x"}
    url = reverse(nom, kwargs={k: exemples[k] for k in motif.pattern.converters})
    role = GET_SEULEMENT[nom]
    if role == "operateur":
        client.force_login(UserFactory(habilite=True))
    elif role == "agent":
        client.force_login(UserFactory(agent=True))
    assert client.post(url, {"texte": "\x00"}).status_code == 405


@pytest.mark.parametrize("nom", sorted(CIBLES))
def test_hostile_input_is_refused_cleanly(client, nom):
    client.raise_request_exception = False
    cible = CIBLES[nom](client)
    assert essayer(client, cible, []) == [], "the valid submission the examples start from is accepted"

    @REGLAGES
    @given(st.lists(_mutations(cible), min_size=1, max_size=3))
    def exemple(mutations):
        essayer(client, cible, mutations)

    for mutations in _incontournables(cible):
        exemple = example(mutations)(exemple)
    exemple()


# ------------------------------------------------------------------ the query strings that feed logic
def _ligne(client) -> tuple[str, dict]:
    _connecter(client, UserFactory(habilite=True))
    return reverse("rex:ligne", args=["contacts"]), {"contacts-TOTAL_FORMS": "1"}


def _formulaire_get(client) -> tuple[str, dict]:
    demande = DemandeFactory(complete=True)
    _connecter(client, demande.created_by)
    return reverse("rex:formulaire", args=[demande.pk]), {"ajouter": "contacts", "valider": ""}


def _modification_get(client) -> tuple[str, dict]:
    modification = _modification()
    _connecter(client, modification.created_by)
    return reverse("rex:modification", args=[modification.pk]), {"ajouter": "marchandises", "valider": ""}


def _nomenclature(client) -> tuple[str, dict]:
    _connecter(client, UserFactory(habilite=True))
    return reverse("rex:nomenclature"), {"q": "vins", "format": "json"}


def _verifier(client) -> tuple[str, dict]:
    return reverse("public:verifier"), {"numero": "FRREXFR12345678901234", "code": "ABCDE-FGHIJ"}


def _file(client) -> tuple[str, dict]:
    _connecter(client, _agent(_deposee()))
    filtres = {"q": "Dupont", "statut": "en_etude", "agent": "moi", "echeance": "proche", "tri": "echeance"}
    return reverse("agent:file"), {**filtres, "page": "1"}


def _historique(client) -> tuple[str, dict]:
    _connecter(client, UserFactory(agent=True))
    return reverse("agent:historique"), {"page": "2"}


def _tableau_de_bord(client) -> tuple[str, dict]:
    service = BureauDouaneFactory()
    _connecter(client, UserFactory(service=service, is_staff=True))
    return reverse("agent:tableau_de_bord"), {"periode": "6", "service": str(service.pk)}


def _services(client) -> tuple[str, dict]:
    return reverse("accounts:services"), {"q": "soprano"}


# The pages whose query string feeds logic: filters, searches, « Ajouter une ligne + ».
RECHERCHES: dict[str, Callable] = {
    "rex:ligne": _ligne,
    "rex:formulaire": _formulaire_get,
    "rex:modification": _modification_get,
    "rex:nomenclature": _nomenclature,
    "public:verifier": _verifier,
    "agent:file": _file,
    "agent:historique": _historique,
    "agent:tableau_de_bord": _tableau_de_bord,
    "accounts:services": _services,
}


@pytest.mark.parametrize("nom", sorted(RECHERCHES))
def test_hostile_query_strings_are_harmless(client, nom):
    """GET parameters (filters, searches, « Ajouter une ligne + ») never give a 5xx, an English error or
    a huge page, and store nothing."""
    client.raise_request_exception = False
    url, parametres = RECHERCHES[nom](client)
    valeurs = st.one_of(_avec(["\x00"], CONTROLES, BIDI, SAUTS), LONG, UNICODE, NOMBRES, COMPTES)
    changement = st.one_of(
        st.tuples(st.sampled_from(sorted(parametres)), valeurs),
        st.tuples(st.sampled_from(sorted(parametres)), st.just(SUPPRIME)),
        st.tuples(INCONNUS, valeurs),
    )

    @REGLAGES
    @given(st.lists(changement, min_size=1, max_size=3))
    def exemple(changements):
        donnees = dict(parametres)
        for nom_parametre, valeur in changements:
            if valeur is SUPPRIME:
                donnees.pop(nom_parametre, None)
            else:
                donnees[nom_parametre] = valeur
        cache.clear()  # throttling (the public check) is not what is tried here
        with transaction.atomic():
            avant = _empreinte(client)
            response = client.get(url, donnees)
            STATS["essais"] += 1
            STATS["5xx"] += response.status_code >= 500
            if response.status_code < 500:
                assert _empreinte(client) == avant, f"{url} {donnees}: a GET stored something"
                erreurs = erreurs_affichees(response)
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{url} {changements}: {response.status_code}"
        assert not [e for e in erreurs if ANGLAIS.search(e)], f"{url}: English error {erreurs}"
        assert len(response.content) < TAILLE_MAX, f"{url}: {len(response.content)} bytes"

    exemple()
