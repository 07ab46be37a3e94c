"""Ids are positive integers within the database's range, on PostgreSQL and SQLite alike: a form refuses
any other with the usual French « invalid choice » (no OverflowError, no DataError), and a URL with a huge
id is a 404."""

from html import unescape

from django.db import connection
from django.urls import reverse

import pytest

from rex.forms import DemandeForm
from rex.models import CadrePreferentiel, Demande
from soprano.saisie import CHOIX_INVALIDE, ChoixModele, ChoixModeleMultiple, identifiant_valide
from tests.factories import BureauDouaneFactory, CadrePreferentielFactory, UserFactory
from tests.rex.test_formulaire import complete_post
from tests.securite.test_saisies_hostiles import CIBLES, GET_SEULEMENT, urls_du_projet

pytestmark = pytest.mark.django_db

MAX = connection.ops.integer_field_range("BigAutoField")[1]
HORS_LIMITES = ["0", "-1", str(MAX + 1), str(2**64), "9" * 30, "9" * 5000]
PAS_DES_ENTIERS = ["1_0", "１", "٣", " 1", "1.0", "1e3", "0x1", "abc", "", "\x00", "1\x00"]


@pytest.fixture
def cadre():
    return CadrePreferentielFactory()


def test_the_database_range_is_64_bits():
    assert MAX == 2**63 - 1


@pytest.mark.parametrize("valeur", HORS_LIMITES + PAS_DES_ENTIERS)
def test_an_id_that_is_not_a_positive_integer_in_range_is_refused_before_the_query(
    cadre, valeur, django_assert_num_queries
):
    champ = ChoixModele(CadrePreferentiel.objects.all())
    assert not identifiant_valide(champ, valeur)
    with django_assert_num_queries(0), pytest.raises(Exception) as exc:
        champ.clean(valeur if valeur else "x")
    assert exc.value.messages == [CHOIX_INVALIDE]


@pytest.mark.parametrize("valeur", HORS_LIMITES + PAS_DES_ENTIERS)
def test_a_list_of_ids_is_checked_too(cadre, valeur, django_assert_num_queries):
    champ = ChoixModeleMultiple(CadrePreferentiel.objects.all())
    with django_assert_num_queries(0), pytest.raises(Exception) as exc:
        champ.clean([str(cadre.pk), valeur])
    assert exc.value.messages == [CHOIX_INVALIDE]


def test_valid_ids_still_work(cadre):
    assert ChoixModele(CadrePreferentiel.objects.all()).clean(str(cadre.pk)) == cadre
    assert list(ChoixModeleMultiple(CadrePreferentiel.objects.all()).clean([str(cadre.pk)])) == [cadre]
    assert identifiant_valide(ChoixModele(CadrePreferentiel.objects.all()), str(MAX))
    with pytest.raises(Exception) as exc:
        ChoixModele(CadrePreferentiel.objects.all()).clean(str(MAX))
    assert exc.value.messages == [CHOIX_INVALIDE]


@pytest.mark.parametrize("champ", ["bureau", "cadres"])
@pytest.mark.parametrize("valeur", [str(2**63), str(2**64), "-1", "abc"])
def test_a_huge_id_in_the_request_form_is_an_invalid_choice(client, cadre, champ, valeur):
    """`cadres=9223372036854775808` made SQLite raise OverflowError (a 500)."""
    client.force_login(UserFactory(habilite=True))
    data = complete_post(BureauDouaneFactory(), cadre, action="reprendre")
    data[champ] = [valeur] if champ == "cadres" else valeur
    response = client.post(reverse("rex:deposer"), data)
    assert response.status_code == 422
    assert CHOIX_INVALIDE in unescape(response.content.decode())
    assert not Demande.objects.exists()


def test_the_request_forms_ids_are_checked():
    champs = DemandeForm.base_fields
    assert isinstance(champs["bureau"], ChoixModele) and isinstance(champs["cadres"], ChoixModeleMultiple)


@pytest.mark.parametrize(
    "nom",
    sorted(
        nom
        for nom, motif in urls_du_projet()
        if "int" in str(motif.pattern) and nom in {*CIBLES, *GET_SEULEMENT}
    ),
)
@pytest.mark.parametrize("grand", [MAX + 1, 2**64, 10**30])
def test_a_huge_id_in_a_url_is_a_404(client, nom, grand):
    motif = dict(urls_du_projet())[nom]
    client.force_login(UserFactory(agent=True) if nom.startswith("agent:") else UserFactory(habilite=True))
    url = reverse(nom, kwargs=dict.fromkeys(motif.pattern.converters, grand))
    reponse = client.post(url) if nom in CIBLES else client.get(url)
    assert reponse.status_code == 404
