"""The customs officer's side of « What first real users hit », in the real browser with the guide's words:
each test follows the guide where a first user stumbled, and fails on the defect that user met.

* §7.2 a modification in the queue, and the way from the registration to its modification (both portals);
* §7.2 the officer sees what a modification changes, in orange, as the holder does;
* §7.3 the dates of a revocation, and what the public check says until it takes effect;
* §5 « À noter » a request filed on paper is completed on paper: the service keys in the complement;
* the queue's search tells how many requests match, in French;
* the date fields read jj/mm/aaaa, as their help texts say.
"""

import re
from datetime import timedelta

from django.utils import timezone

import pytest
from playwright.sync_api import Locator, Page, expect

from rex import services
from rex.models import Demande, Statut
from tests.browser.conftest import chromium_en_francais
from tests.browser.test_instruction import (
    BUREAU,
    QUESTION,
    RAISON_SOCIALE,
    action_agent,
    agent,  # noqa: F401 (fixture)
    alerte,
    bureau,  # noqa: F401 (fixture)
    deposee,  # noqa: F401 (fixture)
    operateur,  # noqa: F401 (fixture)
    ouvrir_onglet,
    se_connecter,
    statut,
    statut_en_base,
)
from tests.browser.test_modification import ORANGE
from tests.browser.test_parcours import champ, cocher, petit_pdf
from tests.factories import DemandeFactory, EntrepriseFactory, UserFactory, depot_papier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOUVEAU_COURRIEL = "douane@vignobles-duvigneau.fr"
COMMENTAIRE = "Nouvelle adresse courriel du service export."


# Helpers -----------------------------------------------------------------------------------------


def historique(page: Page) -> Locator:
    return page.get_by_role("region", name="Historique").get_by_role("listitem")


def modifiee_en_orange(element: Locator) -> None:
    expect(element).to_have_css("color", ORANGE)


def choisir_statut(page: Page, libelle: str) -> None:
    """« Rechercher et filtrer »: the « Statut » whose option reads `libelle` (its count aside), then
    « Rechercher »."""
    statuts = champ(page, "Statut")
    option = statuts.locator("option").filter(has_text=re.compile(rf"^{re.escape(libelle)}\b"))
    statuts.select_option(option.get_attribute("value"))
    page.get_by_role("button", name="Rechercher", exact=True).click()


def rechercher(page: Page, texte: str) -> None:
    """« Rechercher » (the field, not the « Rechercher et filtrer » group), then the button."""
    champ(page, "Rechercher").and_(page.locator("input")).fill(texte)
    page.get_by_role("button", name="Rechercher", exact=True).click()


def texte_affiche(page: Page, champ_date: Locator) -> str:
    """What a date field shows on screen (« 15/03/2025 », or « jj/mm/aaaa » when empty): the text of the
    browser's own shadow tree, which the page cannot read, through the DevTools protocol."""
    session = page.context.new_cdp_session(page)
    try:
        racine = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        noeud = session.send(
            "DOM.querySelector", {"nodeId": racine, "selector": "#" + champ_date.get_attribute("id")}
        )["nodeId"]
        arbre = session.send("DOM.describeNode", {"nodeId": noeud, "depth": -1, "pierce": True})["node"]
    finally:
        session.detach()
    textes = []

    def parcourir(n):
        if n.get("nodeType") == 3:  # text
            textes.append(n["nodeValue"])
        for enfant in n.get("shadowRoots", []) + n.get("children", []):
            parcourir(enfant)

    parcourir(arbre)
    return "".join(textes)


# Fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def modification(deposee, operateur, agent):  # noqa: F811
    """A registration in « Modification demandée », its modification « En étude »: the courriel changed."""
    enregistrement = services.octroyer(demande=deposee, by=agent)
    brouillon = services.preparer_modification(enregistrement=enregistrement, by=operateur)
    Demande.objects.filter(pk=brouillon.pk).update(courriel=NOUVEAU_COURRIEL)
    brouillon.refresh_from_db()
    soumise = services.soumettre_modification(modification=brouillon, by=operateur, commentaire=COMMENTAIRE)
    assert statut_en_base(enregistrement) == Statut.MODIFICATION_DEMANDEE
    return soumise


# §7.2 A modification in the queue, and from its registration ---------------------------------------


