"""The whole journey of a new exporter in the real browser, with the guide's words (§3 to §5).

Sign-up and activation, « Me connecter » before certification, the PAE's Django admin (company,
« Certifier », « Habiliter »), « Demander mon habilitation », « Mon tableau de bord » down to the
REX form, the form itself (htmx rows, search-as-you-type over the real HS nomenclature, documents),
the draft, the recap and the submission. The live server runs in this process: the e-mails are
read from the locmem outbox.
"""

import os
import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command

import pytest
from playwright.sync_api import Locator, Page, expect
from stdnum import luhn
from stdnum.fr import siret

from accounts.models import Departement
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDENTIFIANT = "claireduvigneau"
MOT_DE_PASSE = "Vendanges#2025"
COURRIEL_COMPTE = "claire.duvigneau@vignobles-duvigneau.fr"
COURRIEL_DEMANDE = "export@vignobles-duvigneau.fr"
COURRIEL_PAE = "pae-lyon@douane.example"
RAISON_SOCIALE = "Vignobles Duvigneau"
BUREAU = "Bureau de douane de Lyon"
CADRES = (
    "Accord économique et commercial global UE–Canada (AECG/CETA)",
    "Accord de partenariat économique UE–Japon",
)
NUMERO = re.compile(r"FR-REX-\d{4}-\d{5}")


# Helpers -----------------------------------------------------------------------------------------


def champ(scope: Page | Locator, libelle: str) -> Locator:
    """The field whose label starts with `libelle`: DSFR labels also hold the required marker and
    the hint text (« Nom » must not match « Nom du document » nor « Prénom »)."""
    return scope.get_by_label(re.compile(r"^\s*" + re.escape(libelle) + r"(?![\w'’])"))


def cocher(case: Locator) -> None:
    """Ticks a DSFR checkbox or radio the way a user does: on its label, which covers the input."""
    case.page.locator(f"label[for='{case.get_attribute('id')}']").click()
    expect(case).to_be_checked()


def capture(page: Page, nom: str) -> None:
    """A full-page screenshot into $SCREENSHOTS_DIR, when set (to look at the pages by eye)."""
    dossier = os.environ.get("SCREENSHOTS_DIR")
    if dossier:
        Path(dossier).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(dossier) / f"{nom}.png", full_page=True)


def siret_valide() -> str:
    """A SIRET whose SIREN and whole number pass the Luhn check (as stdnum.fr.siret wants)."""
    siren = "73282932"
    siren += luhn.calc_check_digit(siren)
    numero = siren + "0001"
    numero += luhn.calc_check_digit(numero)
    assert siret.is_valid(numero)
    return numero


def petit_pdf(path: Path) -> Path:
    """A real one-page PDF (valid cross-reference table), a few hundred bytes."""
    objets = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # contents, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    flux = b"BT /F1 18 Tf 72 760 Td (Fiche produit - vins rouges) Tj ET"
    objets[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(flux), flux)
    contenu = bytearray(b"%PDF-1.4\n")
    positions = []
    for numero, objet in enumerate(objets, start=1):
        positions.append(len(contenu))
        contenu += b"%d 0 obj\n%s\nendobj\n" % (numero, objet)
    xref = len(contenu)
    contenu += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1)
    contenu += b"".join(b"%010d 00000 n \n" % position for position in positions)
    contenu += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objets) + 1,
        xref,
    )
    path.write_bytes(bytes(contenu))
    return path


def choisir_position(page: Page, ligne: Locator, saisie: str, code: str, *, clavier: int = 0):
    """Rubrique 5: types `saisie` key by key, then picks `code` in the listbox, with the mouse, or
    with ArrowDown pressed `clavier` times then Enter."""
    position = champ(ligne, "Position tarifaire (SH4) ou chapitre")
    position.press_sequentially(saisie, delay=20)
    expect(position).to_have_attribute("aria-expanded", "true")
    suggestions = page.locator("#" + position.get_attribute("aria-controls"))
    expect(suggestions).to_have_attribute("role", "listbox")
    option = suggestions.get_by_role("option", name=re.compile(rf"^{code} – "))
    libelle = option.get_attribute("data-libelle")
    options_avant = suggestions.locator("li").all_text_contents()
    if clavier:
        for _ in range(clavier):
            position.press("ArrowDown")
        expect(option).to_have_attribute("aria-selected", "true")
        expect(position).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
        position.press("Enter")
    else:
        option.click()
    expect(position).to_have_value(code)
    expect(position).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()
    # The official label shows under the field; the (hidden) options are left as they were.
    expect(ligne.get_by_text(libelle, exact=True).filter(visible=True)).to_be_visible()
    assert suggestions.locator("li").all_text_contents() == options_avant


# Fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def reference_data(transactional_db):
    """Départements, offices, frameworks and the real HS nomenclature (data file shipped: no network).

    The PAE of the Rhône has an address, as the PAE sets it in the admin: the habilitation request
    reaches it by e-mail."""
    call_command("load_reference_data", stdout=StringIO())
    Departement.objects.filter(code="69").update(pae_courriel=COURRIEL_PAE)


@pytest.fixture
def pae_page(browser, live_server):
    """A second browser (own cookies): the PAE's session in the Django admin."""
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


# The journey -------------------------------------------------------------------------------------


def test_parcours_complet_d_un_nouvel_exportateur(
    page, pae_page, live_server, reference_data, sent_emails, tmp_path
):
    # §3.2.1 « S'inscrire », then the activation link of the e-mail --------------------------------
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="S'inscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("S'inscrire")
    champ(page, "Identifiant").fill(IDENTIFIANT)
    champ(page, "Prénom").fill("Claire")
    champ(page, "Nom").fill("Duvigneau")
    champ(page, "Adresse électronique").fill(COURRIEL_COMPTE)
    champ(page, "Mot de passe").fill(MOT_DE_PASSE)
    champ(page, "Confirmation du mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activez votre compte")
    expect(page.get_by_role("main")).to_contain_text(COURRIEL_COMPTE)

    activation = sent_emails.last_to(COURRIEL_COMPTE)
    lien = next(url for url in sent_emails.links(activation) if "/compte/activation/" in url)
    assert lien.startswith(live_server.url)
    page.goto(lien)
    expect(page.get_by_text("Votre compte est activé.")).to_be_visible()

    # §3.2.2 « Me connecter »: not certified yet, the FAQ says what to do (not an error page) -------
    champ(page, "Identifiant").fill(IDENTIFIANT)
    champ(page, "Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon tableau de bord")
    expect(page.get_by_role("heading", name="Votre compte n'est pas encore certifié")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("contactez votre pôle d'action économique")
    expect(page.locator(".fr-alert--error")).to_have_count(0)
    capture(page, "0-tableau-de-bord-non-certifie")

    # §2 The PAE, in the Django admin: the company, tied to the account, « Certifier » ---------------
    pae = UserFactory(username="paelyon", is_staff=True, is_superuser=True)
    admin = pae_page
    admin.goto("/admin/")
    champ(admin, "Identifiant").fill(pae.username)
    champ(admin, "Mot de passe").fill("Motdepasse1!")
    admin.get_by_role("button", name="Connexion").click()
    admin.locator("tr.model-entreprise").get_by_role("link", name="Ajouter").click()
    numero_siret = siret_valide()
    champ(admin, "Numéro EORI").fill("FR" + numero_siret)
    champ(admin, "SIRET").fill(numero_siret)
    champ(admin, "Raison sociale").fill(RAISON_SOCIALE)
    champ(admin, "Adresse").fill("12 chemin des Coteaux")
    champ(admin, "Code postal").fill("69220")
    champ(admin, "Ville").fill("Belleville-en-Beaujolais")
    admin.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(admin.locator(".messagelist .success")).to_contain_text("a été ajouté avec succès")

    admin.goto("/admin/accounts/user/")
    admin.get_by_role("link", name=IDENTIFIANT, exact=True).click()
    admin.locator("#id_entreprise + .select2").click()
    admin.locator(".select2-search__field").fill("Duvigneau")
    admin.get_by_role("option", name=re.compile(RAISON_SOCIALE)).click()
    admin.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(admin.locator(".messagelist .success")).to_contain_text("a été modifié avec succès")
    admin.get_by_role("row").filter(has_text=IDENTIFIANT).get_by_role("checkbox").check()
    champ(admin, "Action").select_option(label="Certifier")
    admin.get_by_role("button", name="Envoyer").click()
    expect(admin.locator(".messagelist .success")).to_have_text(f"Comptes certifiés : {IDENTIFIANT}.")
    capture(admin, "0-admin-certifier")

    # §3.2.3.1 « Demander mon habilitation »: the département's PAE receives it ---------------------
    page.reload()
    carte = page.locator("#service-soprano")
    expect(carte).to_contain_text("Demande d'autorisation douanière et fiscale (SOPRANO)")
    carte.get_by_role("link", name="Demander mon habilitation").click()
    champ(page, "Votre département").select_option(label="69 – Rhône")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande d'habilitation a été envoyée")).to_be_visible()
    demande_habilitation = sent_emails.last_to(COURRIEL_PAE)
    assert IDENTIFIANT in demande_habilitation.body

    admin.goto("/admin/")
    admin.get_by_role("link", name="Demandes d'habilitation").click()
    admin.get_by_role("row").filter(has_text=RAISON_SOCIALE).get_by_role("checkbox").check()
    champ(admin, "Action").select_option(label="Habiliter")
    admin.get_by_role("button", name="Envoyer").click()
    expect(admin.locator(".messagelist .success")).to_have_text(
        f"Comptes habilités au téléservice SOPRANO : {IDENTIFIANT}."
    )

    sujets = [message.subject for message in sent_emails.to(COURRIEL_COMPTE)]
    assert "SOPRANO/REX : votre compte est certifié" in sujets
    assert "SOPRANO/REX : vous êtes habilité au téléservice SOPRANO" in sujets

    # §3.3–§4 « Mon tableau de bord » → SOPRANO → « Origine » → « Déposer une demande » ------------
    # « l'onglet déroulant sous votre compte utilisateur », then « Mon tableau de bord ».
    compte = page.get_by_role("banner").get_by_role("navigation", name="Mon compte").first
    compte.get_by_role("button", name="Claire Duvigneau").click()
    compte.get_by_role("link", name="Mon tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon tableau de bord")
    expect(
        page.locator("#service-soprano").get_by_role("link", name="Accéder au service en ligne")
    ).to_be_visible()
    page.get_by_role("link", name="Demande d'autorisation douanière et fiscale (SOPRANO)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil du téléservice SOPRANO")
    page.get_by_role("link", name="Origine – Entrer dans le domaine d'activité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    page.get_by_role("main").get_by_role("link", name="Déposer une demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demande d'enregistrement en tant qu'exportateur enregistré (REX)"
    )
    page.wait_for_load_state()

    # §5.2.1–§5.2.7 The form ------------------------------------------------------------------------
    champ(page, "Bureau de douane compétent").select_option(label=BUREAU)
    rubrique_2 = page.locator("#rubrique-2")
    expect(rubrique_2).to_contain_text("FR" + numero_siret)
    expect(rubrique_2).to_contain_text("12 chemin des Coteaux, 69220 Belleville-en-Beaujolais")
    champ(rubrique_2, "Téléphone").fill("04 74 66 12 34")
    courriel = champ(rubrique_2, "Courriel")
    expect(courriel).to_have_value(COURRIEL_COMPTE)
    courriel.fill(COURRIEL_DEMANDE)
    cocher(rubrique_2.get_by_label("Production"))

    # Rubrique 4: the second contact comes through htmx, without reloading the page
    contacts = (
        ("Duvigneau", "Claire", "Gérante", "04 74 66 12 34", "claire@vignobles-duvigneau.fr"),
        ("Martin", "Paul", "Responsable export", "06 12 34 56 78", "paul@vignobles-duvigneau.fr"),
    )
    page.evaluate("window.memePage = true")
    url_formulaire = page.url
    page.locator("#rubrique-4").get_by_role("button", name="Ajouter une ligne +").click()
    deuxieme = page.get_by_role("group", name="Contact n°2")
    expect(champ(deuxieme, "Nom")).to_be_focused()
    assert page.evaluate("window.memePage") is True
    assert page.url == url_formulaire
    for numero, (nom, prenom, fonction, telephone, adresse) in enumerate(contacts, start=1):
        ligne = page.get_by_role("group", name=f"Contact n°{numero}")
        champ(ligne, "Nom").fill(nom)
        champ(ligne, "Prénom").fill(prenom)
        champ(ligne, "Fonction").fill(fonction)
        champ(ligne, "Téléphone").fill(telephone)
        champ(ligne, "Courriel").fill(adresse)

    # Rubrique 5: three lines found by search-as-you-type over the real nomenclature
    rubrique_5 = page.locator("#rubrique-5")
    marchandises = [page.get_by_role("group", name=f"Marchandise n°{n}") for n in (1, 2, 3)]
    for ligne in marchandises[1:]:
        rubrique_5.get_by_role("button", name="Ajouter une ligne +").click()
        expect(ligne).to_be_visible()
    choisir_position(page, marchandises[0], "vin", "2204")
    expect(marchandises[0].get_by_text(re.compile("^Vins de raisins frais"))).to_be_visible()
    choisir_position(page, marchandises[1], "84", "8414")
    choisir_position(page, marchandises[2], "café", "0901", clavier=2)
    descriptions = ("Vins rouges AOC Beaujolais", "Pompes de cuverie", "Café torréfié")
    for ligne, description in zip(marchandises, descriptions, strict=True):
        champ(ligne, "Description sommaire de la marchandise").fill(description)
    assert page.evaluate("window.memePage") is True
    assert page.url == url_formulaire

    # Rubriques 6 and 7
    for cadre in CADRES:
        cocher(page.get_by_label(cadre))
    rubrique_7 = page.locator("#rubrique-7")
    cocher(rubrique_7.get_by_label("Je m'engage à souscrire"))
    champ(rubrique_7, "Nom").fill("Claire Duvigneau")
    champ(rubrique_7, "Fonction").fill("Gérante")
    champ(rubrique_7, "Lieu").fill("Belleville-en-Beaujolais")
    cocher(rubrique_7.get_by_label(re.compile(r"^\s*Oui")))
    capture(page, "1-formulaire-rempli")

    # §5.2.8 « Gérer les documents de la demande »: the draft is saved, then the document manager
    page.get_by_role("button", name="Gérer les documents de la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gérer les documents de la demande")
    champ(page, "Parcourir").set_input_files(petit_pdf(tmp_path / "fiche-produit.pdf"))
    champ(page, "Nom du document").fill("Fiche produit")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_text("Le document « Fiche produit » a été ajouté.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="fiche-produit.pdf")).to_contain_text("Fiche produit")
    capture(page, "1-documents")
    page.get_by_role("link", name="Revenir au formulaire de la demande").click()
    expect(page.locator("#documents")).to_contain_text("Fiche produit")

    # §5.2.9 « Reprendre plus tard » → « Mes brouillons » → the draft comes back as typed ----------
    page.get_by_role("button", name="Reprendre plus tard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    expect(page.get_by_text("sauvegardée à l'état de brouillon")).to_be_visible()
    page.get_by_role("tab", name=re.compile(r"^Mes brouillons")).click()
    brouillons = page.get_by_role("tabpanel", name=re.compile(r"^Mes brouillons"))
    brouillons.get_by_role("link", name=re.compile(r"^Brouillon n° \d+")).click()
    expect(champ(page, "Bureau de douane compétent").locator("option:checked")).to_have_text(BUREAU)
    expect(champ(page.locator("#rubrique-2"), "Téléphone")).to_have_value("04 74 66 12 34")
    expect(champ(page.locator("#rubrique-2"), "Courriel")).to_have_value(COURRIEL_DEMANDE)
    expect(page.get_by_label("Production")).to_be_checked()
    expect(page.locator("#lignes-contacts [data-ligne]")).to_have_count(2)
    for numero, (nom, *_rest) in enumerate(contacts, start=1):
        ligne = page.get_by_role("group", name=f"Contact n°{numero}")
        expect(champ(ligne, "Nom")).to_have_value(nom)
    expect(page.locator("#lignes-marchandises [data-ligne]")).to_have_count(3)
    for numero, code in enumerate(("2204", "8414", "0901"), start=1):
        ligne = page.get_by_role("group", name=f"Marchandise n°{numero}")
        expect(champ(ligne, "Position tarifaire (SH4) ou chapitre")).to_have_value(code)
    for cadre in CADRES:
        expect(page.get_by_label(cadre)).to_be_checked()
    expect(page.get_by_label("Je m'engage à souscrire")).to_be_checked()
    expect(page.locator("#documents")).to_contain_text("Fiche produit")

    # « Valider et passer à l'étape suivante » → recap; « Retour »; then « Soumettre ma demande » ---
    page.get_by_role("button", name="Valider et passer à l'étape suivante").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif de votre demande")
    recap = page.get_by_role("main")
    for texte in ("2204", "8414", "0901", "Duvigneau", "Martin", "Fiche produit", BUREAU, *CADRES):
        expect(recap).to_contain_text(texte)
    capture(page, "2-recapitulatif")
    page.get_by_role("link", name="Retour").click()
    expect(page).to_have_url(re.compile(r"/demandes/\d+/formulaire/$"))
    expect(champ(page.locator("#rubrique-2"), "Téléphone")).to_have_value("04 74 66 12 34")
    page.get_by_role("button", name="Valider et passer à l'étape suivante").click()
    page.get_by_role("button", name="Soumettre ma demande").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande a bien été soumise")
    numero = page.locator("#numero-demande").inner_text()
    assert NUMERO.fullmatch(numero), numero
    expect(page.get_by_role("main")).to_contain_text("« En étude »")
    capture(page, "3-confirmation")
    confirmation = sent_emails.last_to(COURRIEL_DEMANDE)
    assert numero in confirmation.subject
    assert numero in confirmation.body

    page.get_by_role("main").get_by_role("link", name="Mes demandes en cours").click()
    en_cours = page.get_by_role("tabpanel", name=re.compile(r"^Mes demandes en cours"))
    ligne = en_cours.get_by_role("row").filter(has=page.get_by_role("link", name=numero))
    expect(ligne).to_contain_text("En étude")
    expect(ligne).to_contain_text(RAISON_SOCIALE)
    capture(page, "4-accueil-rex")


# Errors and keyboard -----------------------------------------------------------------------------


def test_validation_du_formulaire_vide_et_clavier(page, reference_data):
    user = UserFactory(username="paulmartin", habilite=True)
    page.goto("/compte/connexion/")
    champ(page, "Identifiant").fill(user.username)
    champ(page, "Mot de passe").fill("Motdepasse1!")
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon tableau de bord")
    page.goto("/soprano/rex/demandes/nouvelle/")

    # An empty form (only a phone number): the summary lists what is missing, with links
    champ(page.locator("#rubrique-2"), "Téléphone").fill("04 78 00 00 00")
    page.get_by_role("button", name="Valider et passer à l'étape suivante").click()
    resume = page.get_by_role("alert").filter(has_text="Votre formulaire ne peut pas être validé")
    expect(resume).to_be_visible()
    expect(champ(page.locator("#rubrique-2"), "Téléphone")).to_have_value("04 78 00 00 00")
    liens = resume.get_by_role("link")
    for libelle in (
        "Bureau de douane compétent",
        "Activité principale",
        "Cadre(s) préférentiel(s)",
        "Je m'engage à souscrire",
        "Nom",
        "Fonction",
        "Lieu",
        "Consentez-vous à la publication de vos données ?",
        "Contacts",
        "Marchandises",
    ):
        expect(liens.filter(has_text=re.compile(rf"^{re.escape(libelle)}$"))).to_have_count(1)
    expect(liens.filter(has_text="Téléphone")).to_have_count(0)  # typed, so not missing
    expect(liens.filter(has_text="Courriel")).to_have_count(0)  # pre-filled from the account
    for href in liens.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        expect(page.locator(href), f"lien {href} du résumé sans cible").to_have_count(1)
    resume.get_by_role("link", name="Bureau de douane compétent").click()
    expect(champ(page, "Bureau de douane compétent")).to_be_focused()
    resume.get_by_role("link", name="Activité principale").click()
    expect(page.get_by_label("Production")).to_be_focused()
    capture(page, "5-resume-erreurs")

    # The nomenclature listbox with the keyboard only. After this validation the empty rubrique 5
    # still shows one empty row to fill in.
    page.wait_for_load_state()
    ligne = page.get_by_role("group", name="Marchandise n°1")
    position = champ(ligne, "Position tarifaire (SH4) ou chapitre")
    position.focus()
    page.keyboard.type("café", delay=20)
    expect(position).to_have_attribute("aria-expanded", "true")
    suggestions = page.get_by_role("listbox", name="Positions tarifaires proposées")
    expect(suggestions.get_by_role("option")).to_have_count(3)
    page.keyboard.press("ArrowDown")
    expect(suggestions.get_by_role("option", selected=True)).to_have_text(re.compile(r"^09 – "))
    page.keyboard.press("ArrowDown")
    expect(suggestions.get_by_role("option", selected=True)).to_have_text(re.compile(r"^0901 – "))
    url = page.url
    page.keyboard.press("Enter")
    expect(position).to_have_value("0901")
    expect(position).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()
    expect(ligne.get_by_text(re.compile("^Café, même torréfié"))).to_be_visible()
    expect(position).to_be_focused()
    assert page.url == url  # Enter picked the heading, it did not submit the form
