"""Test settings: the same as production, faster hashing, mails kept in memory."""

import os
import tempfile

from soprano.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["default"]["OPTIONS"]["location"] = tempfile.mkdtemp(prefix="soprano-test-files-")  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
AXES_ENABLED = os.environ.get("AXES_ENABLED", "1") == "1"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Tasks run in-process, except in the real worker started by tests/worker (CELERY_EAGER=0).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_EAGER", "1") == "1"
REX_PDF_PREGENERER = False  # a PDF render takes about a second: tests call the task themselves
