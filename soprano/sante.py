"""The two health endpoints that load balancers and container probes call on every web node.

/healthz  alive: the process answers. It touches no dependency (no database, cache, broker nor file), so
          that a database outage never gets healthy web processes restarted.
/readyz   ready: the node can serve, its dependencies answer. What it checks is settings.HEALTH_CHECKS:
          the database, the shared cache, the Celery broker (a connection only: no worker needs to run)
          and the default file storage. A failing one takes the node out of the load balancer's pool.

Both answer in JSON: /healthz 200 {"etat": "ok"}; /readyz 200 or 503 with, per component, "ok",
"indisponible" or "sans objet" (not used by this deployment) and how long its check took. Never an
exception's text, a host, a port, a URL, a path or a version: the real error is logged here (WARNING,
with its traceback), not shown.

The checks are django-health-check's (4.x): each is a HealthCheck whose run() raises on failure, and
HealthCheck.get_result() runs it under a wall-clock budget (its `timeout`, plus one second), times it and
logs the failure. The checks of this module are synchronous on purpose and run in daemon threads of
their own, one per check and per request: a dependency that hangs (a black-holed address, a server that
never answers) costs /readyz its budget, a few seconds, and never blocks a thread another request needs.
The library's own Cache check is asynchronous and would go through asgiref's shared thread; here the
cache is called directly.

Why a middleware, first in MIDDLEWARE, rather than a view in the URLconf: a probe speaks plain http to
the node's own address, with that address (an IP) as its Host header. Down the usual stack,
SecurityMiddleware would redirect it to https (SECURE_SSL_REDIRECT) and CommonMiddleware would refuse
the Host (ALLOWED_HOSTS, through request.get_host()); SECURE_REDIRECT_EXEMPT would solve the first only,
and adding every node's address to ALLOWED_HOSTS would weaken the second for every page. Answered
before them, neither applies, and none is needed: these answers hold no URL, read no Host, set no
cookie, open no session (SessionMiddleware is never reached), need no CSRF token (GET and HEAD only),
and neither django-axes nor django-ratelimit ever sees them. They are the same for anyone: nobody is
signed in at this point (tests/test_sante.py shows it for every kind of user).
"""

import asyncio
import contextlib
import dataclasses
import datetime
import json
import logging
import threading
import uuid
from concurrent.futures import Executor, Future

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string

from health_check import checks
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import HealthCheckException, ServiceUnavailable

logger = logging.getLogger(__name__)

HEALTHZ = "/healthz"
READYZ = "/readyz"

OK = "ok"
DOWN = "indisponible"
NOT_APPLICABLE = "sans objet"

# Each check's budget; they run side by side, so /readyz answers within about this plus one second.
CHECK_TIMEOUT = datetime.timedelta(seconds=3)
# The broker's own connection timeout, below the check's budget so that kombu reports first.
BROKER_CONNECT_TIMEOUT_S = 2


@contextlib.contextmanager
def _reported():
    """Any failure inside becomes ServiceUnavailable, chained to the real error: the library then logs it
    at WARNING with the whole traceback (an unexpected exception would be logged as an ERROR)."""
    try:
        yield
    except HealthCheckException:
        raise
    except Exception as error:
        raise ServiceUnavailable(type(error).__name__) from error


@dataclasses.dataclass
class Database(checks.Database):
    """SELECT 1 on a connection of its own, closed after (the library's check)."""

    timeout = CHECK_TIMEOUT

    def run(self) -> None:
        with _reported():
            super().run()


@dataclasses.dataclass
class Cache(HealthCheck):
    """A key written, read back and deleted in the shared cache (throttling counts every node in it)."""

    alias: str = "default"
    timeout = CHECK_TIMEOUT

    def run(self) -> None:
        key = f"sante:{uuid.uuid4().hex}"
        value = uuid.uuid4().hex
        with _reported():
            cache = caches[self.alias]
            cache.set(key, value, timeout=60)
            if cache.get(key) != value:
                raise ServiceUnavailable("the value read back differs")
            cache.delete(key)


