"""Instruction in the real browser, two people at once (guide §6 and §7.1, with the guide's words).

An officer asks for information, the operator completes the request, the officer grants, the operator
opens the registration from « Mes autorisations » and reads the REX number: each in his own browser
(own cookies), logging in with « Me connecter ». Then two officers of one service on the same request:
the slower one is refused.

The request is filed in Python (services.soumettre, as the form would): the filing itself is
test_parcours's journey. The live server runs in this process: the e-mails are read from the locmem
outbox, the statuses from the database.
"""

import re
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import BureauDouane
from rex import services
from rex.models import Demande, Statut
from tests.browser.test_parcours import capture, champ, cocher
from tests.factories import DemandeFactory, EntrepriseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "Motdepasse1!"  # the factories' password
BUREAU = "Bureau de douane de Lyon"
RAISON_SOCIALE = "Vignobles Duvigneau"
COURRIEL_COMPTE = "claire.duvigneau@vignobles-duvigneau.fr"
COURRIEL_DEMANDE = "export@vignobles-duvigneau.fr"
COURRIEL_AGENT = "paul.lefevre@douane.example"
QUESTION = "Merci d'indiquer un numéro de téléphone joignable en journée pour le suivi export."
NOUVEAU_TELEPHONE = "04 74 66 12 34"
COMPLEMENTS = "Téléphone de la rubrique n°2 remplacé par la ligne directe du service export."
MESSAGE = "Nous restons à votre disposition pour toute autre précision."


# Helpers -----------------------------------------------------------------------------------------


def se_connecter(page: Page, adresse: str, identifiant: str) -> None:
    """Opens `adresse`, which asks to log in first, and logs in with « Me connecter »."""
    page.goto(adresse)
    expect(page).to_have_url(re.compile(r"/compte/connexion/"))
    champ(page, "Identifiant").fill(identifiant)
    champ(page, "Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Me connecter").click()
    expect(page).to_have_url(re.compile(re.escape(adresse) + "$"))


def alerte(page: Page, genre: str):
    """The Django message shown on top of the page (« success », « error » …)."""
    return page.locator(f".fr-alert--{genre}")


def fin_des_transitions(page: Page) -> None:
    """Waits for the page's CSS transitions to end (DSFR tabs slide, accordions unfold: 0.3 s).

    DSFR changes the classes in the click handler, so the transitions exist once `click()` returns.
    A click during a tab's slide may land on the panel that leaves (seen about once in ten runs)."""
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(animation => animation instanceof CSSTransition)
            .map(animation => animation.finished.catch(() => null)))"""
    )


def ouvrir_onglet(page: Page, nom: str) -> Locator:
    """Clicks a tab of the REX home (« Mes autorisations » …); returns its panel, settled."""
    # The tabs work once DSFR's script has started on them: before, a click does nothing.
    expect(page.locator(".fr-tabs")).to_have_attribute("data-fr-js-tabs-group", "true")
    onglet = page.get_by_role("tab", name=re.compile(rf"^{re.escape(nom)} \(\d+\)$"))
    onglet.click()
    expect(onglet).to_have_attribute("aria-selected", "true")
    fin_des_transitions(page)
    panneau = page.get_by_role("tabpanel", name=re.compile(rf"^{re.escape(nom)} "))
    expect(panneau).to_be_visible()
    return panneau


def action_agent(page: Page, libelle: str) -> Locator:
    """An action of the officer's page: opens its accordion; returns its form, unfolded."""
    bouton = page.get_by_role("button", name=libelle, exact=True).and_(page.locator(".fr-accordion__btn"))
    expect(bouton).to_have_attribute("data-fr-js-collapse-button", "true")
    bouton.click()
    expect(bouton).to_have_attribute("aria-expanded", "true")
    fin_des_transitions(page)
    formulaire = page.locator("#" + bouton.get_attribute("aria-controls"))
    expect(formulaire).to_be_visible()
    return formulaire


def statut(page: Page):
    """The status badge of the request's header (officer's and operator's pages)."""
    return page.locator("dt", has_text="Statut").locator("xpath=following-sibling::dd[1]")


def statut_en_base(demande: Demande) -> str:
    return Demande.objects.values_list("statut", flat=True).get(pk=demande.pk)


# Fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def bureau(transactional_db) -> BureauDouane:
    """The reference data (offices, frameworks, the HS nomenclature): the form needs them."""
    call_command("load_reference_data", stdout=StringIO())
    return BureauDouane.objects.get(nom=BUREAU)


@pytest.fixture
def operateur(transactional_db):
    entreprise = EntrepriseFactory(raison_sociale=RAISON_SOCIALE)
    return UserFactory(
        username="claireduvigneau",
        email=COURRIEL_COMPTE,
        first_name="Claire",
        last_name="Duvigneau",
        habilite=True,
        entreprise=entreprise,
    )


@pytest.fixture
def deposee(bureau, operateur) -> Demande:
    """A complete request filed to the Lyon office: « En étude », number FR-REX-AAAA-NNNNN."""
    brouillon = DemandeFactory(complete=True, created_by=operateur, bureau=bureau, courriel=COURRIEL_DEMANDE)
    demande = services.soumettre(demande=brouillon, by=operateur)
    assert demande.statut == Statut.EN_ETUDE
    return demande


@pytest.fixture
def agent(bureau):
    return UserFactory(
        username="paullefevre",
        email=COURRIEL_AGENT,
        first_name="Paul",
        last_name="Lefèvre",
        service=bureau,
    )


@pytest.fixture
def collegue(bureau):
    return UserFactory(
        username="mariecolin",
        email="marie.colin@douane.example",
        first_name="Marie",
        last_name="Colin",
        service=bureau,
    )


# The instruction, both sides ---------------------------------------------------------------------


