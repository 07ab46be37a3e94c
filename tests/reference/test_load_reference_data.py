"""``load_reference_data``: départements, offices and frameworks, loaded without clobbering."""

from io import StringIO

from django.core.management import call_command

import pytest

from accounts.models import BureauDouane, Departement
from rex.models import CadrePreferentiel


@pytest.fixture
def loaded(db):
    call_command("load_reference_data", "--skip-nomenclature", stdout=StringIO())


def test_loads_the_101_departements_with_their_pae(loaded):
    assert Departement.objects.count() == 101
    codes = set(Departement.objects.values_list("code", flat=True))
    assert {"01", "2A", "2B", "95", "971", "972", "973", "974", "976"} <= codes
    assert "20" not in codes and "975" not in codes
    assert not Departement.objects.filter(pae_nom="").exists()


def test_every_departement_is_covered_by_an_office(loaded):
    assert 30 <= BureauDouane.objects.count() <= 45
    assert not Departement.objects.filter(bureaux__isnull=True).exists()
    # official references are left to the admin rather than guessed
    assert not BureauDouane.objects.exclude(code="").exists()


def test_loads_the_frameworks_of_the_guide(loaded):
    codes = list(CadrePreferentiel.objects.values_list("code", flat=True))
    assert codes[:10] == [
        "spg",
        "ptom",
        "canada",
        "japon",
        "vietnam",
        "singapour",
        "royaume-uni",
        "cote-divoire",
        "ghana",
        "afrique-orientale-australe",
    ]
    assert CadrePreferentiel.objects.get(code="spg").libelle.startswith("Schéma de préférences généralisées")


def test_a_second_load_keeps_what_the_admin_changed(loaded):
    paris = Departement.objects.get(code="75")
    paris.pae_courriel = "pae@exemple.fr"
    paris.save()
    lyon = BureauDouane.objects.get(nom="Bureau de douane de Lyon")
    lyon.nom = "Bureau de Lyon Saint-Exupéry"
    lyon.save()
    lyon.departements.set([Departement.objects.get(code="69")])
    spg = CadrePreferentiel.objects.get(code="spg")
    spg.actif, spg.ordre = False, 99
    spg.save()

    call_command("load_reference_data", "--skip-nomenclature", stdout=StringIO())

    assert Departement.objects.count() == 101
    assert Departement.objects.get(code="75").pae_courriel == "pae@exemple.fr"
    assert not BureauDouane.objects.filter(nom="Bureau de douane de Lyon").exists()
    assert list(lyon.departements.values_list("code", flat=True)) == ["69"]
    spg.refresh_from_db()
    assert (spg.actif, spg.ordre) == (False, 99)


def test_a_second_load_fills_what_is_still_empty(loaded):
    Departement.objects.filter(code="69").update(pae_nom="")

    call_command("load_reference_data", "--skip-nomenclature", stdout=StringIO())

    assert Departement.objects.get(code="69").pae_nom == "PAE de la direction régionale de Lyon"