@dataclasses.dataclass
class Broker(HealthCheck):
    """A connection to the Celery broker, opened and closed: the web node can queue tasks. No worker
    needs to run (a worker's outage delays tasks, it does not make the web node unfit to serve)."""

    timeout = CHECK_TIMEOUT

    def run(self) -> None:
        from soprano.celery import app

        with (
            _reported(),
            app.connection_for_write(connect_timeout=BROKER_CONNECT_TIMEOUT_S) as connection,
        ):
            # One attempt, no retry loop: the broker answers now or the node is not ready.
            connection.ensure_connection(
                max_retries=0, reraise_as_library_errors=False, timeout=BROKER_CONNECT_TIMEOUT_S
            )


@dataclasses.dataclass
class Storage(checks.Storage):
    """A small file saved, read back, deleted, through the storage API only: it works the same on the
    file system and on an object store (django-storages). The files live under a prefix of their own."""

    timeout = CHECK_TIMEOUT

    def get_file_name(self) -> str:
        return f"sante/readyz-{uuid.uuid4().hex}.txt"

    def run(self) -> None:
        with _reported():
            super().run()


class _DaemonThreads(Executor):
    """Each call in a daemon thread of its own. A check still blocked when its budget is spent (a
    dependency that accepts the connection and never answers) is left to finish alone: neither the
    answer nor the process's exit waits for it, unlike a ThreadPoolExecutor's threads, joined at exit."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)

        threading.Thread(target=work, name="readyz", daemon=True).start()
        return future


def _run_checks(declared: dict[str, HealthCheck]) -> dict[str, HealthCheckResult]:
    """Every check at once, each under its budget."""

    async def gather() -> list[HealthCheckResult]:
        executor = _DaemonThreads()
        return await asyncio.gather(*(check.get_result(executor) for check in declared.values()))

    # A fresh event loop: middleware of a sync stack runs in a thread that has none (WSGI, and Django's
    # adapter under ASGI).
    results = asyncio.run(gather())
    return dict(zip(declared, results, strict=True))


def readiness() -> tuple[bool, dict[str, dict]]:
    """(ready, the state of each component), the components in the order of settings.HEALTH_CHECKS."""
    declared = {name: import_string(path)() for name, path in settings.HEALTH_CHECKS.items() if path}
    results = _run_checks(declared)
    components: dict[str, dict] = {}
    for name in settings.HEALTH_CHECKS:
        result = results.get(name)
        if result is None:
            components[name] = {"etat": NOT_APPLICABLE}
            continue
        if result.error is not None:
            # The library has logged the failure with its traceback; this line names the component.
            logger.warning("/readyz : composant %s indisponible", name)
        components[name] = {
            "etat": DOWN if result.error is not None else OK,
            "duree_ms": round(result.time_taken * 1000),
        }
    ready = all(component["etat"] != DOWN for component in components.values())
    return ready, components


def _json(status: int, body: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )


def healthz() -> HttpResponse:
    return _json(200, {"etat": OK})


def readyz() -> HttpResponse:
    ready, components = readiness()
    response = _json(200 if ready else 503, {"etat": OK if ready else DOWN, "composants": components})
    # Django's request logger would report every 503 as an ERROR, each probe of an outage an error
    # report: the outage is logged above, at WARNING, once per failing component.
    response._has_been_logged = True
    return response


ENDPOINTS = {HEALTHZ: healthz, READYZ: readyz}


class HealthMiddleware:
    """First in MIDDLEWARE: answers /healthz and /readyz itself (see the module's docstring for why),
    and hands every other request down the stack untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is None:
            return self.get_response(request)
        if request.method in ("GET", "HEAD"):
            response = endpoint()
        else:
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        if request.method == "HEAD":
            response.content = b""
        # Never stored by a proxy nor a browser: each answer is the state of this node, now.
        add_never_cache_headers(response)
        response["X-Content-Type-Options"] = "nosniff"
        return response