def test_une_modification_dans_la_file_et_depuis_son_enregistrement(
    page,
    autre_navigateur,
    deposee,  # noqa: F811
    modification,
    operateur,  # noqa: F811
    agent,  # noqa: F811
):
    numero_rex = f"FRREX{deposee.titulaire_eori}"
    agent_page = autre_navigateur("agent")

    # « File des demandes »: the modification reads as the modification of the registration
    se_connecter(agent_page, "/agent/", agent.username)
    lignes = agent_page.get_by_role("row").filter(
        has=agent_page.get_by_role("link", name=modification.numero, exact=True)
    )
    ligne = lignes.filter(has_text=f"Modification de l'enregistrement {numero_rex}")
    expect(ligne).to_have_count(1)
    expect(ligne).to_contain_text("En étude")

    # « Modification demandée »: the registration, which leads to its modification in progress
    choisir_statut(agent_page, "Modification demandée")
    lignes = agent_page.get_by_role("row").filter(has_text=RAISON_SOCIALE)
    expect(lignes).to_have_count(1)
    enregistrement = lignes.filter(has=agent_page.get_by_role("link", name=deposee.numero, exact=True))
    expect(enregistrement).to_contain_text("Modification demandée")
    expect(enregistrement).to_contain_text(f"Modification en cours : {modification.numero}")
    enregistrement.get_by_role("link", name=modification.numero, exact=True).click()
    expect(agent_page.get_by_role("heading", level=1)).to_have_text(f"Demande {modification.numero}")
    expect(agent_page.get_by_role("main")).to_contain_text(
        f"Demande de modification de l'enregistrement {numero_rex}"
    )
    expect(statut(agent_page)).to_have_text("En étude")

    # The registration's page (« Versions » → « Version 1 ») leads to the modification in progress
    agent_page.get_by_role("region", name="Versions").get_by_role("link", name="Version 1").click()
    expect(agent_page.get_by_role("heading", level=1)).to_have_text(f"Demande {deposee.numero}")
    expect(statut(agent_page)).to_have_text("Modification demandée")
    en_cours = agent_page.get_by_role("main").get_by_text("La demande de modification de cet enregistrement")
    expect(en_cours).to_contain_text("est en cours d'instruction")
    actions = agent_page.get_by_role("region", name="Actions")
    actions.get_by_role("link", name=f"demande de modification {modification.numero}").click()
    expect(agent_page.get_by_role("heading", level=1)).to_have_text(f"Demande {modification.numero}")

    # The holder: « Mes autorisations » → the registration → its modification in progress
    se_connecter(page, "/soprano/rex/", operateur.username)
    autorisations = ouvrir_onglet(page, "Mes autorisations")
    ligne = autorisations.get_by_role("row").filter(has=page.get_by_role("link", name=numero_rex))
    expect(ligne).to_contain_text("Modification demandée")
    ligne.get_by_role("link", name=numero_rex).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {deposee.numero}")
    page.get_by_role("main").get_by_role("link", name=f"demande {modification.numero}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {modification.numero}")
    expect(statut(page)).to_have_text("En étude")


# §7.2 « Les modifications apparaissent en orange », on the officer's side too ----------------------


def test_l_agent_voit_en_orange_ce_que_la_modification_change(
    page,
    modification,
    agent,  # noqa: F811
):
    se_connecter(page, f"/agent/demandes/{modification.pk}/", agent.username)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {modification.numero}")
    legende = page.get_by_text(
        "Les données que cette demande modifie dans l'enregistrement apparaissent en orange."
    )
    expect(legende).to_be_visible()
    modifiee_en_orange(legende.get_by_text("en orange", exact=True))
    courriel = page.locator("#recap-2 + dl dt", has_text="Courriel").locator("xpath=following-sibling::dd[1]")
    expect(courriel).to_have_text(NOUVEAU_COURRIEL)
    modifiee_en_orange(courriel)
    for inchange in ("#recap-1", "#recap-4", "#recap-5", "#recap-6"):
        expect(page.locator(inchange)).not_to_have_css("color", ORANGE)


# §7.3 « Révoquer l'enregistrement »: its dates ------------------------------------------------------


