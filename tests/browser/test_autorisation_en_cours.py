"""« Imprimer l'autorisation » while the PDF workers are busy: the web node renders nothing, the holder
reads « Autorisation en cours de génération », and the page reloads itself until the file is there."""

from django.urls import reverse

import pytest
from playwright.sync_api import expect

from rex import services
from tests.browser import accessibilite
from tests.browser.test_instruction import (
    agent,  # noqa: F401 (fixture)
    bureau,  # noqa: F401 (fixture)
    deposee,  # noqa: F401 (fixture)
    operateur,  # noqa: F401 (fixture)
    se_connecter,
)
from tests.rex.test_pdf import FAUX_PDF, rendus, sans_worker  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_holder_waits_for_the_pdf_on_a_page_that_reloads_itself(
    page,
    live_server,
    deposee,  # noqa: F811
    agent,  # noqa: F811
    rendus,  # noqa: F811
    sans_worker,  # noqa: F811
):
    from rex import tasks

    demande = services.octroyer(demande=deposee, by=agent)
    detail = live_server.url + reverse("rex:detail", args=[demande.pk])
    se_connecter(page, detail, demande.created_by.username)

    page.get_by_role("link", name="Imprimer l'autorisation").click()
    expect(page.get_by_role("heading", name="Autorisation en cours de génération")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        f"Le PDF de l'autorisation {demande.numero_rex} est en cours de génération"
    )
    expect(page.get_by_role("link", name="Retour à la demande")).to_have_attribute(
        "href", reverse("rex:detail", args=[demande.pk])
    )
    accessibilite.verifier(page, "page d'attente")  # now: it reloads itself every 3 seconds
    assert rendus == [], "the web node rendered nothing"
    assert sans_worker == [("pdf", [demande.pk])]

    # The worker renders; the page, reloading itself, then gets the PDF.
    tasks.generer_autorisation(demande.pk)
    with page.expect_response(
        lambda r: r.url.endswith("/autorisation.pdf") and r.status == 200, timeout=10_000
    ) as reponse:
        pass
    # Chromium shows it in its PDF viewer (the body Playwright reads is the viewer's): the headers tell.
    assert reponse.value.header_value("content-type") == "application/pdf"
    assert reponse.value.header_value("content-length") == str(len(FAUX_PDF))
