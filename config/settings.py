"""treem's only settings module.

Local defaults are safe for a developer's machine (SQLite on loopback, Django's debug pages off unless a developer
asks for them with `TREEM_DEBUG=1`). Production strictness is switched on
by `TREEM_ENV=production`, which requires a real secret key and turns on secure cookies; secrets come only from the
environment (or a local `.env` file that is never committed).
"""

from __future__ import annotations

from datetime import timedelta

import dj_database_url

from config.env import BASE_DIR, env, env_bool, env_int, env_list

TREEM_ENV = env("TREEM_ENV", "development")
IS_PRODUCTION = TREEM_ENV == "production"

SECRET_KEY = env("SECRET_KEY", "" if IS_PRODUCTION else "insecure-local-development-key-change-me")
if IS_PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when TREEM_ENV=production")

DEBUG = env_bool("TREEM_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API docs page with swagger-ui from the installed package, not a CDN
    "template_partials",
    "config.apps.AxesConfig",
    "django_tasks",
    "config.apps.TasksDatabaseConfig",
    "treem.core",
    "treem.hierarchy",
    "treem.accounts",
    "treem.notices",
    "treem.plans",
    "treem.indicators",
    "treem.registry",
    "treem.nutrition",
    "treem.protection",
    "treem.reporting",
    "treem.childfriendly",
    "treem.maps",
    "treem.fieldwork",
    "treem.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "treem.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "treem.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "treem.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "treem.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'treem.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "treem.accounts.hashers.TreemArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failed logins (per username and address), lifted after the cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"  # for browsers; API clients get JSON with Retry-After
AXES_LOCKOUT_CALLABLE = "treem.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "media/"

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "treem@localhost")

# API bearer tokens expire after this many days.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30)
# How long an Idempotency-Key of the API is remembered (purged by `manage.py purge_idempotency_keys`, daily).
IDEMPOTENCY_KEY_RETENTION_HOURS = env_int("IDEMPOTENCY_KEY_RETENTION_HOURS", 48)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# A remote DHIS2-compatible server to which `manage.py push_dhis2` sends a year's approved figures.
DHIS2_URL = env("DHIS2_URL", "")
DHIS2_TOKEN = env("DHIS2_TOKEN", "")


# ---------------------------------------------------------------------------------------------------------------
# Serving and operations: static files, the worker's heartbeat, backups (docs/deployment.md, docs/operations.md).
# ---------------------------------------------------------------------------------------------------------------

# whitenoise serves the collected static files in every mode (DEBUG is off by default, so Django would not), with
# content-hashed names cached for a year; it sits right after SecurityMiddleware as its documentation asks.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "treem.core.staticfiles.HashedStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 365 * 24 * 3600
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The worker (`manage.py run_worker`) writes a heartbeat this often; readiness fails when the last one is older
# than the staleness limit, and a running job whose worker has been silent that long is marked failed.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 120)
WORKER_HEARTBEAT_DIR = env("WORKER_HEARTBEAT_DIR", str(BASE_DIR / "var" / "workers"))

# Where `manage.py backup` writes its archives and how many `--prune` keeps.
BACKUP_DIR = env("BACKUP_DIR", str(BASE_DIR / "var" / "backups"))
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 14)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 8)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12)
# The offline field page (docs/offline.md): how long after the last online sign-in a device may still be opened
# offline with the password, and the PBKDF2 iterations that derive the device's key from the password.
FIELDWORK_OFFLINE_DAYS = env_int("FIELDWORK_OFFLINE_DAYS", 7)
FIELDWORK_PBKDF2_ITERATIONS = env_int("FIELDWORK_PBKDF2_ITERATIONS", 600_000)

# ---- Security: Content-Security-Policy, secure transport headers, request and upload limits (docs/security.md) ----

# No inline script or style anywhere: every script is a static file; htmx's indicator styles are in app.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # The field page's service worker and manifest (docs/offline.md): same origin only, named explicitly.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
    },
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a reverse proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=1 so that Django trusts its
# X-Forwarded-Proto header (and only then: a client could send it otherwise).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", IS_PRODUCTION)
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", [])
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", IS_PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The preload list takes only registrable domains and binds every subdomain of the province's domain to HTTPS for
# good: a decision for the domain's owner, not for one application on a subdomain (docs/security.md).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Overviews and indicator pages read the figures the engine stored. When something they count changed since, a
# stored figure computed at most this many seconds ago may stand in, the page saying when it was computed, so
# that commune officers entering figures near the deadline do not make every leader's page sum the province
# again (docs/indicators.md, "Stored figures"). 0: always current (development and tests).
TREEM_FIGURES_MAX_AGE = env_int("TREEM_FIGURES_MAX_AGE", 30 if IS_PRODUCTION else 0)

# A request body larger than this is refused with 413 before it is read (the largest accepted file, a child
# list of 50 MB, plus the form around it). Each kind of upload has its own, lower limit where it is checked.
TREEM_MAX_REQUEST_BYTES = env_int("TREEM_MAX_REQUEST_BYTES", 52 * 1024 * 1024)
# Form fields other than files (Django's own limit, stated here so that it is seen).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Files larger than this go to a temporary file on disk instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
