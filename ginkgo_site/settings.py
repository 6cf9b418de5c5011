"""Upstream: (DJANGO_SETTINGS_MODULE)
Downstream: ginkgo_site.secret_files, ginkgo_site.stack_env
Role: every setting of the stack, read from the environment (see .env.example) with embedded defaults."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from ginkgo_site.secret_files import SECRET_KEY_FILE, secret_read
from ginkgo_site.stack_env import stack_env_load

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("GINKGO_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# While `make run` is up, its var/stack.env names the services it uses or started, so every
# command in any terminal of the project talks to that stack (GINKGO_STACK_ENV="" turns this
# off, as the test suite does). Real environment variables win over it, and it over .env.
STACK_ENV = env.str("GINKGO_STACK_ENV", default=str(VAR_DIR / "stack.env"))
if STACK_ENV:
    stack_env_load(Path(STACK_ENV))
# A .env file beside manage.py is optional; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Django -------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Signs sessions and tokens of the admin: DJANGO_SECRET_KEY, else the key `make run` generated
# once in var/secret-key (0600), else a public dev key that only a DEBUG run may use.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = (
    env.str("DJANGO_SECRET_KEY", default="")
    or secret_read(VAR_DIR / SECRET_KEY_FILE)
    or DEV_SECRET_KEY
)
if SECRET_KEY == DEV_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "refusing to run with DEBUG off and the public dev SECRET_KEY: set DJANGO_SECRET_KEY "
        f"(or run make run once: it keeps a generated one in {VAR_DIR / SECRET_KEY_FILE}), "
        "or set DJANGO_DEBUG=true for a development-only run"
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # Admin login throttling: failed attempts recorded in the database (every api worker's).
    "axes",
    "trading",
    "scheduling",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the admin's and API docs' static files from gunicorn, with no web server in front.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, so even its redirects carry the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ginkgo_site.urls"
WSGI_APPLICATION = "ginkgo_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL only: `make run` starts an embedded one (var/postgres/) when DATABASE_URL is unset
# and names it in var/stack.env; with neither, this machine's server on the standard port.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://127.0.0.1:5432/ginkgo"),
}
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("GINKGO_LOG_LEVEL", default="INFO")},
    # The driver logs a full traceback for every refused connection; our probes say it in one line.
    # django-axes announces itself in every process; its lockouts (axes.handlers) still log.
    "loggers": {"clickhouse_driver": {"level": "ERROR"}, "axes.apps": {"level": "WARNING"}},
}

# --- Security ---------------------------------------------------------------------------------
# Passwords (create_user, the admin's forms) must pass Django's validators.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out login is refused before any password is hashed.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed logins of one username from one address, that pair is locked out of
# the admin's login for GINKGO_LOGIN_COOLOFF seconds (429). API tokens are not affected.
AXES_FAILURE_LIMIT = env.int("GINKGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(seconds=env.float("GINKGO_LOGIN_COOLOFF", default=900.0))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Served over HTTPS by a TLS proxy in front that sets X-Forwarded-Proto: secure cookies, HSTS,
# plain HTTP redirected, except what Prometheus and health probes reach inside the network.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^metrics$", r"^api/health"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
# /metrics answers requests bearing this token (Authorization: Bearer ...); unset, it answers
# loopback clients only.
GINKGO_METRICS_TOKEN = env.str("GINKGO_METRICS_TOKEN", default="")

# --- REST API -------------------------------------------------------------------------------
# Programs authenticate with a token (`manage.py create_user` prints one), browsers with the
# admin's session. Roles are checked per view (trading.permissions).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies are bounded: DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) and 32 levels.
    "DEFAULT_PARSER_CLASSES": [
        "trading.apis.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["trading.apis.throttling.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("GINKGO_API_THROTTLE_USER", default="1200/minute"),
    },
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": env.int("GINKGO_API_PAGE_SIZE", default=50),
    "EXCEPTION_HANDLER": "trading.apis.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ginkgo Live API",
    "DESCRIPTION": "Control plane of the Ginkgo Live trading platform.",
    "VERSION": "0.1.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from the drf-spectacular-sidecar package, served by whitenoise:
    # the docs work offline and no page loads anything from another host.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "trading.core.enums.OrderStatus",
        "JobStatusEnum": "trading.models.JobStatus",
    },
}
# Seconds a control request waits for Kafka to acknowledge its command (else 503).
GINKGO_COMMAND_TIMEOUT = env.float("GINKGO_COMMAND_TIMEOUT", default=5.0)
# Origins of web front ends allowed to call the API (comma-separated, with scheme).
CORS_ALLOWED_ORIGINS = env.list("GINKGO_CORS_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# --- Services ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
KAFKA_BOOTSTRAP_SERVERS = env.str("KAFKA_BOOTSTRAP_SERVERS", default="127.0.0.1:9092")
# Empty means "no ClickHouse": bars and trades live in the SQL database.
CLICKHOUSE_URL = env.str("CLICKHOUSE_URL", default="")
# "sql": bar and trade queries fall back to the SQL database while ClickHouse is away
# (empty: they answer 503 naming the store).
GINKGO_STORAGE_FALLBACK = env.str("GINKGO_STORAGE_FALLBACK", default="")
# Prefixed to every topic name, so tests (or two stacks on one broker) never share topics.
GINKGO_TOPIC_NAMESPACE = env.str("GINKGO_TOPIC_NAMESPACE", default="")
# Prefixed to every Redis key, for the same reason.
GINKGO_REDIS_PREFIX = env.str("GINKGO_REDIS_PREFIX", default="")
# Django's cache is Redis, shared by every api worker and process: DRF's throttle counts hold
# across them. Short timeouts: with Redis away the throttle lets requests through (logged).
# Its clear() removes only its own keys (KEY_PREFIX), never the live state sharing the database.
CACHES = {
    "default": {
        "BACKEND": "ginkgo_site.cache.PrefixedRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": GINKGO_REDIS_PREFIX,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Ginkgo runtime ---------------------------------------------------------------------------
GINKGO_HEARTBEAT_INTERVAL = env.float("GINKGO_HEARTBEAT_INTERVAL", default=10.0)
GINKGO_HEARTBEAT_TTL = env.float("GINKGO_HEARTBEAT_TTL", default=30.0)
GINKGO_SCHEDULE_INTERVAL = env.float("GINKGO_SCHEDULE_INTERVAL", default=30.0)
GINKGO_NODE_CAPACITY = env.int("GINKGO_NODE_CAPACITY", default=5)
# Seconds a dead or departed node stays on the dashboard and the summary; /api/nodes/?all=1
# lists it after that too.
GINKGO_NODE_FORGET_AFTER = env.float("GINKGO_NODE_FORGET_AFTER", default=600.0)
GINKGO_QUEUE_MAXSIZE = env.int("GINKGO_QUEUE_MAXSIZE", default=1000)
# Seconds a portfolio holds a price update for what goes before it (the fills of its working
# orders at that time, other symbols' bars of that time); then it goes anyway, counted.
GINKGO_ORDERING_WAIT = env.float("GINKGO_ORDERING_WAIT", default=20.0)
# Port of the Prometheus /metrics that run_node, run_livecore, run_notifications and node
# workers serve (0: a free one, logged at start; unset: none). The api serves /metrics itself.
GINKGO_METRICS_PORT = env.int("GINKGO_METRICS_PORT", default=None)
# The address those /metrics servers listen on: this machine only, unless told otherwise
# (compose: 0.0.0.0, inside its network, for Prometheus).
GINKGO_METRICS_ADDR = env.str("GINKGO_METRICS_ADDR", default="127.0.0.1")

# --- Notifications (monitoring.notifications; `manage.py run_notifications`) -------------------
# Every notice is stored (admin, /api/notices/); these say where it is delivered and how often.
# Sinks, comma-separated: log, webhook, email.
GINKGO_NOTIFY_SINKS = env.list("GINKGO_NOTIFY_SINKS", default=["log"])
# Notices below this level (info, warning, error, critical) are stored, not delivered.
GINKGO_NOTIFY_MIN_LEVEL = env.str("GINKGO_NOTIFY_MIN_LEVEL", default="warning")
# Repeats (same kind, portfolio and node) within this many seconds add to one notice's count.
GINKGO_NOTIFY_GROUP_WINDOW = env.float("GINKGO_NOTIFY_GROUP_WINDOW", default=300.0)
# Per sink: a notice's repeats go out at most once per this many seconds ...
GINKGO_NOTIFY_REPEAT_INTERVAL = env.float("GINKGO_NOTIFY_REPEAT_INTERVAL", default=300.0)
# ... and a sink gets at most this many deliveries a minute.
GINKGO_NOTIFY_RATE_PER_MINUTE = env.int("GINKGO_NOTIFY_RATE_PER_MINUTE", default=20)
# Webhook sink: JSON POST to this http(s) URL, retried with backoff.
GINKGO_NOTIFY_WEBHOOK_URL = env.str("GINKGO_NOTIFY_WEBHOOK_URL", default="")
GINKGO_NOTIFY_WEBHOOK_TIMEOUT = env.float("GINKGO_NOTIFY_WEBHOOK_TIMEOUT", default=5.0)
GINKGO_NOTIFY_WEBHOOK_ATTEMPTS = env.int("GINKGO_NOTIFY_WEBHOOK_ATTEMPTS", default=4)
# E-mail sink: recipients (comma-separated), sender, and Django's EMAIL_* settings as one URL
# (smtp://user:password@host:587, smtp+tls://..., consolemail:// prints them instead).
GINKGO_NOTIFY_EMAIL_TO = env.list("GINKGO_NOTIFY_EMAIL_TO", default=[])
GINKGO_NOTIFY_EMAIL_FROM = env.str("GINKGO_NOTIFY_EMAIL_FROM", default="ginkgo-live@localhost")
globals().update(env.email_url("GINKGO_NOTIFY_EMAIL_URL", default="smtp://localhost:25"))
