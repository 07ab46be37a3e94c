import pytest

from soprano.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_answers_through_redis(celery_worker):
    replies = celery_app.control.ping(destination=[celery_worker.name], timeout=5)

    assert replies == [{celery_worker.name: {"ok": "pong"}}]


def test_worker_consumes_the_queue_tasks_are_published_to(celery_worker):
    inspect = celery_app.control.inspect(destination=[celery_worker.name], timeout=5)

    queues = inspect.active_queues()[celery_worker.name]

    assert sorted(queue["name"] for queue in queues) == ["courriels", "defaut", "pdf"]
    assert celery_app.conf.task_default_queue == "defaut"
