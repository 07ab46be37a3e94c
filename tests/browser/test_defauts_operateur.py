"""The operator's side of « What first real users hit », in the real browser with the guide's words: each
test follows the guide where a first user stumbled, and fails on the defect that user met.

* §3.5 the REX home: each list is a table named by its caption, the list and its count; paged (its page
  keeps its tab open), searched, filtered by client;
* §6.4 an abandoned request's old link: the service's own 404, which tells those who knew the request that
  it was abandoned, and nobody else;
* §7.2 a modification keeps the registration's documents, each version its own;
* §5.2.3 the customs representative's rubrique 3 comes pre-filled (e-mail, phone);
* §3.2.3.1 a habilitation request for a département whose PAE has no address reaches the PAE staff;
* §3.2.3.2 « Mon tableau de bord » under the account name, with the keyboard.
"""

import re

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest
from playwright.sync_api import Page, expect

from rex import services
from rex.models import Demande
from tests.browser.test_instruction import (
    COURRIEL_DEMANDE,
    MOT_DE_PASSE,
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
)
from tests.browser.test_instruction_clavier import focus_visible, tabuler_jusqu_a
from tests.browser.test_parcours import capture, champ, cocher, petit_pdf
from tests.factories import (
    DemandeFactory,
    DepartementFactory,
    EntrepriseFactory,
    UserFactory,
    demande_representee,
)
from tests.rex.test_accueil import clients_et_demandes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOUVEAU_COURRIEL = "douane@vignobles-duvigneau.fr"
COMMENTAIRE = "Nouvelle adresse du service export ; catalogue 2026 joint, l'ancien retiré."


def pdf_televerse(dossier, nom: str) -> SimpleUploadedFile:
    """A real PDF, as the document manager receives it."""
    return SimpleUploadedFile(nom, petit_pdf(dossier / nom).read_bytes(), content_type="application/pdf")


