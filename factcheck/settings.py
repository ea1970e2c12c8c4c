"""Settings for Factcheck desk: one module, driven by environment variables.

With no environment at all it runs for development on SQLite (``db.sqlite3`` beside
the project, WAL mode). ``DATABASE_URL`` selects another store (PostgreSQL in
production). ``DEBUG`` defaults to off; then ``SECRET_KEY`` must be set. The HTTPS
settings (redirect, HSTS, secure cookies) follow ``FACTCHECK_HTTPS`` and
``FACTCHECK_TRUSTED_PROXIES``; with a TLS proxy declared ``check --deploy`` is clean.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DEBUG", False)
# Under pytest the development defaults apply (a test key, plain static storage).
TESTING = env_bool("FACTCHECK_TESTING", False) or "pytest" in sys.modules

# With DEBUG off and no SECRET_KEY the key stays empty: commands that need no key
# (migrate, makemigrations) still run, and anything that signs (sessions, CSRF,
# serving pages) stops with Django's "The SECRET_KEY setting must not be empty".
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    # Two-factor sign-in: authenticator apps (TOTP) and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Installed so the API docs serve Swagger UI from our static files (no CDN, no
    # inline script: it fits the CSP).
    "ninja",
    # Background tasks (DEP 14 backport) and their database backend + db_worker.
    "django_tasks",
    "django_tasks_db",
    "factcheck",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "factcheck.middleware.RequestIdMiddleware",
    "factcheck.middleware.RefuseUnstorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "factcheck.sessions.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LoginRequiredMiddleware, checking @login_not_required before loading
    # the user (a signed-in /healthz or public page reads no session or user row).
    "factcheck.middleware.LoginRequiredMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session still owing its second factor reaches only the code (or set-up) page.
    "factcheck.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

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
                "factcheck.context_processors.desk",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- Database -------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections, checked before each request reuses one: a backend
    # that died (restart, failover, idle kill) costs only the requests in flight.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("FACTCHECK_DB_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
    # the start of every transaction, which serialises "take next" on SQLite.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "factcheck.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"  # noqa: E501
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after eight idle hours and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
# Idle timeout without a write per request: factcheck/sessions.py slides the expiry
# forward at most every five minutes.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Login throttling (django-axes) ------------------------------------------------
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
# Failures count per account AND address together: made-up usernames never lock a
# real account, and failures from one address never lock the account elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address as FACTCHECK_TRUSTED_PROXIES allows us to know it (IPv6 per /64).
AXES_CLIENT_IP_CALLABLE = "factcheck.client_address.client_key"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Two-factor sign-in (django-otp; factcheck/two_factor.py) -----------------------
# Authenticator apps show this name beside the account.
OTP_TOTP_ISSUER = os.environ.get("FACTCHECK_ORG_NAME", "Factcheck Desk")
# Wrong codes are counted per account and address like passwords (five, then a
# 15-minute lock: two_factor.py), not by django-otp's per-device back-off, which
# would let anyone who knows the password slow the owner's own sign-in.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Cache ------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Throttle counts (factcheck/throttle.py) must be shared by every app process: Redis
# when there is one, else a database table (`migrate` creates it, as
# `createcachetable` would); local memory only in development and tests. Room for
# many entries: a count culled early is a limit forgotten.
if REDIS_URL:
    CACHES["throttle"] = {**CACHES["default"], "KEY_PREFIX": "throttle"}
elif DEBUG or TESTING:
    CACHES["throttle"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
else:
    CACHES["throttle"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "factcheck_throttle",
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    }

# --- Security -------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "factcheck.views.errors.csrf_failure"

# --- Proxies and HTTPS (docs/architecture.md#security-settings) ---------------------
# How many reverse proxies of ours stand in front of the app. 0: clients connect
# directly, REMOTE_ADDR is the client and no forwarding header is believed. N: the
# client is the Nth X-Forwarded-For entry from the right (factcheck/client_address.py).
FACTCHECK_TRUSTED_PROXIES = max(0, int(os.environ.get("FACTCHECK_TRUSTED_PROXIES", 0)))
# Whether browsers reach the desk over HTTPS. By default yes when a proxy is declared
# (it terminates TLS), no otherwise: plain HTTP, for a private network only.
FACTCHECK_HTTPS = env_bool("FACTCHECK_HTTPS", FACTCHECK_TRUSTED_PROXIES > 0)


def transport_security(
    *,
    https: bool,
    trusted_proxies: int,
    ssl_redirect: bool = True,
    hsts_seconds: int = 31536000,
) -> dict:
    """The settings that follow from how browsers reach the desk.

    Plain HTTP: no redirect, no HSTS, cookies sent over HTTP, and X-Forwarded-Proto
    is never believed. HTTPS: redirect to https, HSTS, secure cookies; the proxy's
    X-Forwarded-Proto is believed only when a trusted proxy is declared (it must
    set the header itself, overwriting whatever the client sent).
    """
    if not https:
        return {
            "SECURE_SSL_REDIRECT": False,
            "SECURE_PROXY_SSL_HEADER": None,
            "SECURE_HSTS_SECONDS": 0,
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
            "SECURE_HSTS_PRELOAD": False,
            "SESSION_COOKIE_SECURE": False,
            "CSRF_COOKIE_SECURE": False,
        }
    return {
        "SECURE_SSL_REDIRECT": ssl_redirect,
        "SECURE_PROXY_SSL_HEADER": (
            ("HTTP_X_FORWARDED_PROTO", "https") if trusted_proxies > 0 else None
        ),
        "SECURE_HSTS_SECONDS": hsts_seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


globals().update(
    transport_security(
        https=FACTCHECK_HTTPS,
        trusted_proxies=FACTCHECK_TRUSTED_PROXIES,
        ssl_redirect=env_bool("SECURE_SSL_REDIRECT", True),
        hsts_seconds=int(os.environ.get("SECURE_HSTS_SECONDS", 31536000)),
    )
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Email -----------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "factcheck-desk@localhost")

# --- The desk ------------------------------------------------------------------------
FACTCHECK = {
    # Sentences scoring at or above this become claims (unset: the scorer's default).
    "CLAIM_THRESHOLD": float(os.environ["FACTCHECK_CLAIM_THRESHOLD"])
    if os.environ.get("FACTCHECK_CLAIM_THRESHOLD")
    else None,
    "MAX_ARTICLE_BYTES": int(os.environ.get("FACTCHECK_MAX_ARTICLE_BYTES", 1_000_000)),
    "MAX_TITLE_LENGTH": 300,
    "ORGANISATION_NAME": os.environ.get("FACTCHECK_ORG_NAME", "Factcheck Desk"),
    "ORGANISATION_URL": os.environ.get(
        "FACTCHECK_ORG_URL", "https://factcheck.example"
    ),
    "CORRECTIONS_POLICY": os.environ.get(
        "FACTCHECK_CORRECTIONS_POLICY",
        "We correct errors promptly and openly. Every correction is listed on the "
        "page it changes, with what changed and when. Tell us about an error with "
        "the form on any claim page.",
    ),
    # Whether public pages name the reviewer and the approving editor.
    "PUBLISH_NAMES": env_bool("FACTCHECK_PUBLISH_NAMES", False),
    "ERROR_REPORTS_PER_HOUR": int(
        os.environ.get("FACTCHECK_ERROR_REPORTS_PER_HOUR", 5)
    ),
    # Throttles (factcheck/throttle.py): per client address, and for all addresses
    # together; the per-address limit is checked first and is far below the global.
    "ERROR_REPORTS_PER_HOUR_GLOBAL": int(
        os.environ.get("FACTCHECK_ERROR_REPORTS_PER_HOUR_GLOBAL", 100)
    ),
    "PASSWORD_RESETS_PER_HOUR": int(
        os.environ.get("FACTCHECK_PASSWORD_RESETS_PER_HOUR", 5)
    ),
    "PASSWORD_RESETS_PER_HOUR_GLOBAL": int(
        os.environ.get("FACTCHECK_PASSWORD_RESETS_PER_HOUR_GLOBAL", 30)
    ),
    # API requests (reads and writes) per token and minute (factcheck/api_rate.py);
    # beyond it a 429 with Retry-After.
    "API_REQUESTS_PER_MINUTE": int(
        os.environ.get("FACTCHECK_API_REQUESTS_PER_MINUTE", 600)
    ),
    # Signs the audit chain's head (manage.py audit_head, the head log line) with
    # HMAC-SHA256; unset, heads are announced unsigned.
    "AUDIT_HEAD_KEY": os.environ.get("FACTCHECK_AUDIT_HEAD_KEY", ""),
    # Where the public pages live, for the links in webhook payloads (sent by a
    # worker, with no request to take the host from).
    "PUBLIC_BASE_URL": os.environ.get(
        "FACTCHECK_PUBLIC_BASE_URL", "http://127.0.0.1:8000"
    ).rstrip("/"),
    # Webhooks may reach private and loopback addresses (a receiver on this machine
    # or the newsroom's LAN). Off in production: link-local and metadata addresses
    # stay refused even when on.
    "WEBHOOK_ALLOW_PRIVATE": env_bool("FACTCHECK_WEBHOOK_ALLOW_PRIVATE", DEBUG),
    "WEBHOOK_TIMEOUT": float(os.environ.get("FACTCHECK_WEBHOOK_TIMEOUT", 5)),
    # Source capture (factcheck/capture.py): a new source's URL is fetched once, in
    # the background, and its text kept. Off in tests (no network); tests that
    # capture turn it on and serve pages from 127.0.0.1, which CAPTURE_ALLOWED_HOSTS
    # lets through (host names or addresses; never link-local or metadata ones).
    "CAPTURE_SOURCES": env_bool("FACTCHECK_CAPTURE_SOURCES", not TESTING),
    "CAPTURE_ALLOWED_HOSTS": [
        h.strip()
        for h in os.environ.get("FACTCHECK_CAPTURE_ALLOWED_HOSTS", "").split(",")
        if h.strip()
    ],
    "CAPTURE_MAX_BYTES": int(os.environ.get("FACTCHECK_CAPTURE_MAX_BYTES", 10_000_000)),
    "CAPTURE_TIMEOUT": float(os.environ.get("FACTCHECK_CAPTURE_TIMEOUT", 20)),
    "CAPTURE_MAX_REDIRECTS": int(os.environ.get("FACTCHECK_CAPTURE_MAX_REDIRECTS", 5)),
}

# Background tasks (webhook deliveries). Development and tests run a task in the
# process that enqueues it, after the commit; production stores tasks in the database
# and `manage.py db_worker` runs them (and the webhook retries, deferred with
# run_after). FACTCHECK_TASKS=immediate|database overrides the choice.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[
            os.environ.get(
                "FACTCHECK_TASKS", "immediate" if DEBUG or TESTING else "database"
            )
        ]
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The audit chain's head after every commit that appended events: an anchor kept
    # outside the database (factcheck/audit.py). INFO, propagated to the console.
    "loggers": {"factcheck.audit.head": {"level": "INFO"}},
}
