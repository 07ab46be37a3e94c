"""Publication of REX registrations (guide §1.2, §5.2.7, §7.1): the public check and the EU export.

Without consent, only the REX number, its validity date and its revocation date are public.
"""

import csv
import datetime
import io
import json
import string

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rex import publication, services
from rex.models import CadrePreferentiel, Contact, Demande, LigneMarchandise, Statut
from rex.verification import code_verification
from tests.factories import CadrePreferentielFactory, DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db

VALIDITE = datetime.date(2025, 3, 14)
REVOCATION = datetime.date(2026, 1, 5)
PRIVE = ("Vins Dupont SA", "8 chemin des Vignes", "Durand", "claire.durand@exemple.fr", "Vins rouges")


def enregistrement(
    *, consentement=True, statut=Statut.OCTROYEE, revoquee_le=None, version=1, **champs
) -> Demande:
    """A current registration without the slow services: a complete request, then its row updated."""
    demande = DemandeFactory(complete=True, consentement_publication=consentement)
    eori = demande.titulaire.eori
    valeurs = {
        "statut": statut,
        "numero": f"FR-REX-2025-{demande.pk:05d}",
        "numero_rex": f"FRREX{eori}",
        "titulaire_eori": eori,
        "titulaire_raison_sociale": "Vins Dupont SA",
        "titulaire_adresse": "8 chemin des Vignes 69002 Lyon",
        "date_enregistrement": VALIDITE,
        "date_validite": VALIDITE,
        "revoquee_le": revoquee_le,
        "version": version,
        **champs,
    }
    Demande.objects.filter(pk=demande.pk).update(**valeurs)
    demande.refresh_from_db()
    return demande


def page(client, numero, code=None):
    """The public check page; the throttling counters are reset (what is checked here is the content)."""
    cache.clear()
    params = {"numero": numero} if code is None else {"numero": numero, "code": code}
    response = client.get(reverse("public:verifier"), params)
    assert response.status_code == 200
    return response.content.decode()


def export(fmt: str) -> str:
    return "".join(publication.exporter(fmt))


# ---------------------------------------------------------------- the public page
def test_granted_registration_is_valid_with_its_validity_date(client):
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    demande = services.octroyer(demande=demande, by=UserFactory(service=demande.service))
    html = page(client, demande.numero_rex)
    assert "Numéro REX valide" in html
    assert f"valable à partir du {demande.date_validite:%d/%m/%Y}" in html
    assert demande.titulaire_raison_sociale in html  # the factory's request consents


def test_modification_demandee_stays_valid(client):
    demande = enregistrement(statut=Statut.MODIFICATION_DEMANDEE)
    assert "Numéro REX valide" in page(client, demande.numero_rex)


def test_revoked_shows_the_revocation_date(client):
    demande = enregistrement(statut=Statut.REVOQUEE, revoquee_le=REVOCATION)
    html = page(client, demande.numero_rex)
    assert "Numéro REX révoqué" in html and "depuis le 05/01/2026" in html
    assert "Numéro REX valide" not in html
    assert "valable à partir du 14/03/2025" in html


def test_unknown_number(client):
    enregistrement()
    html = page(client, "FRREXFR00000000000000")
    assert "Numéro REX inconnu" in html and "FRREXFR00000000000000" in html


def test_request_not_granted_is_unknown(client):
    demande = DemandeFactory(complete=True)
    Demande.objects.filter(pk=demande.pk).update(statut=Statut.EN_ETUDE, numero_rex="FRREXFR99")
    assert "Numéro REX inconnu" in page(client, "FRREXFR99")


def test_former_version_is_never_the_one_shown_or_exported(client):
    ancienne = enregistrement(titulaire_raison_sociale="Ancienne Raison SARL")
    Demande.objects.filter(pk=ancienne.pk).update(statut=Statut.VERSION_ANTERIEURE)
    courante = DemandeFactory(complete=True, created_by=ancienne.created_by, titulaire=ancienne.titulaire)
    Demande.objects.filter(pk=courante.pk).update(
        statut=Statut.OCTROYEE,
        numero_rex=ancienne.numero_rex,
        titulaire_raison_sociale="Nouvelle Raison SAS",
        date_validite=VALIDITE,
        version=2,
        version_precedente=ancienne,
    )
    html = page(client, ancienne.numero_rex)
    assert "Nouvelle Raison SAS" in html and "Ancienne Raison SARL" not in html
    assert publication.enregistrement_courant(ancienne.numero_rex).pk == courante.pk
    lignes = json.loads(export("json"))
    assert [ligne["raison_sociale"] for ligne in lignes] == ["Nouvelle Raison SAS"]


