"""Logs across several web nodes and workers: one JSON line per record, and a request id that follows a
request from the reverse proxy to the web process, then into the Celery tasks it queued.

- `RequestIdMiddleware` (first in MIDDLEWARE) takes the proxy's X-Request-ID when it is a safe token, or
  makes one; it is echoed on the response and written on every log line of the request, whose access line
  goes to the logger "soprano.requetes" (method, path without its query string, status, duration, user id).
- `RequestIdFilter` (on the handlers, settings.LOGGING) writes `request_id` on every record ("-" outside a
  request or a task), and `task_name` / `task_id` inside a task.
- Celery: the id travels in the message headers of every task published during a request; the worker sets
  it around the task. The workers and beat keep settings.LOGGING instead of Celery's own root logger.
"""

import logging
import logging.config
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils.functional import LazyObject

from celery import signals
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

HEADER = "X-Request-ID"
# The message header that carries the id from the web process to the worker.
TASK_HEADER = "request_id"
NO_REQUEST_ID = "-"
# What the proxy may send (its own ids, uuids): anything else is replaced, never written to the logs.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# URL parameters that are secrets of their own (signed links sent by e-mail): kept out of the logs.
SECRET_URL_KWARGS = ("token", "uidb64")

request_id_var: ContextVar[str] = ContextVar("soprano_request_id", default=NO_REQUEST_ID)
# The path written to the logs and to Sentry for the current request (secrets of the URL masked).
request_path_var: ContextVar[str | None] = ContextVar("soprano_request_path", default=None)
# (task name, task id) inside a Celery task.
task_var: ContextVar[tuple[str, str] | None] = ContextVar("soprano_task", default=None)

access_logger = logging.getLogger("soprano.requetes")


def current_request_id() -> str:
    return request_id_var.get()


def safe_request_id(value: str | None) -> str:
    """The incoming id when it is a safe token (set by the reverse proxy), otherwise a new one."""
    if value and _SAFE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def log_path(request) -> str:
    """The request's path for the logs: no query string, the signed tokens of e-mailed links masked."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name in SECRET_URL_KWARGS:
            value = match.kwargs.get(name)
            if value:
                path = path.replace(str(value), f"<{name}>")
    return path


# ---------------------------------------------------------------- logging: filter and formatters


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, and `task_name` / `task_id` inside a Celery task.

    Django's own lines about a request ("Bad Request: /compte/activation/…") get its masked path.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not getattr(record, "request_id", None):
            request_id = request_id_var.get()
            if request_id == NO_REQUEST_ID:
                # Django logs a 4xx/5xx response once every middleware has returned, with the request.
                request_id = getattr(request, "request_id", NO_REQUEST_ID)
            record.request_id = request_id
        if isinstance(record.args, tuple) and isinstance(getattr(request, "path", None), str):
            masked = log_path(request)
            if masked != request.path:
                record.args = tuple(masked if arg == request.path else arg for arg in record.args)
        task = task_var.get()
        if task is not None and not hasattr(record, "task_name"):
            record.task_name, record.task_id = task
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: timestamp (ISO 8601, UTC), level, logger, message, request_id, then the
    record's extra fields (method, path, status, duration_ms, user_id; task_name, task_id).

    Django's `request` extra (its repr holds the query string) and Celery's `data` extra (a task's
    arguments and return value) are left out.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "data"])
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        log_data["timestamp"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(
            timespec="milliseconds"
        )
        super().add_fields(log_data, record, message_dict)


class TextFormatter(logging.Formatter):
    """A readable line for a local console (LOG_FORMAT=texte)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return super().format(record)


# ---------------------------------------------------------------- the web side


def _known_user_id(request) -> int | None:
    """The user as the request already knew it: evaluating request.user here could cost a query.

    request.user is a lazy object until read (then cached), or the user set by login() / logout().
    """
    user = request.__dict__.get("user")
    if user is None or issubclass(type(user), LazyObject):
        user = getattr(request, "_cached_user", None)
    return user.pk if user is not None and user.is_authenticated else None


class RequestIdMiddleware:
    """First middleware: the request id, the X-Request-ID response header and one access line a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = safe_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        path_token = request_path_var.set(request.path)
        start = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[HEADER] = request_id
            return response
        finally:
            self._log(request, status, time.monotonic() - start)
            request_path_var.reset(path_token)
            request_id_var.reset(id_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The URL is resolved: its secret parameters can now be masked (logs and Sentry events).
        request_path_var.set(log_path(request))

    @staticmethod
    def _log(request, status: int, duration: float) -> None:
        if not access_logger.isEnabledFor(logging.INFO):
            return
        path = log_path(request)
        duration_ms = round(duration * 1000, 1)
        user_id = _known_user_id(request)
        access_logger.info(
            "%s %s %s %s ms",
            request.method,
            path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )


# ---------------------------------------------------------------- the Celery side (soprano/celery.py)


@signals.before_task_publish.connect(weak=False)
def _publish_request_id(headers=None, **kwargs):
    """A task published during a request (or a task) carries its request id in the message headers."""
    request_id = request_id_var.get()
    if headers is not None and request_id != NO_REQUEST_ID:
        headers.setdefault(TASK_HEADER, request_id)


def _request_id_of(task) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return value if isinstance(value, str) and _SAFE_ID.fullmatch(value) else None


# The ContextVar tokens of the tasks running in this process, by task id: a list, since an eager task that
# retries runs again, nested, under the same id.
_task_tokens: dict[str, list[tuple]] = {}


@signals.task_prerun.connect(weak=False)
def _enter_task(task_id=None, task=None, **kwargs):
    """Around a task: the request id it was published with (eager tasks keep the caller's)."""
    request_id = _request_id_of(task) or request_id_var.get()
    _task_tokens.setdefault(task_id, []).append(
        (
            request_id_var.set(request_id),
            task_var.set((getattr(task, "name", "") or "", task_id or "")),
        )
    )


@signals.task_postrun.connect(weak=False)
def _leave_task(task_id=None, **kwargs):
    tokens = _task_tokens.get(task_id)
    if not tokens:
        return
    id_token, task_token = tokens.pop()
    if not tokens:
        del _task_tokens[task_id]
    task_var.reset(task_token)
    request_id_var.reset(id_token)


@signals.setup_logging.connect(weak=False)
def _setup_logging(loglevel=None, **kwargs):
    """Workers and beat log through settings.LOGGING (JSON by default), not Celery's own root logger;
    the command line's --loglevel sets the level."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
