"""« Tableau de bord du service » in the real browser, under the production Content-Security-Policy: the
State's chart components (@gouvfr/dsfr-chart, vendored) draw their charts without a single CSP
violation, each chart has its data table, and the page says everything without JavaScript."""

import io
import re

from django.core.management import call_command

import pytest
from playwright.sync_api import Page, expect

from accounts.management.commands.load_demo import DEMO_PASSWORD
from tests.agent.test_tableau_de_bord import _decidees
from tests.browser.test_instruction import se_connecter
from tests.browser.test_parcours import champ
from tests.factories import BureauDouaneFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADRESSE = "/agent/tableau-de-bord/"
TABLEAUX = (
    "Demandes déposées par mois (date de dépôt)",
    "Demandes par statut aujourd'hui",
    "Délais de traitement, en jours",
    "Demandes en instruction par ancienneté depuis le dépôt",
    "Activité des agents du service",
)


@pytest.fixture
def agent_du_service():
    service = BureauDouaneFactory(nom="Bureau de Lyon")
    agent = UserFactory(service=service, username="agenttableau", first_name="Anne", last_name="Aubry")
    _decidees(service, 12, agent)
    return agent


def test_the_charts_render_under_the_csp_with_their_data_tables(page: Page, agent_du_service):
    csp = []  # (message, script): a script of the page has its address
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and csp.append((message.text, message.location.get("url", "")))
        ),
    )
    se_connecter(page, ADRESSE, agent_du_service.username)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord du service")
    graphiques = page.locator("bar-chart")
    expect(graphiques).to_have_count(4)
    for rang in range(4):
        expect(graphiques.nth(rang).locator("canvas")).to_be_visible()
    assert page.evaluate("customElements.get('bar-chart') !== undefined")
    # The legend is styled inside the chart's shadow root (static/js/graphiques.js): a coloured dot.
    point = graphiques.first.locator(".legende_dot")
    expect(point).to_have_css("width", re.compile(r"^1[23](\.[0-9]+)?px$"))  # 0.8rem, not 0
    for legende in TABLEAUX:
        expect(page.get_by_role("table", name=legende)).to_be_visible()
    statuts = page.get_by_role("table", name="Demandes par statut aujourd'hui")
    expect(statuts.get_by_role("row", name="Incomplète")).to_contain_text("6")
    agents = page.get_by_role("table", name="Activité des agents du service")
    expect(agents.get_by_role("row", name="Anne Aubry")).to_contain_text("12")
    # Drawn, and not one violation yet (axe-core has not run on this page: it runs before the next action).
    assert csp == []

    # The mouse over the bars opens no tooltip (its inline style would break the CSP): the tables say it.
    for rang in range(4):
        cadre = graphiques.nth(rang).locator("canvas").bounding_box()
        for x in range(1, 10):
            page.mouse.move(cadre["x"] + cadre["width"] * x / 10, cadre["y"] + cadre["height"] * 0.9)
    expect(graphiques.first.locator(".tooltip")).to_be_hidden()

    # The period is chosen with the keyboard, in a GET form.
    page.get_by_role("combobox", name=re.compile("^Période")).select_option("6")
    page.get_by_role("button", name="Afficher").press("Enter")
    expect(page).to_have_url(re.compile(r"\?periode=6$"))
    expect(page.get_by_role("table", name=TABLEAUX[0]).locator("tbody tr")).to_have_count(6)
    expect(graphiques.first.locator("canvas")).to_be_visible()
    # axe-core, run by these tests before each action, parses the stylesheets of the charts' shadow roots
    # into <style> elements of its own (evaluated scripts, without an address), which the policy
    # reports; the page's own scripts never break it.
    assert [message for message, script in csp if script] == []


def test_the_page_says_everything_without_javascript(browser, live_server, agent_du_service):
    contexte = browser.new_context(locale="fr-FR", base_url=live_server.url, java_script_enabled=False)
    page = contexte.new_page()
    se_connecter(page, ADRESSE, agent_du_service.username)
    for legende in TABLEAUX:
        expect(page.get_by_role("table", name=legende)).to_be_visible()
    expect(page.get_by_text("décisions (octroi ou rejet) sur la période")).to_be_visible()
    contexte.close()


def test_the_demo_officer_finds_the_dashboard_and_a_staff_officer_chooses_the_service(page: Page):
    """As a new user would, on the demo data: the demo officer, from his queue; then a staff officer, who
    starts from the national view and picks a service with the keyboard."""
    paris = BureauDouaneFactory(nom="Bureau de Paris-Louvre")
    call_command("load_demo", stdout=io.StringIO())
    page.goto("/agent/")
    champ(page, "Identifiant").fill("agent")
    champ(page, "Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.get_by_role("main").get_by_role("link", name="Tableau de bord du service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord du service")
    expect(page.locator("bar-chart canvas")).to_have_count(4)
    agents = page.get_by_role("table", name="Activité des agents du service")
    expect(agents.locator("tbody tr")).to_have_count(5)  # agent, cheffe and the three colleagues
    echeances = page.get_by_role("region", name="Échéances sous 7 jours")
    echeances.get_by_role("link", name="Voir toutes les échéances proches dans la file").click()
    expect(page).to_have_url(re.compile(r"/agent/\?echeance=proche&tri=echeance$"))
    expect(page.get_by_role("status")).to_contain_text("10 demandes")

    staff = UserFactory(service=BureauDouaneFactory(nom="Direction générale"), is_staff=True)
    autre = page.context.browser.new_context(locale="fr-FR", base_url=page.url.split("/agent")[0])
    onglet = autre.new_page()
    se_connecter(onglet, ADRESSE, staff.username)
    expect(onglet.get_by_text("Tous les services (vue nationale)").first).to_be_visible()
    service = onglet.get_by_role("combobox", name="Service")
    service.focus()
    service.select_option(label=paris.nom)
    onglet.keyboard.press("Tab")
    onglet.keyboard.press("Enter")
    expect(onglet).to_have_url(re.compile(rf"service={paris.pk}"))
    expect(onglet.locator(".fr-text--lead")).to_have_text(paris.nom)
    expect(onglet.locator("bar-chart canvas")).to_have_count(4)
    autre.close()
