"""Settings for every environment, driven by environment variables. Production is the default.

DATABASE_URL  PostgreSQL in CI and production; a SQLite file by default.
REDIS_URL     Celery broker and shared cache; without it tasks run in-process, right after the commit.
CACHE_URL, CELERY_BROKER_URL  another shared cache, another broker than REDIS_URL (read only with it).
SECRET_KEY    required (a French error at startup without it), unless DEBUG is asked for explicitly.
HTTPS         served over HTTPS through the TLS proxy (default): redirect, HSTS, Secure cookies.
              `make run` sets HTTPS=0 for the local server on 127.0.0.1.
LOG_FORMAT    json (default: one JSON object a line) or texte (a readable local console); LOG_LEVEL.
SENTRY_DSN    errors of the web and worker processes reported to Sentry (soprano/observabilite.py);
              nothing is sent without it.
EMAIL_URL     not used: EMAIL_BACKEND / EMAIL_HOST / EMAIL_PORT … as below (console by default).
CLAMAV_URL    the clamd that scans uploads: unix:///var/run/clamav/clamd.ctl (default), tcp://clamav:3310,
              or "aucun" (no scan: local use only, logged).
S3_BUCKET     documents and PDFs in an S3-compatible bucket (soprano/settings/stockage.py for its variables);
              a private local folder (PRIVATE_MEDIA_ROOT) by default.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

import dj_database_url
from csp.constants import NONE, SELF

from soprano.settings.stockage import stockage_s3

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# DEBUG only when asked for (DEBUG=1), for local use only.
DEBUG = env_bool("DEBUG")


def env_secret(name: str, usage: str) -> str:
    """A key from the environment: required in production (a French error at startup), a key per process
    under DEBUG (then sessions, links and codes do not survive a restart)."""
    value = os.environ.get(name, "")
    if not value and not DEBUG:
        raise ImproperlyConfigured(
            f"La variable d'environnement {name} est obligatoire ({usage}) : définissez-la avec une valeur "
            "secrète, longue et aléatoire, par exemple : "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'. "
            "Pour un essai local, `make run` la crée dans le dossier var/."
        )
    return value or get_random_secret_key()


SECRET_KEY = env_secret("SECRET_KEY", "signature des sessions et des liens envoyés par courriel")
# Former keys, still accepted for signatures (sessions, activation and password links) after a rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
# The verification codes printed on registrations (PDF) have a key of their own: rotating SECRET_KEY never
# invalidates a printed registration. After a rotation of this key, the former one goes into
# VERIFICATION_KEY_FALLBACKS, so that the codes already printed still verify (rex/verification.py).
VERIFICATION_KEY = env_secret("VERIFICATION_KEY", "codes de vérification des autorisations imprimées")
VERIFICATION_KEY_FALLBACKS = env_list("VERIFICATION_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "guardian",
    "axes",
    "django_celery_beat",
    "csp",
    "django_ratelimit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "rex",
    "webhooks",
    "api",
    # Last: the DSFR widget templates (radios, checkboxes) override Django's own.
    "django.forms",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz before any other middleware (no https redirect, no Host check,
    # no session, no throttling: load balancers call them over plain http on the node's address).
    "soprano.sante.HealthMiddleware",
    # Then: every response carries X-Request-ID, every log line of the request its id (the probes above
    # write no access line: a line per probe and per node every few seconds would drown the rest).
    "soprano.journaux.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "soprano.urls"
WSGI_APPLICATION = "soprano.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "soprano.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.GuidePasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "accounts:home"
ACCOUNT_ACTIVATION_DAYS = int(os.environ.get("ACCOUNT_ACTIVATION_DAYS", "3"))
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-axes: lockout after repeated failures, stored in the database, with a cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Uploaded documents: outside any public URL, served only by permission-checked views.
        "OPTIONS": {"location": os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Several web nodes: documents and PDFs in an S3-compatible bucket (django-storages) when S3_BUCKET is set.
# The bucket stays private (no ACL is ever set on an object, the bucket policy must refuse public access):
# every download goes through a view that checks the user's rights first, then streams the object.
# S3_ENDPOINT_URL for a store other than AWS (MinIO, Ceph, OVHcloud, Scaleway…), S3_REGION, and the keys
# S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (without them, boto3's own chain: AWS_* variables, instance role).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = stockage_s3(os.environ)
# Uploaded documents have no public URL at all (MEDIA_URL unset on purpose).
MEDIA_URL = None
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every upload is streamed to clamd before it is stored; unreachable or failing, the upload is refused.
CLAMAV_URL = os.environ.get("CLAMAV_URL", "unix:///var/run/clamav/clamd.ctl")
CLAMAV_TIMEOUT = 30  # seconds, per socket operation
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mails: console by default; SMTP (or any backend) from the environment in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "SOPRANO-REX <ne-pas-repondre@soprano-rex.douane.gouv.fr>"
)

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process (eagerly), after the commit.
REDIS_URL = os.environ.get("REDIS_URL", "")
# CELERY_BROKER_URL in the environment (Celery reads it too) names a broker other than REDIS_URL.
CELERY_BROKER_URL = (os.environ.get("CELERY_BROKER_URL") or REDIS_URL) if REDIS_URL else "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish must fail fast when the broker is down: the outbox retries later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY = False
# Three queues, each with workers of its own (docker-compose.yml): a backlog of renders never delays an
# e-mail, nor the nightly jobs.
#   courriels  the outbox: e-mails sent one by one, batches of a job, retries of failed ones
#   pdf        registration PDFs (WeasyPrint, about a second each)
#   defaut     everything else: the nightly automatic rejection, the periodic jobs
CELERY_TASK_DEFAULT_QUEUE = "defaut"
CELERY_TASK_ROUTES = {
    "rex.tasks.envoyer_courriel": {"queue": "courriels"},
    "rex.tasks.envoyer_courriels": {"queue": "courriels"},
    "rex.tasks.renvoyer_courriels_en_attente": {"queue": "courriels"},
    "rex.tasks.generer_autorisation": {"queue": "pdf"},
    "webhooks.tasks.livrer": {"queue": "defaut"},
    "webhooks.tasks.livrer_en_attente": {"queue": "defaut"},
    "webhooks.tasks.purger": {"queue": "defaut"},
}
# A task over its soft limit gets SoftTimeLimitExceeded (its transaction rolls back, its work is taken up
# again later); over the hard limit, its worker process is replaced. Each task may set shorter ones.
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# Tasks that are safe to run twice (acks_late on them) are acknowledged after they ran: a worker lost in
# the middle leaves its message to another. One message at a time per process, so none waits behind a
# long one. Redis gives an unacknowledged message back after the visibility timeout (longer than any task).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = 3600

# « Notifications techniques » (webhooks, docs/webhooks.md): https:// to public addresses only. The
# tests (and DEBUG) may allow http:// to localhost and non-public addresses, never production.
WEBHOOKS_AUTORISER_HTTP = env_bool("WEBHOOKS_AUTORISER_HTTP")
# Failed attempts in a row after which an address is disabled (and the most a delivery is tried).
WEBHOOKS_ECHECS_AVANT_DESACTIVATION = int(os.environ.get("WEBHOOKS_ECHECS_AVANT_DESACTIVATION", "15"))
# Days a delivered (or given up) delivery and its attempts are kept (the log of the page).
WEBHOOKS_CONSERVATION_JOURS = int(os.environ.get("WEBHOOKS_CONSERVATION_JOURS", "30"))
# The certificate authorities the receivers' certificates are checked against (a file); default: certifi's.
WEBHOOKS_CA_BUNDLE = os.environ.get("WEBHOOKS_CA_BUNDLE", "")

# ---------------------------------------------------------------- transport and browser security
# Behind the TLS proxy (HTTPS=1, the default): every http:// request is redirected, HSTS tells browsers
# never to use http again, cookies travel only over https. The proxy says which scheme the client used
# in X-Forwarded-Proto (it must set or overwrite that header on every request).
HTTPS = env_bool("HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
# /healthz and /readyz never reach SecurityMiddleware nor the ALLOWED_HOSTS check: soprano.sante answers
# them first, over plain http, whatever the Host (hence no SECURE_REDIRECT_EXEMPT).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + os.environ.get("PROXY_SSL_HEADER", "X-Forwarded-Proto").upper().replace("-", "_"), "https")
    if HTTPS and os.environ.get("PROXY_SSL_HEADER", "X-Forwarded-Proto")
    else None
)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
# Lax, not Strict: a link in an e-mail must open the page signed in.
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "soprano.views.csrf_refuse"

# Content-Security-Policy (django-csp): no inline script, no inline style, nothing from another site.
# Every script is a file of ours (static/js) or of the DSFR; htmx is told not to inject styles or eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
        **({"upgrade-insecure-requests": True} if HTTPS else {}),
    },
}
# Permissions-Policy: none of the browser's powerful features is used.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
}

# The client's address behind the TLS proxy (axes, throttling): X-Forwarded-For is read only from the
# proxies listed here (addresses or networks, comma-separated).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "soprano.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "soprano.client_ip.client_ip"

# ---------------------------------------------------------------- cache and throttling
# Redis in production: one cache shared by every web process, so that throttling counts them all.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "soprano",
        }
    }
else:
    # Local use (`make run`): one process, an in-memory cache is enough.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit lists django-redis, not Django's own Redis backend, which increments atomically too.
    "django_ratelimit.W001",
    *(["django_ratelimit.E003"] if not REDIS_URL else []),
]
RATELIMIT_VIEW = "soprano.views.trop_de_requetes"
# Per client address (or e-mail address), rate as "number/period" (s, m, h, d); see soprano/throttling.py.
LIMITES = {
    "verifier": os.environ.get("LIMITE_VERIFIER", "20/m"),
    "verifier_jour": os.environ.get("LIMITE_VERIFIER_JOUR", "500/d"),
    "connexion": os.environ.get("LIMITE_CONNEXION", "200/h"),
    "inscription": os.environ.get("LIMITE_INSCRIPTION", "10/h"),
    "courriel": os.environ.get("LIMITE_COURRIEL", "5/h"),
    "courriel_adresse": os.environ.get("LIMITE_COURRIEL_ADRESSE", "3/h"),
    # The API (/api/v1/): per token (per client address for the anonymous schema and documentation).
    "api": os.environ.get("LIMITE_API", "600/m"),
    # The deadlines feed (iCalendar) at its secret address: calendar software polls it, a guesser is slowed.
    "calendrier": os.environ.get("LIMITE_CALENDRIER", "30/m"),
}

# ---------------------------------------------------------------- the REST API (api/, docs/api.md)
# Personal tokens only (`Authorization: Bearer srex_…`): no session, hence no CSRF question on writes.
# JSON only; every error an RFC 9457 problem (application/problem+json), in French.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.JetonAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.limites.LimiteParJeton"],
    "EXCEPTION_HANDLER": "api.problemes.gestionnaire_exceptions",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "UNAUTHENTICATED_TOKEN": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API SOPRANO/REX",
    "DESCRIPTION": (
        "L'API du téléservice SOPRANO/REX de la douane française (exportateurs enregistrés, système REX). "
        "Les opérateurs et les représentants en douane y suivent leurs demandes d'enregistrement : statut, "
        "historique, documents, fil de discussion, numéro REX et sa validité, PDF de l'autorisation ; les "
        "agents des douanes y lisent la file de leur service. Chaque appel s'authentifie par un jeton "
        "d'accès personnel (`Authorization: Bearer srex_…`), créé depuis la page « Jetons d'accès » du "
        "portail : il agit avec exactement les droits de son utilisateur. Les erreurs suivent la RFC 9457 "
        "(`application/problem+json`)."
    ),
    "VERSION": "v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "TAGS": [
        {"name": "Demandes", "description": "Opérateurs et représentants en douane : leurs demandes REX."},
        {"name": "Agents des douanes", "description": "La file du service, en lecture seule."},
        {"name": "Référentiel", "description": "Nomenclature du système harmonisé (SH)."},
        {"name": "Compte", "description": "Le compte et le jeton utilisés."},
    ],
}

# ---------------------------------------------------------------- health endpoints (soprano/sante.py)
# /healthz: the process answers (no dependency touched). /readyz: what it checks, by the component's name
# in its answer. None: « sans objet » here. Without REDIS_URL the cache is the process's own and tasks
# run in the web process: no shared cache, no broker to reach.
HEALTH_CHECKS = {
    "base_de_donnees": "soprano.sante.Database",
    "cache": "soprano.sante.Cache" if REDIS_URL else None,
    "courtier": "soprano.sante.Broker" if REDIS_URL else None,
    "stockage": "soprano.sante.Storage",
}

DSFR_MARK_OPTIONAL_FIELDS = False
# The manifest storage rewrites the url() of the DSFR's stylesheets (hashed fonts and icons): their
# published integrity hashes no longer match, and browsers would refuse the stylesheets. The files are
# ours, served from our own origin: Subresource Integrity protects nothing here.
DSFR_USE_INTEGRITY_CHECKSUMS = False
# Messages and DSFR components show text, never HTML: a company named "<script>" stays a name.
DSFR_CONTENT_IS_SAFE = False

# ---------------------------------------------------------------- logs and error reports
# One JSON object a line on standard error (LOG_FORMAT=json, the default), for the log collector of every
# node; LOG_FORMAT=texte for a readable local console (`make run`, worker, beat). Every line carries the
# request id (soprano/journaux.py); the workers and beat use this configuration too (soprano/celery.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json").strip().lower() or "json"
if LOG_FORMAT not in {"json", "texte"}:
    raise ImproperlyConfigured(
        f"LOG_FORMAT={LOG_FORMAT!r} n'est pas reconnu : « json » (par défaut, production) ou « texte »."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "soprano.journaux.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "soprano.journaux.JsonFormatter"},
        "texte": {"()": "soprano.journaux.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
AXES_VERBOSE = False

# Sentry, only when SENTRY_DSN is set (SENTRY_ENVIRONMENT, SENTRY_RELEASE, SENTRY_TRACES_SAMPLE_RATE).
from soprano.observabilite import initialiser_sentry  # noqa: E402

SENTRY_ACTIF = initialiser_sentry()
