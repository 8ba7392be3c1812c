"""Kotolupaus settings: one module, every option from a typed environment variable.

KOTOLUPAUS_ENV chooses the defaults: `production` (the default, strict: every secret
must come from the environment and unsafe values stop the process), `development`
(what `make run` uses) or `test` (what the test suite uses, see settings_test.py).
The README has the table of variables.
"""

import ipaddress
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kotolupaus import logs, secret_key

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
if PRODUCTION and (weakness := secret_key.problem(SECRET_KEY)):
    require(
        "SECRET_KEY",
        f"{weakness}; set a random value of at least 50 characters, e.g. from "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'",
    )

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
    # The admin panel with the staff login (password and one-time code checked together).
    "kotolupaus.admin_config.StaffAdminConfig",
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
    "django_otp.plugins.otp_static",  # staff backup codes (review: staff/backup-codes/)
    "axes",
    # The job queue in PostgreSQL: every e-mail and every scheduled job (see tasks.py).
    "procrastinate.contrib.django",
    "kotolupaus",
    "submissions",
    "review",
    "publishing",
]

MIDDLEWARE = [
    # First: times and counts every answer; answers /metrics to the monitoring system.
    "kotolupaus.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages behind a private link and staff pages: Cache-Control: no-store, private.
    "kotolupaus.private_pages.PrivatePagesMiddleware",
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
    # Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request.
    "review.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kotolupaus.middleware.AppendOnlyGuardMiddleware",
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
                "publishing.context_processors.campaign",
            ],
        },
    },
    {
        # Plain-text e-mails (kotolupaus/mail.py): no HTML escaping, so "&", "<" and
        # quotes arrive as typed.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "autoescape": False,
            "builtins": ["kotolupaus.templatetags.mail_text"],
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

# --- Caches ---------------------------------------------------------------------------------
# Two stores (kotolupaus/cache.py; README "Redis"): "shared" counts what every process must
# count together (the rate limits, in PostgreSQL); "default" keeps copies that can be made
# again (the page cache, names): Redis when REDIS_URL is set, else each process's memory.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=2.0)
if REDIS_URL:
    _default_cache = {
        "BACKEND": "kotolupaus.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "kotolupaus",
        "OPTIONS": {
            "RETRY_SECONDS": REDIS_RETRY_SECONDS,
            # A Redis that does not answer costs a page half a second at most, once per
            # REDIS_RETRY_SECONDS.
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 1,
        },
    }
else:
    _default_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
CACHES = {
    "default": _default_cache,
    "shared": {
        "BACKEND": "kotolupaus.cache.PostgresCache",
        "LOCATION": "kotolupaus_cache",
        # Above this many rows, expired ones are deleted (live counters never are).
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
}
RATELIMIT_USE_CACHE = "shared"
# Anonymous visitors' public pages (home, catalogue, entry pages, programme, statistics,
# feeds, sitemap) are kept this many seconds in the "default" cache, keyed by the public
# version, so that a public change is never served stale (publishing/caching.py); 0 turns
# the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
if PAGE_CACHE_SECONDS < 0:
    require("PAGE_CACHE_SECONDS", "set a number of seconds, or 0 to turn the page cache off")
# django-ratelimit warns about any backend it does not know; ours gives it the atomic
# increments it needs (kotolupaus/cache.py, tested with two processes).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

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
# A staff session ends SESSION_COOKIE_AGE seconds after logging in, however busy, and
# after STAFF_SESSION_IDLE_MINUTES without a request (review/middleware.py).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
if STAFF_SESSION_IDLE_MINUTES < 1 or STAFF_SESSION_IDLE_MINUTES * 60 > SESSION_COOKIE_AGE:
    require(
        "STAFF_SESSION_IDLE_MINUTES",
        "set a number of minutes from 1 up to the session length (SESSION_COOKIE_AGE)",
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Staff log in with a password and a one-time code from an authenticator app (TOTP,
# django-otp), checked together (kotolupaus/staff_login.py); required in production,
# optional elsewhere (STAFF_2FA). Production refuses STAFF_2FA=false unless the override
# INSECURE_STAFF_WITHOUT_2FA=true is set too, and `check --deploy` warns while it is.
STAFF_2FA = env.bool("STAFF_2FA", default=PRODUCTION)
INSECURE_STAFF_WITHOUT_2FA = env.bool("INSECURE_STAFF_WITHOUT_2FA", default=False)
if PRODUCTION and not STAFF_2FA and not INSECURE_STAFF_WITHOUT_2FA:
    require(
        "STAFF_2FA",
        "staff two-factor login cannot be turned off in production; to do it anyway, "
        "also set INSECURE_STAFF_WITHOUT_2FA=true",
    )
OTP_TOTP_ISSUER = "Kotolupaus"

# Guessing (kotolupaus/staff_login.py; README "Staff"): AXES_FAILURE_LIMIT failed
# logins lock a user name from one address for AXES_COOLOFF_HOURS; failures from all
# addresses together slow it down, up to LOGIN_DELAY_MAX_SECONDS a try.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
if AXES_FAILURE_LIMIT < 2:
    require("AXES_FAILURE_LIMIT", "set a number of failed logins, 2 or more")
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "kotolupaus.staff_login.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Never store the one-time code a failed attempt sent (passwords are never stored).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
LOGIN_DELAY_MAX_SECONDS = env.int("LOGIN_DELAY_MAX_SECONDS", default=60)
if LOGIN_DELAY_MAX_SECONDS < 1:
    require("LOGIN_DELAY_MAX_SECONDS", "set a number of seconds, 1 or more")

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

# --- E-mail and the job queue ---------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.fi:587 ; console in development.
# Nothing is sent inside a request: kotolupaus/mail.py records each message and a job
# (procrastinate, in PostgreSQL) sends it; `manage.py worker` runs the jobs.
if PRODUCTION and "EMAIL_URL" not in env:
    require("EMAIL_URL", "set the SMTP server, e.g. smtp+tls://user:password@host:587")
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kotolupaus <kotolupaus@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# A message that cannot be delivered (the SMTP server is down or answers 4xx) is tried
# again with growing waits (2, 4, 8 … seconds, about 18 hours in all) before it is marked
# failed for the coordinators (admin: Messages).
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=15)
# "Lost your link?" and draft links: at most this many e-mails of each to one address in
# 24 hours (every other kind's allowance is in kotolupaus/mail.py, ALLOWANCES).
MAIL_LINKS_PER_ADDRESS_PER_DAY = env.int("MAIL_LINKS_PER_ADDRESS_PER_DAY", default=3)
# The admin index and the coordinator's dashboard warn about messages still waiting to be
# sent this many minutes after they were queued (and about failed ones).
MAIL_WAITING_WARNING_MINUTES = env.int("MAIL_WAITING_WARNING_MINUTES", default=30)
if MAIL_LINKS_PER_ADDRESS_PER_DAY < 1:
    require("MAIL_LINKS_PER_ADDRESS_PER_DAY", "must be 1 or more")
if MAIL_WAITING_WARNING_MINUTES < 1:
    require("MAIL_WAITING_WARNING_MINUTES", "must be 1 or more")
# A progress report can be edited this many hours after it was sent (then it is part of
# the record, unless staff return it for fixes).
REPORT_EDIT_HOURS = env.int("REPORT_EDIT_HOURS", default=48)
# Submissions whose contact never confirms the e-mail address are removed after this.
UNCONFIRMED_ENTRY_DAYS = env.int("UNCONFIRMED_ENTRY_DAYS", default=7)
# An entry's contact hears of partners' answers and the publication in one e-mail at
# most a day: the first this many minutes after the first thing happened (what happens
# meanwhile joins it), later ones a day after the previous (submissions/news.py).
SUBMITTER_NEWS_MINUTES = env.int("SUBMITTER_NEWS_MINUTES", default=15)
if SUBMITTER_NEWS_MINUTES < 0:
    require("SUBMITTER_NEWS_MINUTES", "set a number of minutes, 0 or more")
# A worker that has not reported for this long is taken for dead and its jobs run again.
JOBS_STALLED_AFTER_SECONDS = env.int("JOBS_STALLED_AFTER_SECONDS", default=60)
# The open-data files and the programme PDFs are built again this many seconds after a
# public change; further changes meanwhile wait for the same build (publishing/tasks.py).
PUBLIC_FILES_REBUILD_SECONDS = env.int("PUBLIC_FILES_REBUILD_SECONDS", default=300)
if PUBLIC_FILES_REBUILD_SECONDS < 0:
    require("PUBLIC_FILES_REBUILD_SECONDS", "set a number of seconds, 0 or more")
PROCRASTINATE_WORKER_DEFAULTS = {
    # Finished jobs leave no row (the Message rows keep the history); failed ones stay.
    "delete_jobs": "successful",
    "install_signal_handlers": True,
}

# --- Security -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# The load balancer's health and readiness checks may come over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Cookies sent over plain http are refused in production unless this override is set
# as well; `check --deploy` warns while it is.
INSECURE_COOKIES_WITHOUT_HTTPS = env.bool("INSECURE_COOKIES_WITHOUT_HTTPS", default=False)
for _name, _secure in [
    ("SESSION_COOKIE_SECURE", SESSION_COOKIE_SECURE),
    ("CSRF_COOKIE_SECURE", CSRF_COOKIE_SECURE),
]:
    if PRODUCTION and not _secure and not INSECURE_COOKIES_WITHOUT_HTTPS:
        require(
            _name,
            "cookies must be sent over HTTPS only in production; to turn this off anyway, "
            "also set INSECURE_COOKIES_WITHOUT_HTTPS=true",
        )
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    # The load balancer terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of our own stand in front of the app servers (a CDN and nginx: 2); the
# visitor's address is the one the outermost of them saw, counted from the right of
# X-Forwarded-For (kotolupaus/middleware.py). 0: the address of the connection itself.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    require("TRUSTED_PROXY_COUNT", "set the number of proxies in front of the app, 0 or more")
# X-Forwarded-For is read only from a connection that comes from one of these networks
# (where our own proxies are): a client that reaches gunicorn directly from anywhere else
# is counted by its own address whatever header it sends. Default: private networks.
try:
    TRUSTED_PROXY_NETWORKS = [
        ipaddress.ip_network(network, strict=False)
        for network in env.list(
            "TRUSTED_PROXY_NETWORKS",
            default=[
                "127.0.0.0/8",
                "::1/128",
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "fc00::/7",
            ],
        )
    ]
except ValueError as error:
    require("TRUSTED_PROXY_NETWORKS", f"a comma-separated list of networks ({error})")
# Rate limits and login lockouts (and so the audit trail) count that address.
RATELIMIT_IP_META_KEY = "kotolupaus.middleware.client_ip"
AXES_CLIENT_IP_CALLABLE = "kotolupaus.middleware.client_ip"

# --- Metrics and readiness (kotolupaus/metrics.py, kotolupaus/health.py) --------------------
# /metrics answers only with `Authorization: Bearer <METRICS_TOKEN>`, or to a connection
# straight from one of METRICS_ALLOWED_NETWORKS that came through no proxy; to anyone
# else it is an unknown address. Production allows neither until they are set.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    require("METRICS_TOKEN", "use a random value of at least 32 characters, or leave it unset")
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(network, strict=False)
        for network in env.list(
            "METRICS_ALLOWED_NETWORKS", default=[] if PRODUCTION else ["127.0.0.0/8", "::1/128"]
        )
    ]
except ValueError as error:
    require("METRICS_ALLOWED_NETWORKS", f"a comma-separated list of networks ({error})")
# /readyz fails while a job that is due has waited for a worker longer than this.
READY_JOB_WAIT_SECONDS = env.int("READY_JOB_WAIT_SECONDS", default=300)

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
MAX_IMAGE_UPLOAD_BYTES = 5 * 1024 * 1024  # one logo or photo (submissions/images.py)

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# --- Forms --------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging ------------------------------------------------------------------------------
LOGGING = logs.config(env, production=PRODUCTION)