def se_connecter_a_l_admin(page: Page, identifiant: str) -> None:
    """The PAE's login to the Django admin (its own form, « Connexion »)."""
    page.goto("/admin/")
    champ(page, "Identifiant").fill(identifiant)
    champ(page, "Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


# §3.5 The REX home ---------------------------------------------------------------------------------


def test_chaque_liste_de_l_accueil_rex_est_nommee_par_sa_legende(page, bureau, operateur, agent):  # noqa: F811
    """A screen reader announces a table by its caption: « Mes demandes en cours (1) », never the text shown
    when the list is empty (« Aucune demande en cours. ») over a table that has rows."""
    rejetee = services.soumettre(
        demande=DemandeFactory(complete=True, created_by=operateur, bureau=bureau), by=operateur
    )
    services.rejeter(demande=rejetee, by=agent, motif="Relation préférentielle inexistante.")
    services.soumettre(
        demande=DemandeFactory(complete=True, created_by=operateur, bureau=bureau), by=operateur
    )
    DemandeFactory(created_by=operateur)
    DemandeFactory(created_by=operateur)

    se_connecter(page, "/soprano/rex/", operateur.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    for liste, nombre, vide in (
        ("Mes demandes en cours", 1, "Aucune demande en cours."),
        ("Mes brouillons", 2, "Aucun brouillon."),
        ("Mes demandes rejetées", 1, "Aucune demande rejetée."),
    ):
        panneau = ouvrir_onglet(page, liste)
        tableau = panneau.get_by_role("table", name=f"{liste} ({nombre})", exact=True)
        expect(tableau).to_be_visible()
        # the header row, then one row per request
        expect(tableau.get_by_role("row")).to_have_count(nombre + 1)
        expect(page.get_by_role("table", name=vide)).to_have_count(0)
        expect(panneau.get_by_text(vide)).to_have_count(0)
    # An empty list: no table, the sentence that says so.
    autorisations = ouvrir_onglet(page, "Mes autorisations")
    expect(autorisations.get_by_role("table")).to_have_count(0)
    expect(autorisations.get_by_text("Aucune autorisation.")).to_be_visible()


def test_les_listes_de_l_accueil_rex_se_parcourent_par_page_et_se_filtrent(page):
    """A representative with many clients: « Mes autorisations » page 2 stays on its tab; the search and
    the client filter narrow every list."""
    transitaire = UserFactory(representant=True)
    clients_et_demandes(transitaire, 150)  # 30 requests in each list, 60 « en cours »

    se_connecter(page, "/soprano/rex/", transitaire.username)
    autorisations = ouvrir_onglet(page, "Mes autorisations")
    expect(autorisations.get_by_role("table", name="Mes autorisations (30), page 1 sur 2")).to_be_visible()
    # Loaded when the tab opened: the panel grows to show every row and the pagination under them.
    pagination = autorisations.get_by_role("navigation", name="Pagination — Mes autorisations")
    pagination.scroll_into_view_if_needed()
    expect(pagination).to_be_in_viewport()
    capture(page, "accueil-rex-autorisations-chargees")
    pagination.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url(re.compile(r"\?onglet=autorisations&page=2$"))
    onglet = page.get_by_role("tab", name="Mes autorisations (30)")
    expect(onglet).to_have_attribute("aria-selected", "true")
    tableau = page.get_by_role("table", name="Mes autorisations (30), page 2 sur 2")
    expect(tableau).to_be_visible()
    expect(tableau.get_by_role("row")).to_have_count(5 + 1)

    champ(page, "Client").fill("Client 0010")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 en cours, 0 brouillon(s)")
    en_cours = page.get_by_role("table", name="Mes demandes en cours (1)")
    expect(en_cours).to_contain_text("Client 0010 Négoce")
    page.get_by_role("link", name="Effacer la recherche").click()
    expect(page.get_by_role("tab", name="Mes demandes en cours (60)")).to_be_visible()


# §6.4 « Abandonner la demande », then its old link ----------------------------------------------


def test_l_ancien_lien_d_une_demande_abandonnee(page, autre_navigateur, deposee, operateur, agent):  # noqa: F811
    numero = deposee.numero
    lien = f"/soprano/rex/demandes/{deposee.pk}/"

    # The holder abandons it: « Autres actions » → « Abandonner la demande » → « Oui »
    se_connecter(page, lien, operateur.username)
    autres_actions = page.get_by_role("region", name="Autres actions")
    autres_actions.get_by_role("link", name="Abandonner la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abandonner la demande")
    page.get_by_role("button", name="Oui, abandonner la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    assert not Demande.objects.filter(pk=deposee.pk).exists()
    aujourd_hui = timezone.localdate()
    abandonnee = f"La demande {numero} a été abandonnée le {aujourd_hui:%d/%m/%Y}"

    # The holder, on the old link (a bookmark, an old e-mail): the service's 404, which says why
    reponse = page.goto(lien)
    assert reponse.status == 404
    expect(page).to_have_title(re.compile("Page introuvable"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_role("main")).to_contain_text(abandonnee)

    # The service's officer, on the request's page of the back-office: told too
    agent_page = autre_navigateur("agent")
    se_connecter(agent_page, "/agent/", agent.username)
    reponse = agent_page.goto(f"/agent/demandes/{deposee.pk}/")
    assert reponse.status == 404
    expect(agent_page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(agent_page.get_by_role("main")).to_contain_text(abandonnee)

    # Anyone else (another company's operator): only « Page introuvable », not even the number
    autre = UserFactory(username="autreoperateur", habilite=True)
    inconnu = autre_navigateur("autre operateur")
    se_connecter(inconnu, "/soprano/rex/", autre.username)
    reponse = inconnu.goto(lien)
    assert reponse.status == 404
    expect(inconnu.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(inconnu.get_by_role("main")).not_to_contain_text(numero)
    expect(inconnu.get_by_role("main")).not_to_contain_text("a été abandonnée le")


# §7.2 The documents of a modification ---------------------------------------------------------------


@pytest.fixture
def enregistrement_avec_documents(bureau, operateur, agent, tmp_path):  # noqa: F811
    """A registration granted with two documents attached when it was filed."""
    brouillon = DemandeFactory(complete=True, created_by=operateur, bureau=bureau, courriel=COURRIEL_DEMANDE)
    for nom, fichier in (("Fiche produit", "fiche-produit.pdf"), ("Ancien catalogue", "catalogue-2024.pdf")):
        services.ajouter_document(
            demande=brouillon, by=operateur, fichier=pdf_televerse(tmp_path, fichier), nom=nom
        )
    demande = services.soumettre(demande=brouillon, by=operateur)
    return services.octroyer(demande=demande, by=agent)


def documents(page: Page):
    """« Documents joints » of the request's recap."""
    return page.get_by_role("region", name="Documents joints", exact=True)


def test_une_modification_garde_les_documents_de_l_enregistrement(
    page,
    autre_navigateur,
    enregistrement_avec_documents,
    operateur,  # noqa: F811
    agent,  # noqa: F811
    tmp_path,
):
    enregistrement = enregistrement_avec_documents
    numero_rex = enregistrement.numero_rex

    # « Demander des modifications de cet enregistrement »: the form lists the registration's documents
    se_connecter(page, f"/soprano/rex/demandes/{enregistrement.pk}/", operateur.username)
    page.get_by_role("button", name="Demander des modifications de cet enregistrement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(numero_rex)
    joints = page.get_by_role("region", name="Documents joints à la demande de modification")
    for nom in ("Fiche produit", "Ancien catalogue"):
        expect(joints.get_by_role("link", name=nom)).to_be_visible()
    champ(page.locator("#rubrique-2"), "Courriel").fill(NOUVEAU_COURRIEL)

    # « Gérer les documents de la demande »: the old catalogue removed, the new one added
    page.get_by_role("button", name="Gérer les documents de la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gérer les documents de la demande")
    page.get_by_role("button", name="Supprimer le document Ancien catalogue").click()
    expect(page.get_by_text("Le document « Ancien catalogue » a été supprimé.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Ancien catalogue")).to_have_count(0)
    champ(page, "Parcourir").set_input_files(petit_pdf(tmp_path / "catalogue-2026.pdf"))
    champ(page, "Nom du document").fill("Catalogue 2026")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_text("Le document « Catalogue 2026 » a été ajouté.")).to_be_visible()
    page.get_by_role("link", name="Revenir au formulaire de la demande").click()
    expect(page).to_have_url(re.compile(r"/modification/$"))
    expect(champ(page.locator("#rubrique-2"), "Courriel")).to_have_value(NOUVEAU_COURRIEL)
    joints = page.get_by_role("region", name="Documents joints à la demande de modification")
    expect(joints.get_by_role("listitem")).to_have_count(2)
    for nom in ("Fiche produit", "Catalogue 2026"):
        expect(joints.get_by_role("link", name=nom)).to_be_visible()

    # « Commentaire », « Continuer »: the recap lists them; « Soumettre la demande de modification »
    champ(page, "Commentaire").fill(COMMENTAIRE)
    page.get_by_role("button", name="Continuer", exact=True).click()
    expect(page).to_have_url(re.compile(r"/modification/recapitulatif/$"))
    recap = documents(page)
    expect(recap.get_by_role("listitem")).to_have_count(2)
    for nom in ("Fiche produit", "Catalogue 2026"):
        expect(recap.get_by_role("link", name=nom)).to_be_visible()
    page.get_by_role("button", name="Soumettre la demande de modification").click()
    expect(alerte(page, "success")).to_contain_text("« Modification demandée »")
    modification = Demande.objects.get(version_precedente=enregistrement)

    # The officer reads them too, then validates
    agent_page = autre_navigateur("agent")
    se_connecter(agent_page, f"/agent/demandes/{modification.pk}/", agent.username)
    for nom in ("Fiche produit", "Catalogue 2026"):
        expect(documents(agent_page).get_by_role("link", name=nom)).to_be_visible()
    formulaire = action_agent(agent_page, "Valider la modification")
    cocher(formulaire.get_by_role("checkbox"))
    formulaire.get_by_role("button", name="Valider la modification", exact=True).click()
    expect(alerte(agent_page, "success")).to_contain_text("La modification est validée")

    # Version 2 holds them; the « Version antérieure » keeps its own, each file still downloads
    page.goto(f"/soprano/rex/demandes/{modification.pk}/")
    expect(statut(page)).to_have_text("Octroyée")
    a_jour = documents(page)
    expect(a_jour.get_by_role("listitem")).to_have_count(2)
    telecharger(page, a_jour, "Fiche produit")
    telecharger(page, a_jour, "Catalogue 2026")
    page.get_by_role("region", name="Versions").get_by_role("link", name="Version 1").click()
    expect(statut(page)).to_have_text("Version antérieure")
    anterieure = documents(page)
    expect(anterieure.get_by_role("listitem")).to_have_count(2)
    expect(anterieure.get_by_role("link", name="Catalogue 2026")).to_have_count(0)
    telecharger(page, anterieure, "Fiche produit")
    telecharger(page, anterieure, "Ancien catalogue")


def telecharger(page: Page, zone, nom: str) -> None:
    """The document's link gives its PDF (the browser would save it)."""
    reponse = page.request.get(zone.get_by_role("link", name=nom).get_attribute("href"))
    assert reponse.ok, f"{nom}: {reponse.status}"
    assert reponse.body().startswith(b"%PDF"), nom


# §5.2.3 Rubrique n°3, the customs representative ---------------------------------------------------


def test_la_rubrique_3_du_representant_est_pre_remplie(page, autre_navigateur, transactional_db):
    transitaire = UserFactory(
        username="paulmartin",
        email="paul.martin@transit-martin.fr",
        first_name="Paul",
        last_name="Martin",
        representant=True,
    )
    entreprise = transitaire.entreprise
    assert entreprise.telephone == ""

    # The PAE keeps the company's phone in its record (« Entreprises » in the admin)
    pae = UserFactory(username="paemarseille", is_staff=True, is_superuser=True)
    admin = autre_navigateur("pae")
    se_connecter_a_l_admin(admin, pae.username)
    admin.goto(f"/admin/accounts/entreprise/{entreprise.pk}/change/")
    champ(admin, "Téléphone").fill("04 91 00 00 00")
    admin.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(admin.locator(".messagelist .success")).to_contain_text("a été modifié avec succès")

    # « Déposer une demande »: rubrique 3 holds the representative's e-mail and that phone
    se_connecter(page, "/soprano/rex/", transitaire.username)
    page.get_by_role("main").get_by_role("link", name="Déposer une demande").click()
    rubrique_3 = page.locator("#rubrique-3")
    expect(rubrique_3).to_contain_text(entreprise.raison_sociale)
    expect(champ(rubrique_3, "Téléphone du représentant")).to_have_value("04 91 00 00 00")
    expect(champ(rubrique_3, "Courriel du représentant")).to_have_value("paul.martin@transit-martin.fr")


def test_la_rubrique_3_reprend_le_dernier_telephone_donne(page, transactional_db):
    """No phone in the company's record: the one the representative gave in his last request."""
    transitaire = UserFactory(username="paulmartin", email="paul.martin@transit-martin.fr", representant=True)
    precedente = demande_representee(transitaire, EntrepriseFactory())
    assert precedente.representant_telephone == "01 40 00 00 00"

    se_connecter(page, "/soprano/rex/demandes/nouvelle/", transitaire.username)
    rubrique_3 = page.locator("#rubrique-3")
    expect(champ(rubrique_3, "Téléphone du représentant")).to_have_value("01 40 00 00 00")
    expect(champ(rubrique_3, "Courriel du représentant")).to_have_value("paul.martin@transit-martin.fr")


# §3.2.3.1 « Demander mon habilitation » where the PAE has no address -------------------------------


def test_une_demande_d_habilitation_sans_adresse_de_pae_parvient_au_pae_de_l_administration(
    page, autre_navigateur, sent_emails, transactional_db
):
    DepartementFactory(code="33", nom="Gironde", pae_nom="PAE de Bordeaux", pae_courriel="")
    DepartementFactory(code="69", nom="Rhône", pae_nom="PAE de Lyon", pae_courriel="pae-lyon@douane.example")
    operatrice = UserFactory(
        username="claireduvigneau",
        email="claire.duvigneau@vignobles-duvigneau.fr",
        first_name="Claire",
        last_name="Duvigneau",
        certifie=True,
        entreprise=EntrepriseFactory(raison_sociale=RAISON_SOCIALE),
    )
    # The PAE staff of the administration: the accounts that may handle habilitation requests
    pae = UserFactory(username="paeadministration", email="pae-administration@douane.example", is_staff=True)
    pae.user_permissions.add(Permission.objects.get(codename="change_demandehabilitation"))
    UserFactory(username="referentiel", email="referentiel@douane.example", is_staff=True)

    # « Demander mon habilitation », « Votre département » : 33 – Gironde, « Envoyer la demande »
    se_connecter(page, "/tableau-de-bord/", operatrice.username)
    page.locator("#service-soprano").get_by_role("link", name="Demander mon habilitation").click()
    champ(page, "Votre département").select_option(label="33 – Gironde")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(alerte(page, "success")).to_contain_text("Votre demande d'habilitation est enregistrée")
    habilitation = page.get_by_role("region", name="Demander mon habilitation au téléservice SOPRANO")
    expect(habilitation).to_contain_text("Votre demande d'habilitation est en cours de traitement")

    # The e-mail reaches the PAE staff, and only them
    courriel = sent_emails.last_to("pae-administration@douane.example")
    assert "claireduvigneau" in courriel.body
    assert "Aucune adresse de PAE n'est connue pour ce département" in courriel.body
    assert sent_emails.to("referentiel@douane.example") == []
    assert sent_emails.to("pae-lyon@douane.example") == []

    # The PAE, in the admin: « Demandes d'habilitation », « Traitée : Non »
    admin = autre_navigateur("pae")
    se_connecter_a_l_admin(admin, pae.username)
    admin.get_by_role("link", name="Demandes d'habilitation").click()
    admin.locator("#changelist-filter").get_by_role("link", name="Non", exact=True).first.click()
    expect(admin).to_have_url(re.compile(r"traitee=non"))
    ligne = admin.get_by_role("row").filter(has_text="claireduvigneau")
    expect(ligne).to_contain_text("Gironde")
    expect(ligne).to_contain_text(RAISON_SOCIALE)


# §3.2.3.2 « Mon tableau de bord », with the keyboard ------------------------------------------------


def test_mon_tableau_de_bord_depuis_le_menu_du_compte_au_clavier(page, operateur):  # noqa: F811
    """« l'onglet déroulant sous votre compte utilisateur », then « Mon tableau de bord »: Tab, Enter."""
    se_connecter(page, "/soprano/rex/", operateur.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil SOPRANO/REX")
    compte = page.get_by_role("banner").get_by_role("navigation", name="Mon compte").first
    bouton = compte.get_by_role("button", name="Claire Duvigneau")
    expect(bouton).to_have_attribute("data-fr-js-collapse-button", "true")
    tabuler_jusqu_a(page, bouton)
    expect(bouton).to_have_attribute("aria-expanded", "false")
    lien = compte.get_by_role("link", name="Mon tableau de bord")

    def ouvrir_le_menu():
        page.keyboard.press("Enter")
        expect(bouton).to_have_attribute("aria-expanded", "true")
        expect(lien).to_be_visible()  # unfolded: Tab goes into it
        page.keyboard.press("Tab")
        expect(lien).to_be_focused()
        focus_visible(page)

    # Escape folds it and gives the focus back to the account name
    ouvrir_le_menu()
    page.keyboard.press("Escape")
    expect(bouton).to_have_attribute("aria-expanded", "false")
    expect(lien).to_be_hidden()
    expect(bouton).to_be_focused()
    ouvrir_le_menu()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon tableau de bord")
    carte = page.locator("#service-soprano")
    expect(carte.get_by_role("link", name="Accéder au service en ligne")).to_be_visible()
