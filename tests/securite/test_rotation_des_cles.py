"""Verification codes of printed registrations on a key of their own, with rotation: neither a rotation of
the site's SECRET_KEY nor one of the verification key invalidates a registration already printed."""

import html
import re

from django.urls import reverse

import pytest

from rex import pdf, services
from tests.factories import DemandeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def octroyee():
    demande = DemandeFactory(complete=True)
    demande = services.soumettre(demande=demande, by=demande.created_by)
    return services.octroyer(demande=demande, by=UserFactory(service=demande.service))


def code_imprime(demande) -> str:
    """The code as printed on the PDF (read from the document's HTML, not from the code helper)."""
    return re.search(r"[A-Z2-7]{5}-[A-Z2-7]{5}", pdf.rendre_html(demande)).group(0)


def controle(client, demande, code) -> str:
    response = client.get(reverse("public:verifier"), {"numero": demande.numero_rex, "code": code})
    return html.unescape(response.content.decode())


CONFORME = "Le code de vérification correspond à la version en vigueur"


def test_the_printed_code_verifies(client, octroyee):
    assert CONFORME in controle(client, octroyee, code_imprime(octroyee))
    assert CONFORME not in controle(client, octroyee, "AAAAA-AAAAA")


def test_rotating_the_site_secret_key_changes_no_printed_code(client, octroyee, settings):
    imprime = code_imprime(octroyee)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "une-toute-nouvelle-cle-du-site-" + "x" * 40
    assert code_imprime(octroyee) == imprime
    assert CONFORME in controle(client, octroyee, imprime)


def test_rotating_the_verification_key_keeps_the_printed_codes_valid(client, octroyee, settings):
    ancien = code_imprime(octroyee)
    settings.VERIFICATION_KEY_FALLBACKS = [settings.VERIFICATION_KEY]
    settings.VERIFICATION_KEY = "nouvelle-cle-de-verification-" + "y" * 40
    nouveau = code_imprime(octroyee)
    assert nouveau != ancien, "new prints carry a code of the new key"
    assert CONFORME in controle(client, octroyee, nouveau)
    assert CONFORME in controle(client, octroyee, ancien)


def test_a_key_removed_from_the_fallbacks_no_longer_verifies(client, octroyee, settings):
    ancien = code_imprime(octroyee)
    settings.VERIFICATION_KEY = "nouvelle-cle-de-verification-" + "y" * 40
    settings.VERIFICATION_KEY_FALLBACKS = []
    page = controle(client, octroyee, ancien)
    assert CONFORME not in page
