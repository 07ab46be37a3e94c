"""A real Celery worker on Redis sends the confirmation e-mail of a submitted request."""

import pytest

from rex import services
from rex.models import Courriel
from tests.factories import DemandeFactory

pytestmark = pytest.mark.worker


def test_worker_sends_the_confirmation_email_after_commit(celery_worker):
    demande = DemandeFactory(complete=True, courriel="suivi@exportateur.fr")
    demande = services.soumettre(demande=demande, by=demande.created_by)

    [message] = celery_worker.wait_for_emails(1)
    assert message["To"] == "suivi@exportateur.fr"
    assert demande.numero in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert demande.numero in body and "Mes demandes en cours" in body
    courriel = Courriel.objects.get(demande=demande)
    assert courriel.envoye_le is not None and courriel.tentatives == 1
    assert "rex.tasks.envoyer_courriel" in celery_worker.log()
