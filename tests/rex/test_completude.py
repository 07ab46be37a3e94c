"""The services' completeness check (rex.completude, on the stored request) and the strict form
(« Valider et passer à l'étape suivante », rex.validation over rex.forms) say the same of every request:
over random requests, each spoilt in random ways, one is complete exactly when the other is valid."""

from datetime import timedelta

from django.utils import timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Mandat
from rex import completude, services, validation
from rex.models import Contact, Demande, LigneMarchandise, Statut
from tests.factories import (
    CadrePreferentielFactory,
    ChapitreFactory,
    DemandeFactory,
    EntrepriseFactory,
    MandatFactory,
    PositionTarifaireFactory,
    UserFactory,
    demande_representee,
)

pytestmark = pytest.mark.django_db

# One way each to spoil a complete request: every rule of the strict form, once.
ALTERATIONS = (
    "telephone_vide",
    "telephone_invalide",
    "courriel_invalide",
    "activite_vide",
    "sans_engagement",
    "engagement_lieu_vide",
    "consentement_inconnu",
    "bureau_inactif",
    "sans_cadre",
    "cadre_inactif",
    "sans_contact",
    "contact_sans_nom",
    "fax_invalide",
    "sans_marchandise",
    "code_mal_forme",
    "position_inconnue",
    "chapitre_inconnu",
    "chapitre_et_position",
    "position_en_double",
    "description_vide",
    "autre_demande_active",
    "mandat_termine",
    "representant_courriel_invalide",
)


def abimer(demande: Demande, alteration: str) -> None:
    champs = {
        "telephone_vide": {"telephone": ""},
        "telephone_invalide": {"telephone": "12"},
        "courriel_invalide": {"courriel": "pas-une-adresse"},
        "activite_vide": {"activite": ""},
        "sans_engagement": {"engagement": False},
        "engagement_lieu_vide": {"engagement_lieu": ""},
        "consentement_inconnu": {"consentement_publication": None},
        "representant_courriel_invalide": {"representant_courriel": "transit@"},
    }
    if alteration in champs:
        Demande.objects.filter(pk=demande.pk).update(**champs[alteration])
    elif alteration == "bureau_inactif":
        demande.bureau.actif = False
        demande.bureau.save()
    elif alteration == "sans_cadre":
        demande.cadres.clear()
    elif alteration == "cadre_inactif":
        demande.cadres.add(CadrePreferentielFactory(actif=False))
    elif alteration == "sans_contact":
        demande.contacts.all().delete()
    elif alteration == "contact_sans_nom":
        demande.contacts.update(nom="")
    elif alteration == "fax_invalide":
        demande.contacts.update(fax="0")
    elif alteration == "sans_marchandise":
        demande.marchandises.all().delete()
    elif alteration == "code_mal_forme":
        LigneMarchandise.objects.create(demande=demande, code="22A", description="Vins")
    elif alteration == "position_inconnue":
        LigneMarchandise.objects.create(demande=demande, code="9999", description="Inconnue")
    elif alteration == "chapitre_inconnu":
        LigneMarchandise.objects.create(demande=demande, code="77", description="Inconnu")
    elif alteration == "chapitre_et_position":
        LigneMarchandise.objects.create(demande=demande, code=ChapitreFactory().code, description="Tout")
    elif alteration == "position_en_double":
        code = demande.marchandises.first().code
        LigneMarchandise.objects.create(demande=demande, code=code, description="Encore")
    elif alteration == "description_vide":
        demande.marchandises.update(description="")
    elif alteration == "autre_demande_active" and demande.est_brouillon:
        # (A filed request is already the holder's active one: the database allows no second.)
        autre = DemandeFactory(
            complete=True, created_by=UserFactory(habilite=True), titulaire=demande.titulaire
        )
        # A number of a past year: never one the counter hands out to the requests filed by the test.
        Demande.objects.filter(pk=autre.pk).update(
            statut=Statut.EN_ETUDE, numero=f"FR-REX-1999-{autre.pk:05d}"
        )
    elif alteration == "mandat_termine":
        hier = timezone.localdate() - timedelta(days=1)
        Mandat.objects.filter(represente=demande.titulaire).update(
            date_debut=hier - timedelta(days=30), date_fin=hier
        )


def une_demande(genre: str) -> Demande:
    if genre == "representee":
        transitaire = UserFactory(habilite=True, entreprise=EntrepriseFactory(representant=True))
        client = EntrepriseFactory()
        MandatFactory(representant=transitaire.entreprise, represente=client)
        return demande_representee(transitaire, client)
    demande = DemandeFactory(complete=True)
    if genre == "incomplete":
        # Filed, then reopened for a complement (guide §6.2): the strict form of a filed request.
        demande = services.soumettre(demande=demande, by=demande.created_by)
        Demande.objects.filter(pk=demande.pk).update(
            statut=Statut.INCOMPLETE, date_limite=timezone.now() + timedelta(days=30)
        )
    return demande


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    genre=st.sampled_from(["en_ligne", "representee", "incomplete"]),
    alterations=st.sets(st.sampled_from(ALTERATIONS), max_size=3),
)
def test_the_services_check_and_the_strict_form_agree(genre, alterations):
    PositionTarifaireFactory()
    demande = une_demande(genre)
    for alteration in sorted(alterations):
        abimer(demande, alteration)
    demande = Demande.objects.select_related("titulaire", "representant", "bureau").get(pk=demande.pk)

    formulaire_valide = validation.verifier(demande).is_valid()
    manquements = completude.manquements(demande)

    assert formulaire_valide == (manquements == []), (genre, sorted(alterations), manquements)


@pytest.mark.parametrize("alteration", ALTERATIONS)
def test_each_rule_alone_makes_a_representatives_draft_incomplete(alteration):
    """Written from the guide: each spoilt rubrique keeps the request from being submitted."""
    PositionTarifaireFactory()
    demande = une_demande("representee")
    assert completude.est_complete(demande)
    abimer(demande, alteration)
    demande = Demande.objects.get(pk=demande.pk)
    assert not completude.est_complete(demande)
    with pytest.raises(services.ActionRefusee):
        services.soumettre(demande=demande, by=demande.created_by)
    assert Demande.objects.get(pk=demande.pk).statut == Statut.BROUILLON


def test_contact_rows_are_checked_once_each():
    demande = DemandeFactory(complete=True)
    Contact.objects.create(
        demande=demande, nom="Martin", prenom="", fonction="Transit", telephone="0102030405"
    )
    assert completude.manquements(demande) == ["contacts.2.prenom", "contacts.2.courriel"]