def test_complement_puis_octroi_vus_par_l_agent_et_par_l_operateur(
    page, autre_navigateur, live_server, deposee, operateur, agent, sent_emails
):
    numero = deposee.numero
    numero_rex = f"FRREX{deposee.titulaire_eori}"
    operatrice = page
    agent_page = autre_navigateur("agent")

    # The officer: the queue shows the request « En étude », not in anyone's charge yet -----------
    se_connecter(agent_page, "/agent/", agent.username)
    expect(agent_page.get_by_role("heading", level=1)).to_have_text("File des demandes")
    ligne = agent_page.get_by_role("row").filter(has=agent_page.get_by_role("link", name=numero))
    expect(ligne).to_contain_text("En étude")
    expect(ligne).to_contain_text(RAISON_SOCIALE)
    expect(ligne).to_contain_text("Non attribuée")
    ligne.get_by_role("link", name=numero).click()
    expect(agent_page.get_by_role("heading", level=1)).to_have_text(f"Demande {numero}")

    # « Prendre en charge »
    agent_page.get_by_role("button", name="Prendre en charge").click()
    expect(alerte(agent_page, "success")).to_contain_text(f"Vous avez pris en charge la demande {numero}.")
    agent_en_charge = agent_page.locator("dt", has_text="Agent en charge").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(agent_en_charge).to_have_text("Paul Lefèvre")
    expect(agent_page.get_by_role("button", name="Prendre en charge")).to_have_count(0)

    # « Demander des informations complémentaires », with the text the operator will read
    formulaire = action_agent(agent_page, "Demander des informations complémentaires")
    champ(formulaire, "Informations complémentaires demandées").fill(QUESTION)
    formulaire.get_by_role("button", name="Demander des informations complémentaires").click()
    expect(alerte(agent_page, "success")).to_contain_text(
        f"La demande {numero} est passée au statut « Incomplète » : le demandeur a jusqu'au"
    )
    deposee.refresh_from_db()
    limite = timezone.localtime(deposee.date_limite)
    expect(statut(agent_page)).to_have_text("Incomplète")
    delai = agent_page.locator("dt", has_text="Date limite de réponse du demandeur").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(delai).to_contain_text(f"{limite:%d/%m/%Y} à {limite:%H:%M}")
    expect(delai).to_contain_text("30 jours restants")
    expect(agent_page.locator("#fil")).to_contain_text(QUESTION)
    demande_incomplete = sent_emails.last_to(COURRIEL_DEMANDE)
    assert demande_incomplete.subject.startswith("SOPRANO-REX Demande incomplète"), demande_incomplete.subject
    assert QUESTION in demande_incomplete.body

    # The operator: « Mes demandes en cours » shows « Incomplète » and the 30 days ---------------
    se_connecter(operatrice, "/soprano/rex/", operateur.username)
    expect(operatrice.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    en_cours = operatrice.get_by_role("tabpanel", name=re.compile(r"^Mes demandes en cours"))
    ligne = en_cours.get_by_role("row").filter(has=operatrice.get_by_role("link", name=numero))
    expect(ligne).to_contain_text("Incomplète")
    expect(ligne).to_contain_text(f"Vous disposez de 30 jours pour répondre, jusqu'au {limite:%d/%m/%Y}")
    ligne.get_by_role("link", name=numero).click()
    expect(operatrice.get_by_role("heading", level=1)).to_have_text(f"Demande {numero}")
    expect(statut(operatrice)).to_have_text("Incomplète")
    # The officer's text is in the « Fil de discussion » and in the history (guide §6.2)
    fil = operatrice.locator("#fil")
    expect(fil.locator(".fr-callout").filter(has_text=QUESTION)).to_contain_text("Service des douanes")
    historique = operatrice.get_by_role("region", name="Historique").get_by_role("listitem")
    expect(historique.filter(has_text="Demande d'information complémentaire")).to_contain_text(QUESTION)

    # « Autres actions » → « Compléter la demande » → « Oui » → the form, editable ----------------
    autres_actions = operatrice.get_by_role("region", name="Autres actions")
    autres_actions.get_by_role("link", name="Compléter la demande").click()
    expect(operatrice.get_by_role("heading", level=1)).to_have_text(f"Compléter la demande {numero}")
    expect(operatrice.get_by_role("main")).to_contain_text(QUESTION)
    operatrice.get_by_role("link", name="Oui", exact=True).click()
    expect(operatrice.get_by_role("heading", level=1)).to_have_text(
        "Demande d'enregistrement en tant qu'exportateur enregistré (REX)"
    )
    rubrique_2 = operatrice.locator("#rubrique-2")
    telephone = champ(rubrique_2, "Téléphone")
    expect(telephone).to_have_value("01 23 45 67 89")
    telephone.fill(NOUVEAU_TELEPHONE)
    operatrice.get_by_role("button", name="Valider et passer à l'étape suivante").click()

    # The recap: « Transmettre le complément » with the box empty is refused ---------------------
    recapitulatif = operatrice.get_by_role("heading", level=1)
    expect(recapitulatif).to_have_text(f"Récapitulatif de votre demande {numero}")
    expect(operatrice.get_by_role("main")).to_contain_text(NOUVEAU_TELEPHONE)
    transmettre = operatrice.get_by_role("button", name="Transmettre le complément")
    transmettre.click()
    erreur = operatrice.get_by_role("alert").filter(has_text="Compléments apportés à la demande")
    expect(erreur).to_contain_text("La case « Compléments apportés à la demande » est obligatoire")
    expect(operatrice.get_by_role("main")).to_contain_text("Vous disposez de 30 jours pour répondre")
    assert statut_en_base(deposee) == Statut.INCOMPLETE
    complements = champ(operatrice, "Compléments apportés à la demande")
    expect(complements).to_have_value("")
    erreur.get_by_role("link", name="Compléments apportés à la demande").click()
    expect(complements).to_be_focused()

    complements.fill(COMPLEMENTS)
    transmettre.click()
    expect(operatrice.get_by_role("heading", level=1)).to_have_text(f"Demande {numero}")
    expect(alerte(operatrice, "success")).to_contain_text(
        f"Votre complément a été transmis au service « {BUREAU} »"
    )
    expect(statut(operatrice)).to_have_text("En étude")
    expect(operatrice.locator("#delai")).to_have_count(0)
    expect(autres_actions.get_by_role("link", name="Compléter la demande")).to_have_count(0)
    assert statut_en_base(deposee) == Statut.EN_ETUDE
    complement_recu = sent_emails.last_to(COURRIEL_AGENT)
    assert complement_recu.subject == f"SOPRANO-REX Complément reçu : {numero}"

    # A message in the « Fil de discussion »: the officer in charge is e-mailed ------------------
    champ(fil, "Votre message").fill(MESSAGE)
    fil.get_by_role("button", name="Envoyer le message").click()
    expect(alerte(operatrice, "success")).to_contain_text(
        "Votre message a été envoyé au service en charge du traitement de la demande."
    )
    expect(fil.locator(".fr-callout").filter(has_text=MESSAGE)).to_contain_text("Demandeur")
    nouveau_message = sent_emails.last_to(COURRIEL_AGENT)
    assert nouveau_message.subject == f"SOPRANO-REX Nouveau message : {numero}"
    assert MESSAGE in nouveau_message.body
    assert f"{live_server.url}/agent/demandes/{deposee.pk}/" in sent_emails.links(nouveau_message)

    # The officer: the complement and the message, then « Octroyer » --------------------------
    agent_page.reload()
    expect(statut(agent_page)).to_have_text("En étude")
    fil_agent = agent_page.locator("#fil")
    for texte in (QUESTION, COMPLEMENTS, MESSAGE):
        expect(fil_agent).to_contain_text(texte)
    historique_agent = agent_page.get_by_role("region", name="Historique").get_by_role("listitem")
    expect(historique_agent.filter(has_text="Compléments apportés à la demande")).to_contain_text(COMPLEMENTS)
    expect(historique_agent.filter(has_text="Message dans le fil de discussion")).to_contain_text(MESSAGE)
    expect(agent_page.locator("#recap-2 + dl")).to_contain_text(NOUVEAU_TELEPHONE)
    expect(agent_page.locator("dt", has_text="Date limite de réponse du demandeur")).to_have_count(0)

    formulaire = action_agent(agent_page, "Octroyer")
    aujourd_hui = timezone.localdate()
    # Valid by default from the complete request, received today
    expect(champ(formulaire, "Valable à partir du")).to_have_value(aujourd_hui.isoformat())
    cocher(formulaire.get_by_label(f"Je confirme l'octroi du numéro REX {numero_rex} à {RAISON_SOCIALE}"))
    formulaire.get_by_role("button", name="Octroyer", exact=True).click()
    expect(alerte(agent_page, "success")).to_contain_text(
        f"L'enregistrement REX {numero_rex} est octroyé, valable à partir du {aujourd_hui:%d/%m/%Y}"
    )
    expect(statut(agent_page)).to_have_text("Octroyée")
    numero_agent = agent_page.locator("dt", has_text="Numéro REX").locator("xpath=following-sibling::dd[1]")
    expect(numero_agent).to_contain_text(
        f"{numero_rex}, enregistré le {aujourd_hui:%d/%m/%Y}, valable à partir du {aujourd_hui:%d/%m/%Y}"
    )
    # A granted registration can now only be revoked (guide §7.3), no longer granted or rejected.
    actions_agent = agent_page.get_by_role("region", name="Actions")
    expect(actions_agent).to_contain_text("Révoquer l'enregistrement")
    expect(actions_agent.get_by_role("button", name="Octroyer", exact=True)).to_have_count(0)
    expect(actions_agent.get_by_role("button", name="Rejeter", exact=True)).to_have_count(0)
    capture(agent_page, "instruction-agent-octroyee")
    assert statut_en_base(deposee) == Statut.OCTROYEE

    # Guide §7: the grant e-mail goes to the account's address, with the number and the dates
    octroi = sent_emails.last_to(COURRIEL_COMPTE)
    assert octroi.subject == f"SOPRANO-REX Numéro REX octroyé : {numero_rex}"
    for texte in (
        f"Numéro d'enregistrement REX : {numero_rex}",
        f"Date d'enregistrement : {aujourd_hui:%d/%m/%Y}",
        f"Enregistrement valable à partir du : {aujourd_hui:%d/%m/%Y}",
    ):
        assert texte in octroi.body, texte

    # The operator: « Mes autorisations » lists the registration; it holds the REX number -------
    menu = operatrice.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Accueil SOPRANO/REX").click()
    expect(operatrice.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    expect(operatrice.get_by_role("tab", name=re.compile(r"^Mes demandes en cours"))).to_have_text(
        "Mes demandes en cours (0)"
    )
    expect(operatrice.get_by_role("tab", name=re.compile(r"^Mes autorisations"))).to_have_text(
        "Mes autorisations (1)"
    )
    autorisations = ouvrir_onglet(operatrice, "Mes autorisations")
    ligne = autorisations.get_by_role("row").filter(has_text=RAISON_SOCIALE)
    expect(ligne).to_contain_text("Octroyée")
    expect(ligne).to_contain_text(BUREAU)
    capture(operatrice, "instruction-operateur-mes-autorisations")
    ligne.get_by_role("link").click()
    expect(operatrice.locator("#numero-rex")).to_have_text(numero_rex)
    expect(statut(operatrice)).to_have_text("Octroyée")
    enregistrement = operatrice.locator(".fr-callout").filter(has_text="Enregistrement REX")
    expect(enregistrement).to_contain_text(f"Date d'enregistrement {aujourd_hui:%d/%m/%Y}")
    expect(enregistrement).to_contain_text(f"Valable à partir du {aujourd_hui:%d/%m/%Y}")
    capture(operatrice, "instruction-operateur-enregistrement")


# Two officers on one request ---------------------------------------------------------------------


def test_le_second_agent_ne_peut_plus_rejeter_une_demande_octroyee(
    autre_navigateur, deposee, agent, collegue, sent_emails
):
    numero = deposee.numero
    premier, second = autre_navigateur("agent"), autre_navigateur("collegue")
    adresse = f"/agent/demandes/{deposee.pk}/"
    se_connecter(premier, adresse, agent.username)
    se_connecter(second, adresse, collegue.username)
    for onglet in (premier, second):
        expect(onglet.get_by_role("heading", level=1)).to_have_text(f"Demande {numero}")
        expect(statut(onglet)).to_have_text("En étude")

    # The first grants
    formulaire = action_agent(premier, "Octroyer")
    cocher(formulaire.get_by_role("checkbox"))
    formulaire.get_by_role("button", name="Octroyer", exact=True).click()
    expect(alerte(premier, "success")).to_contain_text(f"L'enregistrement REX FRREX{deposee.titulaire_eori}")
    expect(statut(premier)).to_have_text("Octroyée")

    # The second, on the page as it was loaded, rejects: refused in French, nothing changes
    envoyes = len(sent_emails)
    formulaire = action_agent(second, "Rejeter")
    champ(formulaire, "Motif du rejet").fill("Marchandises non admissibles au bénéfice du régime.")
    formulaire.get_by_role("button", name="Rejeter", exact=True).click()
    expect(alerte(second, "error")).to_have_text(
        re.compile(r"Action « Rejeter » impossible : la demande est au statut « Octroyée »\.")
    )
    expect(statut(second)).to_have_text("Octroyée")
    expect(second.locator("dt", has_text="Motif du rejet")).to_have_count(0)
    actions_second = second.get_by_role("region", name="Actions")
    expect(actions_second).to_contain_text("Révoquer l'enregistrement")
    expect(actions_second.get_by_role("button", name="Rejeter", exact=True)).to_have_count(0)
    deposee.refresh_from_db()
    assert deposee.statut == Statut.OCTROYEE
    assert deposee.motif_rejet == ""
    assert len(sent_emails) == envoyes  # no rejection e-mail


# Regressions of two defects found by this journey. ---------------------------------------------


def test_mes_autorisations_affiche_le_numero_rex(page, deposee, operateur, agent):
    services.octroyer(demande=deposee, by=agent)
    numero_rex = f"FRREX{deposee.titulaire_eori}"
    se_connecter(page, "/soprano/rex/", operateur.username)
    autorisations = ouvrir_onglet(page, "Mes autorisations")
    ligne = autorisations.get_by_role("row").filter(has_text=RAISON_SOCIALE)
    expect(ligne).to_contain_text("Octroyée")
    # Server-rendered: the row is complete once shown, no need to wait expect's default 5 s
    expect(ligne.get_by_role("link", name=numero_rex)).to_be_visible(timeout=500)


def test_les_courriels_en_texte_brut_ne_contiennent_pas_d_entites_html(deposee, agent, sent_emails):
    services.prendre_en_charge(demande=deposee, by=agent)
    services.demander_complement(demande=deposee, by=agent, texte=QUESTION)
    incomplete = sent_emails.last_to(COURRIEL_DEMANDE)
    assert QUESTION in incomplete.body
    assert "&#" not in incomplete.body and "&amp;" not in incomplete.body
