"""Settings for gapmonitor.

Safe by default: DEBUG is off, the secret key, hosts and database come from the
environment, and one variable (HTTPS=1) switches on every HTTPS-only setting.
Local runs (``make demo``, the tests) set GAPMONITOR_LOCAL=1, which lets the
site generate and keep a development secret key in ``var/``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gapmonitor.conf import from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GAPMONITOR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
LOCAL = env_bool("GAPMONITOR_LOCAL")
HTTPS = env_bool("HTTPS")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not (DEBUG or LOCAL):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or GAPMONITOR_LOCAL=1 for a local demo)."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks.backends.database",
    "gapmonitor",
    "schools",
    "strategy",
    "ragboard",
    "rest_framework",
    "rest_framework.authtoken",
    "reports",
    "feed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gapmonitor.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gapmonitor.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gapmonitor.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gapmonitor.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "gapmonitor.wsgi.application"
ASGI_APPLICATION = "gapmonitor.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked": every transaction takes the write lock when
    # it begins (IMMEDIATE, so a read-then-write transaction cannot deadlock) and waits up to SQLITE_TIMEOUT
    # seconds for it; write-ahead logging lets readers go on reading while an import writes. A 64 MB page
    # cache (the default is 2 MB) holds the indexes an import of 100,000 results inserts into, instead of
    # reading and writing their pages again for every row (a third of the import's write time).
    SQLITE_OPTIONS = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_TIMEOUT", "30")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536",
    }
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (a confirmed import): kept in the database and run by `python manage.py db_worker`, so
# SQLite and PostgreSQL both work with no other server.
TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes). Policy: five failed sign-ins for one username from one address pause
# sign-in for that username from that address for 30 minutes, counted from the fifth failure. Attempts
# during the pause are refused and not counted, so they cannot extend it; a stranger elsewhere never locks
# the account's owner out (the pause is per address), and a password reset by email lifts it.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N reverse proxies that append to X-Forwarded-For, the client's address is the N-th from the right
# (gapmonitor.client_ip); 0 (the default) never reads the header.
GAPMONITOR_TRUSTED_PROXIES = from_env("GAPMONITOR_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "gapmonitor.client_ip.client_ip"

# Email (password reset). The console backend prints messages when running locally or with DEBUG.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or LOCAL)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gapmonitor <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour (the pages and the email say so)

# Sessions expire: eight working hours, and on closing the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Headers sent on every response.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LANGUAGE_CODE = "en-gb"
# One date style everywhere, "13 Jan 2027" (gapmonitor/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["gapmonitor.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "gapmonitor.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or LOCAL)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or LOCAL
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# gapmonitor's own settings: each default, and what it means, is in gapmonitor/conf.py; any of them can be
# set from the environment with the same name (the Python-valued ones only here).
GAPMONITOR_MAX_UPLOAD_BYTES = from_env("GAPMONITOR_MAX_UPLOAD_BYTES")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
GAPMONITOR_MAX_UNCOMPRESSED_BYTES = from_env("GAPMONITOR_MAX_UNCOMPRESSED_BYTES")
GAPMONITOR_IMPORT_MAX_COLUMNS = from_env("GAPMONITOR_IMPORT_MAX_COLUMNS")
GAPMONITOR_IMPORT_MAX_CELLS = from_env("GAPMONITOR_IMPORT_MAX_CELLS")
GAPMONITOR_IMPORT_MAX_EXPANDED_BYTES = from_env("GAPMONITOR_IMPORT_MAX_EXPANDED_BYTES")
GAPMONITOR_SUPPRESSION_THRESHOLD = from_env("GAPMONITOR_SUPPRESSION_THRESHOLD")
GAPMONITOR_GROUP_PARTITIONS = from_env("GAPMONITOR_GROUP_PARTITIONS")
GAPMONITOR_COVERAGE_SHARE = from_env("GAPMONITOR_COVERAGE_SHARE")
GAPMONITOR_KEY_STAGE_PHASES = from_env("GAPMONITOR_KEY_STAGE_PHASES")
GAPMONITOR_TREND_STABLE_BAND = from_env("GAPMONITOR_TREND_STABLE_BAND")
GAPMONITOR_TREND_WINDOW = from_env("GAPMONITOR_TREND_WINDOW")
GAPMONITOR_STUBBORN_YEARS = from_env("GAPMONITOR_STUBBORN_YEARS")
GAPMONITOR_PRIORITY_WIDE_GAP_MARGIN = from_env("GAPMONITOR_PRIORITY_WIDE_GAP_MARGIN")
GAPMONITOR_GAP_BUSTER_MIN_COHORT = from_env("GAPMONITOR_GAP_BUSTER_MIN_COHORT")
# Floor standards were abolished in 2019: an LA sets its own thresholds in the admin (LocalThreshold).
GAPMONITOR_SINGLE_YEAR_MIN_COHORT = from_env("GAPMONITOR_SINGLE_YEAR_MIN_COHORT")
# Cluster RAG rules (first match wins), e.g. [{"rating": "red", "min_excess": 5.0, "trends": None}, …].
GAPMONITOR_CLUSTER_RAG_RULES = from_env("GAPMONITOR_CLUSTER_RAG_RULES")
GAPMONITOR_DEFAULT_MEASURE = from_env("GAPMONITOR_DEFAULT_MEASURE")
GAPMONITOR_DEFAULT_GROUP = from_env("GAPMONITOR_DEFAULT_GROUP")

DJANGO_TABLES2_TEMPLATE = "django_tables2/gapmonitor.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No personal data in logs: requests, query strings and exception messages are removed (UK GDPR data minimisation).
    "filters": {"no_personal_data": {"()": "gapmonitor.logging_filters.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_personal_data"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "gapmonitor": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
