"""Settings of the real Celery worker that tests/worker/conftest.py starts in another process.

It shares with the test process what a production worker shares with the web process: the
database (the test database, through DATABASE_URL), the broker (REDIS_URL) and the private files.
Its e-mails go to files that the test reads, since another process's in-memory outbox is out of
reach.
"""

import os

from soprano.settings.test import *  # noqa: F403

STORAGES["default"]["OPTIONS"]["location"] = os.environ["SOPRANO_TEST_PRIVATE_MEDIA_ROOT"]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["SOPRANO_TEST_EMAIL_DIR"]