def test_les_dates_de_la_revocation(page, deposee, agent):  # noqa: F811
    aujourd_hui = timezone.localdate()
    validite = aujourd_hui - timedelta(days=20)
    enregistrement = services.octroyer(demande=deposee, by=agent, date_validite=validite)
    numero_rex = enregistrement.numero_rex
    se_connecter(page, f"/agent/demandes/{enregistrement.pk}/", agent.username)

    # Before the validity date, and a letter dated tomorrow: refused, each field says why
    formulaire = action_agent(page, "Révoquer l'enregistrement")
    champ(formulaire, "Motif de la révocation").select_option(index=1)
    champ(formulaire, "Droit d'être entendu : date du courrier").fill(
        (aujourd_hui + timedelta(days=1)).isoformat()
    )
    champ(formulaire, "Révocation à compter du").fill((validite - timedelta(days=5)).isoformat())
    cocher(formulaire.get_by_label("Je confirme la révocation de cet enregistrement"))
    formulaire.get_by_role("button", name="Révoquer l'enregistrement", exact=True).click()
    expect(formulaire).to_be_visible()  # the page again, the form unfolded with its errors
    # Read with the field, as a screen reader says it (its accessible description)
    droit_entendu = champ(formulaire, "Droit d'être entendu : date du courrier")
    expect(droit_entendu).to_have_accessible_description(
        re.compile(
            "Le courrier du droit d'être entendu précède la décision : il ne peut pas être daté dans le futur"
        )
    )
    a_compter_du = champ(formulaire, "Révocation à compter du")
    expect(a_compter_du).to_have_accessible_description(
        re.compile(
            re.escape(
                "La révocation ne peut pas prendre effet avant la date de validité de l'enregistrement "
                f"({validite:%d/%m/%Y})"
            )
        )
    )
    expect(statut(page)).to_have_text("Octroyée")
    assert statut_en_base(enregistrement) == Statut.OCTROYEE

    # The letter sent three days ago, the revocation in a fortnight: recorded
    revocation = aujourd_hui + timedelta(days=15)
    champ(formulaire, "Droit d'être entendu : date du courrier").fill(
        (aujourd_hui - timedelta(days=3)).isoformat()
    )
    champ(formulaire, "Révocation à compter du").fill(revocation.isoformat())
    expect(formulaire.get_by_label("Je confirme la révocation de cet enregistrement")).to_be_checked()
    formulaire.get_by_role("button", name="Révoquer l'enregistrement", exact=True).click()
    expect(alerte(page, "success")).to_be_visible()
    expect(statut(page)).to_have_text("Révoquée")

    # « Vérifier un numéro REX »: still valid until the revocation takes effect, and it says when
    page.goto("/verifier/")
    champ(page, "Numéro REX").fill(numero_rex)
    page.get_by_role("button", name="Vérifier").click()
    resultat = page.get_by_role("status")
    expect(resultat.get_by_role("heading", name="Numéro REX valide")).to_be_visible()
    expect(resultat).to_contain_text(f"révoqué à compter du {revocation:%d/%m/%Y}")


@pytest.mark.skipif(
    not chromium_en_francais(),
    reason="Debian's chromium shows date fields in French only with its French locale, in the package "
    "chromium-l10n (not installed): date fields read mm/dd/yyyy.",
)
def test_les_champs_date_s_affichent_en_jj_mm_aaaa(page, deposee, agent):  # noqa: F811
    """« Format : jj/mm/aaaa », says the help text of « Valable à partir du »: so does the field."""
    se_connecter(page, f"/agent/demandes/{deposee.pk}/", agent.username)
    formulaire = action_agent(page, "Octroyer")
    date = champ(formulaire, "Valable à partir du")
    expect(date).to_have_accessible_description(re.compile(r"Format : jj/mm/aaaa"))
    aujourd_hui = timezone.localdate()
    assert texte_affiche(page, date) == f"{aujourd_hui:%d/%m/%Y}"
    date.fill("")
    assert texte_affiche(page, date) == "jj/mm/aaaa"
    # Typed as it reads: day, month, year
    date.focus()
    page.keyboard.type("15032025")
    expect(date).to_have_value("2025-03-15")
    assert texte_affiche(page, date) == "15/03/2025"


# §5 « À noter »: a request filed on paper, completed on paper ---------------------------------------


