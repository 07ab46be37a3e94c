"""A real Celery worker, in its own process, on Redis and the PostgreSQL test database.

Eager mode (the default in tests) runs a task inside the caller's process and transaction. The
`celery_worker` fixture checks what eager mode hides: the message goes through the broker, the
task is found by name in another process, and that process sees only committed data (hence
`transactional_db`).

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): skipped without them, except in CI where
it fails.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

import pytest

from soprano.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
# What the file-based e-mail backend writes after each message.
_EMAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"The Celery worker tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _test_database_url() -> str:
    """DATABASE_URL pointed at the test database pytest-django created (test_<name>)."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


class Worker:
    def __init__(self, *, name: str, process: subprocess.Popen, log_path: Path, email_dir: Path):
        self.name = name
        self.process = process
        self.log_path = log_path
        self.email_dir = email_dir

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_records(self) -> list[dict]:
        """The worker's JSON log lines, parsed (Celery's start-up banner, plain text, left out)."""
        records = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records

    def sent_emails(self) -> list[EmailMessage]:
        """The e-mails the worker has finished writing, oldest first (standard library messages:
        `message["To"]`, `message.get_body().get_content()`)."""
        messages = []
        for path in sorted(self.email_dir.glob("*.log")):
            # A separator follows each message: after the last one, a message is being written.
            for chunk in path.read_bytes().split(_EMAIL_SEPARATOR)[:-1]:
                messages.append(message_from_bytes(chunk, policy=policy.default))
        return messages

    def wait_for_emails(self, count: int = 1, timeout: float = 15) -> list[EmailMessage]:
        """Waits until the worker has sent `count` e-mails (in its own time), and returns them."""
        deadline = time.monotonic() + timeout
        while len(messages := self.sent_emails()) < count:
            self._check_alive()
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The worker sent {len(messages)} e-mail(s) in {timeout} s, {count} expected.\n"
                    f"Worker log:\n{self.log()[-4000:]}",
                    pytrace=False,
                )
            time.sleep(0.2)
        return messages

    def _check_alive(self):
        if self.process.poll() is not None:
            pytest.fail(
                f"The Celery worker exited (code {self.process.returncode}).\n{self.log()[-4000:]}",
                pytrace=False,
            )

    def clear_emails(self):
        for path in self.email_dir.glob("*"):
            path.unlink()


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup, tmp_path_factory):
    """Starts `celery worker` once for the session, on the test database, and stops it before
    pytest-django drops that database (it depends on django_db_setup, so it is torn down first)."""
    if not os.environ.get("REDIS_URL"):
        _unavailable("REDIS_URL is not set: the Celery worker tests need Redis.")
    if connection.vendor != "postgresql":
        _unavailable(
            "DATABASE_URL does not point at PostgreSQL: the worker is another process and "
            "cannot see the in-memory SQLite test database."
        )

    workdir = tmp_path_factory.mktemp("celery-worker")
    email_dir = workdir / "emails"
    email_dir.mkdir()
    log_path = workdir / "worker.log"
    name = f"pytest-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_EAGER": "0",
        "SOPRANO_TEST_PRIVATE_MEDIA_ROOT": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
        "SOPRANO_TEST_EMAIL_DIR": str(email_dir),
        # JSON lines, as in production: tests read them (request ids, task names).
        "LOG_FORMAT": "json",
    }
    # Set by the browser tests for the test process only.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    # Messages left over by an interrupted run would run against this fresh database.
    celery_app.control.purge()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "soprano",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                # Every queue of the project (soprano/settings/base.py): one worker does them all here.
                "-Q",
                "defaut,courriels,pdf",
                "--loglevel=INFO",
                "--hostname",
                name,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                # Embedded beat on the database schedule (django-celery-beat), as in production.
                "--beat",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--schedule",
                str(workdir / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = Worker(name=name, process=process, log_path=log_path, email_dir=email_dir)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not celery_app.control.ping(destination=[name], timeout=0.5):
            worker._check_alive()
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The Celery worker did not answer a ping within {READY_TIMEOUT_S} s.\n"
                    f"{worker.log()[-4000:]}",
                    pytrace=False,
                )
        yield worker
    finally:
        process.terminate()  # warm shutdown: finishes the task at hand
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def celery_worker(_celery_worker_process, transactional_db):
    """The running worker; during the test, tasks are published to Redis instead of running eagerly.

    `celery_worker.wait_for_emails(1)` returns what the worker sent; `celery_worker.log()` is its
    log.
    """
    _celery_worker_process.clear_emails()
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield _celery_worker_process
    celery_app.conf.task_always_eager = previous
