"""Search-as-you-type over the nomenclature: codes by prefix, French words without accents."""

import pytest

from rex.models import Chapitre, PositionTarifaire
from rex.nomenclature import chercher_nomenclature, normaliser_recherche


def add(code: str, libelle: str) -> None:
    fields = {"libelle": libelle, "libelle_recherche": normaliser_recherche(libelle)}
    if len(code) == 2:
        Chapitre.objects.create(code=code, **fields)
    else:
        PositionTarifaire.objects.create(code=code, chapitre=Chapitre.objects.get(code=code[:2]), **fields)


@pytest.fixture
def nomenclature(db):
    add("09", "CAFÉ, THÉ, MATÉ ET ÉPICES")
    add("0901", "Café, même torréfié ou décaféiné")
    add("0902", "Thé, même aromatisé")
    add("22", "BOISSONS, LIQUIDES ALCOOLIQUES ET VINAIGRES")
    add("2204", "Vins de raisins frais, y compris les vins enrichis en alcool")
    add("2209", "Vinaigres comestibles")
    add("84", "RÉACTEURS NUCLÉAIRES, CHAUDIÈRES, MACHINES")
    add("8401", "Réacteurs nucléaires")
    add("8452", "Machines à coudre")
    add("85", "MACHINES, APPAREILS ET MATÉRIELS ÉLECTRIQUES")
    add("8501", "Moteurs et machines génératrices, électriques")


def codes(query: str, **kwargs) -> list[str]:
    return [item["code"] for item in chercher_nomenclature(query, **kwargs)]


def test_digits_list_the_chapter_then_its_headings(nomenclature):
    assert chercher_nomenclature("84")[0] == {
        "code": "84",
        "libelle": "RÉACTEURS NUCLÉAIRES, CHAUDIÈRES, MACHINES",
        "kind": "chapitre",
    }
    assert codes("84") == ["84", "8401", "8452"]
    assert codes("845") == ["8452"]


def test_a_dotted_or_longer_tariff_code_finds_its_heading(nomenclature):
    assert codes("22.04") == ["2204"]
    assert codes("22042110") == ["2204"]


def test_words_match_without_accents_in_either_direction(nomenclature):
    assert codes("cafe") == ["09", "0901"]
    assert codes("café") == codes("CAFE") == ["09", "0901"]
    assert codes("the") == ["0902", "09"], "the label that starts with the word first"


def test_a_word_matches_the_start_of_label_words(nomenclature):
    # Whole word (« vins ») first, then the label that starts with it (« Vinaigres »), then the rest.
    assert codes("vin") == ["2204", "2209", "22"]
    assert codes("inaigre") == []


def test_every_word_must_match(nomenclature):
    assert codes("machines") == ["8452", "85", "84", "8501"]
    assert codes("machines electriques") == ["85", "8501"]
    assert codes("machines coudre") == ["8452"]


def test_fewer_than_two_characters_find_nothing(nomenclature):
    assert chercher_nomenclature("8") == []
    assert chercher_nomenclature("v") == []
    assert chercher_nomenclature(" é ") == []


def test_results_are_capped_by_limit(nomenclature):
    assert codes("machines", limit=2) == ["8452", "85"]


def test_a_typed_code_comes_first(nomenclature):
    assert codes("2204") == ["2204"]
    assert codes("22") == ["22", "2204", "2209"]


def test_search_runs_two_queries_whatever_the_result(nomenclature, django_assert_num_queries):
    for query in ("84", "machines electriques", "introuvable"):
        with django_assert_num_queries(2):
            chercher_nomenclature(query)
