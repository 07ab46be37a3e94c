"""Shared fixtures. Factories live in tests/factories.py."""

from django.core.cache import cache

import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttling counts requests in the cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()