def test_le_service_enregistre_le_complement_recu_sur_papier(page, agent, sent_emails, tmp_path):  # noqa: F811
    titulaire = EntrepriseFactory(raison_sociale="Domaine Lestrade")
    papier = services.soumettre(demande=depot_papier(agent, titulaire), by=agent)
    services.prendre_en_charge(demande=papier, by=agent)
    services.demander_complement(demande=papier, by=agent, texte=QUESTION)
    numero = papier.numero
    complements = "Courrier du 12 mars : nouveau téléphone du service export, lettre jointe."

    # The request's page: « Enregistrer le complément reçu sur papier »
    se_connecter(page, f"/agent/demandes/{papier.pk}/", agent.username)
    expect(statut(page)).to_have_text("Incomplète")
    actions = page.get_by_role("region", name="Actions")
    actions.get_by_role("link", name="Enregistrer le complément reçu sur papier").click()

    # The request form: the rubriques and the documents, keyed in from the letter
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demande d'enregistrement en tant qu'exportateur enregistré (REX)"
    )
    expect(page.get_by_role("heading", name="Complément reçu sur formulaire papier")).to_be_visible()
    champ(page.locator("#rubrique-2"), "Téléphone").fill("05 56 00 11 22")
    page.get_by_role("button", name="Gérer les documents de la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gérer les documents de la demande")
    champ(page, "Parcourir").set_input_files(petit_pdf(tmp_path / "courrier-12-mars.pdf"))
    champ(page, "Nom du document").fill("Courrier du 12 mars")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_text("Le document « Courrier du 12 mars » a été ajouté.")).to_be_visible()
    page.get_by_role("link", name="Revenir au formulaire de la demande").click()
    expect(champ(page.locator("#rubrique-2"), "Téléphone")).to_have_value("05 56 00 11 22")
    page.get_by_role("button", name="Valider et passer à l'étape suivante").click()

    # The recap: « Compléments apportés à la demande », « Transmettre le complément »
    titre = page.get_by_role("heading", level=1)
    expect(titre).to_have_text(f"Complément reçu sur papier — demande {numero}")
    recap = page.get_by_role("main")
    expect(recap).to_contain_text("05 56 00 11 22")
    expect(recap).to_contain_text("Courrier du 12 mars")
    champ(page, "Compléments apportés à la demande").fill(complements)
    page.get_by_role("button", name="Transmettre le complément").click()

    # « En étude » again; the history says how the complement came; the holder is told
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {numero}")
    expect(alerte(page, "success")).to_contain_text(
        f"Le complément reçu sur papier a été enregistré : la demande {numero} est de nouveau au statut "
        "« En étude »"
    )
    expect(statut(page)).to_have_text("En étude")
    trace = historique(page).filter(
        has_text="Complément reçu sur formulaire papier, enregistré par le service"
    )
    expect(trace).to_contain_text(complements)
    assert statut_en_base(papier) == Statut.EN_ETUDE
    courriel = sent_emails.last_to(papier.courriel)
    assert courriel.subject == f"SOPRANO-REX Complément enregistré : {numero}"
    assert complements in courriel.body
    assert f"« {BUREAU} »" in courriel.body


# The queue's search: how many requests match -----------------------------------------------------


def test_le_compte_des_demandes_trouvees(page, bureau, deposee, agent):  # noqa: F811
    autre = UserFactory(habilite=True, entreprise=EntrepriseFactory(raison_sociale="Domaine Duvigneau"))
    brouillon = DemandeFactory(complete=True, created_by=autre, bureau=bureau)
    seconde = services.soumettre(demande=brouillon, by=autre)
    se_connecter(page, "/agent/", agent.username)

    rechercher(page, "Duvigneau")
    resultats = page.get_by_role("main")
    expect(resultats).to_contain_text("2 demandes correspondent à votre recherche")
    for demande in (deposee, seconde):
        expect(page.get_by_role("link", name=demande.numero, exact=True)).to_be_visible()

    rechercher(page, seconde.numero)
    expect(resultats).to_contain_text("1 demande correspond à votre recherche")
    expect(resultats).not_to_contain_text("correspondant")
    expect(page.get_by_role("link", name=deposee.numero, exact=True)).to_have_count(0)
