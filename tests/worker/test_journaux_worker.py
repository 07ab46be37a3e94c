"""The request id of a web request, on the log lines of the task it queued, in a real Celery worker."""

import time

from django.urls import reverse

import pytest

from tests.journaux import capturer_journaux

pytestmark = pytest.mark.worker

REQUEST_ID = "inscription-0123456789abcdef"


def _success_line(celery_worker, task_name: str, request_id: str, timeout: float = 10) -> dict:
    """The worker logs a task's success once it has run (the worker logs for the whole session)."""
    deadline = time.monotonic() + timeout
    while True:
        for record in celery_worker.log_records():
            if (
                record.get("task_name") == task_name
                and record["request_id"] == request_id
                and "succeeded" in record["message"]
            ):
                return record
        if time.monotonic() > deadline:
            pytest.fail(
                f"No success line of {task_name} with request id {request_id!r} in the worker's log:\n"
                f"{celery_worker.log()[-4000:]}",
                pytrace=False,
            )
        time.sleep(0.2)


def test_the_request_id_follows_a_signup_into_the_email_task(celery_worker, client):
    with capturer_journaux() as web:
        response = client.post(
            reverse("accounts:signup"),
            {
                "username": "claire",
                "first_name": "Claire",
                "last_name": "Durand",
                "email": "claire.durand@exemple.fr",
                "password1": "Azerty-Soprano7",
                "password2": "Azerty-Soprano7",
            },
            headers={"X-Request-ID": REQUEST_ID},
        )
    assert response.status_code == 302 and response["X-Request-ID"] == REQUEST_ID
    [access] = web.acces()
    assert access["request_id"] == REQUEST_ID
    assert (access["method"], access["path"], access["status"]) == ("POST", "/compte/inscription/", 302)

    [message] = celery_worker.wait_for_emails(1)
    assert message["To"] == "claire.durand@exemple.fr"

    success = _success_line(celery_worker, "rex.tasks.envoyer_courriel", REQUEST_ID)
    assert success["logger"] == "celery.app.trace" and success["level"] == "INFO"
    assert "timestamp" in success
    # Every line the worker wrote while running that task carries the request id.
    lines = [line for line in celery_worker.log_records() if line.get("task_id") == success["task_id"]]
    assert {line["request_id"] for line in lines} == {REQUEST_ID}
    # No password, in the web process's lines nor in the worker's.
    assert "Azerty-Soprano7" not in web.texte() and "Azerty-Soprano7" not in celery_worker.log()


def test_a_task_without_a_request_logs_a_dash(celery_worker):
    from celery import signature

    signature("rex.tasks.renvoyer_courriels_en_attente").delay()

    success = _success_line(celery_worker, "rex.tasks.renvoyer_courriels_en_attente", "-")
    assert success["task_id"]
