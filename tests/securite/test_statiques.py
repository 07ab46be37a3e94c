"""The DSFR's stylesheets reach the browser in production.

The production storage (whitenoise's manifest storage) rewrites the url() references inside stylesheets
to their hashed names; a stylesheet served that way no longer matches the integrity hash that django-dsfr
prints by default, and browsers refuse it: the site shows unstyled. Pages must not carry an integrity hash
for a file the production storage rewrites.
"""

import re

from django.conf import settings
from django.utils.module_loading import import_string

import pytest

from soprano.settings import base

pytestmark = pytest.mark.django_db


def test_the_production_storage_rewrites_stylesheets():
    storage = import_string(base.STORAGES["staticfiles"]["BACKEND"])
    assert any(pattern[0] == "*.css" for pattern in storage.patterns)


def test_no_page_carries_an_integrity_hash_that_the_storage_would_break(client):
    assert settings.DSFR_USE_INTEGRITY_CHECKSUMS is base.DSFR_USE_INTEGRITY_CHECKSUMS
    page = client.get("/").content.decode()
    feuilles = re.findall(r"<link[^>]+stylesheet[^>]*>", page)
    assert any("dsfr" in feuille for feuille in feuilles)
    for feuille in feuilles:
        assert "integrity=" not in feuille, feuille
