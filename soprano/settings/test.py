"""Test settings: the production settings, served over plain http by the test client and the live server,
with faster hashing, mails kept in memory and a per-process cache."""

import os
import tempfile

# Production refuses to start without a secret key; the tests have their own. The test client and the
# live server speak http on localhost (HTTPS=0); tests/securite checks the https settings themselves.
os.environ.setdefault("SECRET_KEY", "tests-only-4e8d1c0b7a3f2e6d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4")
os.environ.setdefault("VERIFICATION_KEY", "tests-only-verification-key-9f8e7d6c5b4a")
os.environ.setdefault("HTTPS", "0")

from soprano.settings.base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# New dictionaries: the production settings module keeps its own (tests read them).
STORAGES = {
    "default": {
        **STORAGES["default"],  # noqa: F405
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="soprano-test-files-")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = os.environ.get("AXES_ENABLED", "1") == "1"
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}  # noqa: F405
# Tasks run in-process, except in the real worker started by tests/worker (CELERY_EAGER=0).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_EAGER", "1") == "1"
REX_PDF_PREGENERER = False  # a PDF render takes about a second: tests call the task themselves
# Throttling counters must not leak from one test (or one run) to the next: a cache of the process,
# emptied before each test (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]
# WhiteNoise indexes every static file when its middleware starts, i.e. for each test client (~0.75 s):
# looked up on request instead.
WHITENOISE_AUTOREFRESH = True