def test_number_with_only_a_former_version_is_unknown(client):
    ancienne = enregistrement()
    Demande.objects.filter(pk=ancienne.pk).update(statut=Statut.VERSION_ANTERIEURE)
    assert "Numéro REX inconnu" in page(client, ancienne.numero_rex)
    assert json.loads(export("json")) == []


def test_number_is_normalised(client):
    demande = enregistrement()
    saisie = " " + " ".join(demande.numero_rex.lower()[i : i + 4] for i in range(0, 22, 4)) + " "
    assert "Numéro REX valide" in page(client, saisie)


def test_empty_number_is_a_form_error_and_no_result(client):
    html = page(client, "   ")
    assert "Saisissez le numéro REX à vérifier." in html
    assert "Numéro REX inconnu" not in html


def test_blank_page_has_the_form_without_login(client):
    response = client.get(reverse("public:verifier"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Numéro REX" in html and 'name="numero"' in html and 'name="code"' in html
    assert "inconnu" not in html


def test_home_page_links_to_the_check(client):
    assert reverse("public:verifier") in client.get(reverse("accounts:home")).content.decode()


@pytest.mark.parametrize("consentement", [False, None])
def test_without_consent_only_number_and_dates_are_shown(client, consentement):
    demande = enregistrement(consentement=consentement)
    html = page(client, demande.numero_rex)
    assert "Numéro REX valide" in html and "14/03/2025" in html
    for texte in PRIVE:
        assert texte not in html
    assert "n'a pas consenti à la publication" in html
    assert publication.donnees_publiques(demande) == {
        "numero_rex": demande.numero_rex,
        "statut": "valide",
        "date_validite": VALIDITE,
        "revoquee_le": None,
    }


def test_with_consent_name_address_contacts_goods_and_frameworks_are_shown(client):
    demande = enregistrement()
    html = page(client, demande.numero_rex)
    for texte in PRIVE:
        assert texte in html
    assert "01 23 45 67 89" in html and "2204" in html and demande.cadres.get().libelle in html


def test_public_data_never_hold_internal_or_unlisted_fields():
    demande = enregistrement(telephone="04 00 00 00 99", courriel="direction@exemple.fr")
    donnees = publication.donnees_publiques(demande)
    assert set(donnees) == {
        "numero_rex",
        "statut",
        "date_validite",
        "revoquee_le",
        "raison_sociale",
        "adresse",
        "contacts",
        "marchandises",
        "cadres",
    }
    assert set(donnees["contacts"][0]) == {"nom", "prenom", "telephone", "courriel"}
    texte = json.dumps(donnees, default=str)
    for interne in (demande.numero, "Directrice export", "04 00 00 00 99", "direction@exemple.fr"):
        assert interne not in texte


# ---------------------------------------------------------------- the verification code (QR code of the PDF)
def test_code_of_the_current_version_matches(client):
    demande = enregistrement()
    html = page(client, demande.numero_rex, code_verification(demande.numero_rex, 1))
    assert "correspond à la version en vigueur" in html


def test_code_is_normalised(client):
    demande = enregistrement()
    code = code_verification(demande.numero_rex, 1).replace("-", " ").lower()
    assert "correspond à la version en vigueur" in page(client, demande.numero_rex, code)


def test_wrong_code_does_not_match(client):
    demande = enregistrement()
    autre = code_verification("FRREXFR00000000000000", 1)
    html = page(client, demande.numero_rex, autre)
    assert "ne correspond pas à cet enregistrement" in html
    assert "version en vigueur" not in html


def test_code_of_a_former_version_is_told_apart(client):
    demande = enregistrement(version=2)
    html = page(client, demande.numero_rex, code_verification(demande.numero_rex, 1))
    assert "correspond à une version antérieure" in html


def test_qr_code_url_of_the_pdf(client):
    demande = enregistrement(statut=Statut.REVOQUEE, revoquee_le=REVOCATION)
    code = code_verification(demande.numero_rex, 1)
    response = client.get(f"/verifier/?numero={demande.numero_rex}&code={code}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Numéro REX révoqué" in html and "correspond à la version en vigueur" in html


def test_code_without_a_known_number_says_unknown(client):
    html = page(client, "FRREXFR00000000000000", code_verification("FRREXFR00000000000000", 1))
    assert "Numéro REX inconnu" in html
    assert "version en vigueur" not in html and "ne correspond pas" not in html


def test_page_queries_are_few_and_constant(client):
    demande = enregistrement()
    url = reverse("public:verifier") + f"?numero={demande.numero_rex}"
    client.get(url)
    with CaptureQueriesContext(connection) as petit:
        client.get(url)
    for i in range(5):
        Contact.objects.create(demande=demande, nom=f"Nom{i}", courriel=f"c{i}@exemple.fr")
        LigneMarchandise.objects.create(demande=demande, code="22", description=f"Boisson {i}")
        demande.cadres.add(CadrePreferentielFactory())
    with CaptureQueriesContext(connection) as grand:
        html = client.get(url).content.decode()
    assert "Boisson 4" in html
    assert len(grand) == len(petit) <= 4


# ---------------------------------------------------------------- the export for the EU REX database
def test_export_json_has_one_object_per_current_registration_with_consent_applied():
    avec = enregistrement()
    sans = enregistrement(consentement=False, statut=Statut.REVOQUEE, revoquee_le=REVOCATION)
    DemandeFactory(complete=True)  # a draft: never exported
    sortie = io.StringIO()
    call_command("exporter_rex", "--format", "json", stdout=sortie)
    lignes = {ligne["numero_rex"]: ligne for ligne in json.loads(sortie.getvalue())}
    assert set(lignes) == {avec.numero_rex, sans.numero_rex}
    assert lignes[sans.numero_rex] == {
        "numero_rex": sans.numero_rex,
        "statut": "révoqué",
        "date_validite": "2025-03-14",
        "revoquee_le": "2026-01-05",
    }
    complet = lignes[avec.numero_rex]
    assert complet["raison_sociale"] == "Vins Dupont SA" and complet["statut"] == "valide"
    assert complet["marchandises"] == [{"code": "2204", "description": "Vins rouges"}]
    assert complet["contacts"][0]["courriel"] == "claire.durand@exemple.fr"


def test_export_csv_to_a_file_joins_goods_and_contacts(tmp_path):
    avec = enregistrement()
    LigneMarchandise.objects.create(demande=avec, code="22", description="Boissons, vinaigres")
    sans = enregistrement(consentement=False)
    fichier = tmp_path / "rex.csv"
    call_command("exporter_rex", "--format", "csv", "--fichier", str(fichier), stderr=io.StringIO())
    with fichier.open(encoding="utf-8", newline="") as f:
        lignes = {ligne["numero_rex"]: ligne for ligne in csv.DictReader(f)}
    assert set(lignes) == {avec.numero_rex, sans.numero_rex}
    assert lignes[avec.numero_rex]["marchandises"] == "2204:Vins rouges | 22:Boissons, vinaigres"
    assert lignes[avec.numero_rex]["contacts"] == ("Claire Durand (01 23 45 67 89, claire.durand@exemple.fr)")
    assert lignes[avec.numero_rex]["date_validite"] == "2025-03-14"
    prive = {
        k: v for k, v in lignes[sans.numero_rex].items() if k not in {"numero_rex", "statut", "date_validite"}
    }
    assert set(prive.values()) == {""}


def test_export_csv_neutralises_formulas():
    enregistrement(titulaire_raison_sociale='=HYPERLINK("http://x")')
    ligne = next(csv.DictReader(io.StringIO(export("csv"))))
    assert ligne["raison_sociale"] == '\'=HYPERLINK("http://x")'


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="inconnu"):
        publication.exporter("xml")


def test_export_queries_are_constant():
    def compter() -> int:
        with CaptureQueriesContext(connection) as ctx:
            export("json")
            export("csv")
        return len(ctx)

    for _ in range(2):
        enregistrement()
    petit = compter()
    for _ in range(8):
        enregistrement()
    assert len(json.loads(export("json"))) == 10
    assert compter() == petit


def test_export_endpoints_serve_staff_an_attachment(client):
    demande = enregistrement()
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("public:export_json"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="rex-')
    lignes = json.loads(b"".join(response.streaming_content))
    assert [ligne["numero_rex"] for ligne in lignes] == [demande.numero_rex]
    response = client.get(reverse("public:export_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].endswith('.csv"')
    texte = b"".join(response.streaming_content).decode()
    assert next(csv.DictReader(io.StringIO(texte)))["raison_sociale"] == "Vins Dupont SA"


# ---------------------------------------------------------------- property: nothing private leaks
JETON = st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=14)
STATUTS_COURANTS = st.sampled_from([Statut.OCTROYEE, Statut.MODIFICATION_DEMANDEE, Statut.REVOQUEE])
JETONS = (
    "raison_sociale",
    "nom",
    "prenom",
    "telephone",
    "courriel",
    "description",
    "cadre",
    "toujours_prive",
)
TITULAIRE = st.fixed_dictionaries(
    {
        "consentement": st.booleans(),
        "statut": STATUTS_COURANTS,
        "raison_sociale": JETON,
        "nom": JETON,
        "prenom": JETON,
        "telephone": JETON,
        "courriel": JETON,
        "description": JETON,
        "cadre": JETON,
        "toujours_prive": JETON,  # rubrique 2 phone, contact's function and fax: never public
    }
)


def _jetons(i: int, t: dict) -> dict:
    """Tokens distinct across registrations and fields (hypothesis shrinks them to equal strings)."""
    return {cle: f"Zq{i}{cle[:3]}{valeur}" if cle in JETONS else valeur for cle, valeur in t.items()}


def _creer(t: dict) -> Demande:
    demande = DemandeFactory(
        bureau=None, telephone=t["toujours_prive"], courriel=f"{t['toujours_prive']}@prive.fr"
    )
    eori = demande.titulaire.eori
    Contact.objects.create(
        demande=demande,
        nom=t["nom"],
        prenom=t["prenom"],
        telephone=t["telephone"],
        courriel=f"{t['courriel']}@exemple.fr",
        fonction=t["toujours_prive"],
        fax=t["toujours_prive"],
    )
    LigneMarchandise.objects.create(demande=demande, code="2204", description=t["description"])
    demande.cadres.add(CadrePreferentiel.objects.create(code=t["cadre"].lower(), libelle=t["cadre"]))
    Demande.objects.filter(pk=demande.pk).update(
        statut=t["statut"],
        numero_rex=f"FRREX{eori}",
        titulaire_eori=eori,
        titulaire_raison_sociale=t["raison_sociale"],
        titulaire_adresse=f"{t['raison_sociale']} rue",
        consentement_publication=t["consentement"],
        date_validite=VALIDITE,
        revoquee_le=REVOCATION if t["statut"] == Statut.REVOQUEE else None,
    )
    return Demande.objects.get(pk=demande.pk)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titulaires=st.lists(TITULAIRE, min_size=1, max_size=3))
def test_private_data_never_leak_without_consent(client, titulaires):
    # Examples share the test's database: each one runs in a savepoint rolled back at the end.
    with transaction.atomic():
        titulaires = [_jetons(i, t) for i, t in enumerate(titulaires)]
        demandes = [_creer(t) for t in titulaires]
        sorties = {"json": export("json"), "csv": export("csv")}
        pages = [page(client, d.numero_rex) for d in demandes]
        for t, demande, html in zip(titulaires, demandes, pages, strict=True):
            prives = [t[cle] for cle in ("raison_sociale", "nom", "prenom", "telephone", "courriel")]
            prives += [t["description"], t["cadre"]]
            assert demande.numero_rex in html and demande.numero_rex in sorties["csv"]
            for texte in (html, *sorties.values()):
                assert t["toujours_prive"] not in texte
                for prive in prives:
                    assert (prive in texte) is t["consentement"], (prive, t["consentement"])
        transaction.set_rollback(True)
