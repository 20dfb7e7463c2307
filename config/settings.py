"""Settings for motcua, read from typed environment variables.

The defaults make ``clone -> make run`` work on SQLite; production sets
``DATABASE_URL`` (PostgreSQL), ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Return an environment variable, or the contents of the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    return env(name, default).lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(env(name, default))


# Off unless asked for: `make run` (the demo) and `make test` ask for it.
DEBUG = envbool("DEBUG", "false")
SECRET_KEY = env("SECRET_KEY") or ("insecure-dev-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Outside development (DEBUG is off) give it a long random "
        "value in SECRET_KEY, or the name of a file holding it in SECRET_KEY_FILE; "
        "DEBUG=true is for development and the demo only."
    )
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = env("SITE_NAME", "Cổng dịch vụ công - Một cửa điện tử")
# The place name of printed documents ("Đà Nẵng, ngày 05 tháng 12 năm 2026"); empty: the
# name of the province where the issuing agency sits, without "Tỉnh" / "Thành phố".
MOTCUA_PLACE_NAME = env("MOTCUA_PLACE_NAME", "")

INSTALLED_APPS = [
    "motcua.staff.apps.StaffAdminConfig",  # django.contrib.admin, on our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "motcua.core",
    "motcua.audit",
    "motcua.territory",
    "motcua.organisation",
    "motcua.calendar",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.staff",
    "motcua.workflow",
    "motcua.notifications",
    "motcua.backoffice",
    "motcua.demo",
    "motcua.portal",
    "motcua.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.LocaleMiddleware",
    "motcua.core.limits.RequestLimitMiddleware",  # before anything reads the body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "motcua.audit.context.AuditContextMiddleware",
    "motcua.calendar.middleware.CalendarSnapshotMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "motcua.core.context_processors.site",
            ],
        },
    },
]

VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}",  # unset or empty
        conn_max_age=envint("CONN_MAX_AGE", "600"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + immediate transactions let concurrent writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif envbool("DATABASE_SERVER_SIDE_BINDING", "true"):
    # PostgreSQL: parameters bound by the server, so psycopg prepares a statement it runs
    # often and PostgreSQL plans it once per connection (20-40 % more staff API requests a
    # second, docs/benchmarks.md). Behind a PgBouncer in transaction mode older than 1.21,
    # set DATABASE_SERVER_SIDE_BINDING=false.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/htmx", BASE_DIR / "node_modules/htmx.org/dist")]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads: the dossier service checks these limits before anything is stored.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024))
MOTCUA_MAX_FILE_SIZE = envint("MOTCUA_MAX_FILE_SIZE", str(10 * 1024 * 1024))
MOTCUA_MAX_FILES = envint("MOTCUA_MAX_FILES", "20")
MOTCUA_ALLOWED_FILE_TYPES = ["application/pdf", "image/jpeg", "image/png"]
# A refused submission keeps its good files (under pending/) this long for the next try;
# `run_reminders` sweeps older ones every hour.
MOTCUA_KEPT_UPLOADS_HOURS = envint("MOTCUA_KEPT_UPLOADS_HOURS", "24")
# Workflow time rules (domain.md "Time", "Evaluation and indicators"; check against the
# current guidance): an online dossier is answered within 8 working hours; the applicant is
# asked for what is missing once at intake and once more by each agency during processing
# (more is refused, and would make the dossier late); assignees are warned a working day
# before a step is due.
MOTCUA_ONLINE_ANSWER_WORKING_HOURS = envint("MOTCUA_ONLINE_ANSWER_WORKING_HOURS", "8")
MOTCUA_SUPPLEMENTS_AT_INTAKE = envint("MOTCUA_SUPPLEMENTS_AT_INTAKE", "1")
MOTCUA_SUPPLEMENTS_PER_AGENCY = envint("MOTCUA_SUPPLEMENTS_PER_AGENCY", "1")
MOTCUA_WARN_BEFORE_WORKING_HOURS = envint("MOTCUA_WARN_BEFORE_WORKING_HOURS", "8")
# Years of public holidays seeded from holidays.VN by `seed_holidays`.
MOTCUA_HOLIDAY_YEARS = env("MOTCUA_HOLIDAY_YEARS", "2015-2035")

# Agency and centre administrators get their (scoped) admin permissions from their roles.
# django-axes first: it refuses a locked-out account or address before any password check.
AUTHENTICATION_BACKENDS = [
    "motcua.staff.signin.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    "motcua.staff.permissions.AgencyAdminBackend",
]

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "backoffice:inbox"
# Shown in authenticator apps next to the staff member's name.
OTP_TOTP_ISSUER = "Một cửa điện tử"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "motcua.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "Public API v1 of the one-stop system: procedures, dossiers, calendar.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Two choice sets named "level": today's levels of government, and the catalogue history's
    # (which adds the districts before 2025).
    "ENUM_NAME_OVERRIDES": {
        "GovernmentLevelEnum": "motcua.organisation.models.GovernmentLevel",
        "ProvisionLevelEnum": "motcua.catalog.models.ProvisionLevel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "motcua.api.schema.add_error_responses",
    ],
}

# Background jobs (reminders): stored in the database, run by `manage.py db_worker`. Payments
# settle on their own backend and queue, served by their own worker (`manage.py db_worker
# --backend payments --queue-name payments`), so a paid dossier never waits behind the reminders.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "payments": {
        "BACKEND": env("PAYMENTS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["payments"],
    },
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "motcua@localhost")

# The header a trusted reverse proxy sets to the client's address (e.g. HTTP_X_REAL_IP), for
# the audit log; empty: REMOTE_ADDR.
MOTCUA_CLIENT_ADDRESS_HEADER = env("MOTCUA_CLIENT_ADDRESS_HEADER", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# --- reads: audit of reads of personal data, receipt links (issue 9) ---
# Reads of personal data (a dossier opened, a file, receipt, form or register downloaded) are
# audit entries kept this many days, then purged daily by `run_reminders` (0: never purged).
# Decree 13/2023/NĐ-CP (and the Law on Personal Data Protection 91/2025/QH15 in force since
# 2026-01-01) has the controller keep a log of the processing of personal data but sets no
# period; Decree 53/2022/NĐ-CP keeps system logs at least 12 months: hence 365 days, the least
# that meets it while keeping staff's own trace (itself personal data) no longer than needed.
MOTCUA_AUDIT_READ_RETENTION_DAYS = envint("MOTCUA_AUDIT_READ_RETENTION_DAYS", "365")
# Changes and sign-ins are kept for ever unless this sets a number of days.
MOTCUA_AUDIT_CHANGE_RETENTION_DAYS = envint("MOTCUA_AUDIT_CHANGE_RETENTION_DAYS", "0")
# A receipt link (and the page shown after submitting) opens the receipt this many hours, so
# that one copied from an access log or a browser's history soon opens nothing; 72 spans a
# weekend, for the applicant who prints it again once the one-stop unit accepted the dossier.
# Afterwards the unit prints it (staff need no token) and the code still tracks the dossier.
MOTCUA_RECEIPT_LINK_HOURS = envint("MOTCUA_RECEIPT_LINK_HOURS", "72")

# --- bounded requests, uploads, orphan files ---
# A request body over MOTCUA_MAX_REQUEST_BYTES is refused with 413 before it is read (default:
# the most files of a dossier at their largest, plus 2 MB of form fields and part headers);
# the reverse proxy must refuse it too (nginx: client_max_body_size, in MB, rounded up).
MOTCUA_MAX_REQUEST_BYTES = envint(
    "MOTCUA_MAX_REQUEST_BYTES", str(MOTCUA_MAX_FILES * MOTCUA_MAX_FILE_SIZE + 2 * 1024 * 1024)
)
# A file over MOTCUA_MAX_FILE_SIZE is stopped while it streams in, before the usual handlers.
FILE_UPLOAD_HANDLERS = [
    "motcua.core.limits.FileSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE are written here while a request runs;
# `sweep_orphan_files` removes what a killed process left.
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", str(VAR_DIR / "tmp" / "uploads"))
# A stored file that no row holds, or a temporary upload, older than this is removed by the
# hourly sweep (`run_reminders`): what a crash between writing a file and committing left.
MOTCUA_ORPHAN_GRACE_MINUTES = envint("MOTCUA_ORPHAN_GRACE_MINUTES", "60")

# --- Accounts: API tokens, sign-in throttling and lockout ---
# A staff API token (POST /api/v1/auth/token) is accepted this many hours after it was
# issued (a working day); asking again afterwards issues a new one.
MOTCUA_API_TOKEN_HOURS = envint("MOTCUA_API_TOKEN_HOURS", "12")
# Failed sign-ins (staff page, API token, a wrong second-factor code) are counted by
# django-axes per account and per client address (MOTCUA_CLIENT_ADDRESS_HEADER): after
# AXES_FAILURE_LIMIT failures that account or address is refused for AXES_COOLOFF_MINUTES
# (0: until an administrator unlocks it in the admin or with `manage.py axes_reset_username`).
# AXES_LOCKOUT_PARAMETERS lists what is counted separately, "a+b" for a pair, e.g.
# "username,username+ip_address" where many staff share one office address.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15")) or None
AXES_LOCKOUT_PARAMETERS = [
    part.split("+") if "+" in part else part
    for part in env("AXES_LOCKOUT_PARAMETERS", "username,ip_address").split(",")
    if part
]
AXES_CLIENT_IP_CALLABLE = "motcua.audit.context.client_address"
AXES_LOCKOUT_CALLABLE = "motcua.staff.signin.lockout_response"
# Failures are forgotten a cool-off after the last one, not by a success (a success would
# also clear the address's count, letting a signed-in insider keep guessing other accounts);
# a refused attempt does not prolong the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Sign-ins and sign-outs are in the audit log (motcua.staff.signin), not in axes' own log.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "otp"]

# --- headers and settings for production ---
# Outside DEBUG every default is the production one: HTTPS only (the redirect, HSTS for a
# year with subdomains and preload, cookies sent over HTTPS only), so `manage.py check
# --deploy` is clean with SECRET_KEY and ALLOWED_HOSTS set. A reverse proxy that ends TLS
# must say so: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https, and the proxy must
# overwrite that header (a client could send it otherwise).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
_proxy_ssl_header = [part.strip() for part in env("SECURE_PROXY_SSL_HEADER").split(",")]
if _proxy_ssl_header != [""]:
    if len(_proxy_ssl_header) != 2 or not _proxy_ssl_header[0].startswith("HTTP_"):
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER is a request header and the value meaning HTTPS, "
            "e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header[0], _proxy_ssl_header[1])
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # a receipt's token in a URL never leaves the site
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions are the staff's (citizens sign in nowhere): sent over HTTPS only, out of scripts'
# reach, not sent by other sites' forms, and over after a working day or when the browser
# closes (a counter's computer is shared).
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(not DEBUG))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(SESSION_COOKIE_SECURE))
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"  # Strict would sign out a link followed from an e-mail
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(10 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", "true")

# Content Security Policy (django-csp) on every response: the site's own scripts, styles,
# fonts and requests only, no inline script or style, no eval (htmx runs without it:
# templates/base.html), images from the site and data: URLs (the admin's icons), no plugin,
# no framing, forms posted to the site only. The API docs page (Swagger UI) is served from
# the site's static files (drf-spectacular-sidecar) under the same policy.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
INSTALLED_APPS += ["drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS |= {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- Input hardening (issue 9) ---
# A NUL byte (or a lone surrogate) in a path, query, header or form/JSON body is refused with
# 400 before any view reads it: PostgreSQL cannot store it in text. After the locale (the
# API's error message is in the request's language) and the request limit (which must read
# nothing first).
MIDDLEWARE.insert(
    MIDDLEWARE.index("motcua.core.limits.RequestLimitMiddleware") + 1,
    "motcua.core.middleware.UnstorableInputMiddleware",
)

# --- The applicant's actions and ratings ---
# Ratings of the service, once per dossier after the result is returned (motcua/ratings/).
INSTALLED_APPS += ["motcua.ratings"]

# --- identity: applicants sign in with the national identity (issue 10) ---
# Citizens and businesses sign in with VNeID through the national public-service portal's
# single sign-on: OpenID Connect authorization code with state, nonce and PKCE
# (mozilla-django-oidc, motcua/applicants/oidc.py). The provider's endpoints, the client and
# its secret come from the portal's registration; with the local simulator on, they default
# to the simulator served by this site under /mo-phong-vneid/ (django-oauth-toolkit, RS256).
# The simulator is on in development and the demo, off by default in production: when off,
# its URLs do not exist and its app is not installed.
MOTCUA_IDENTITY_SIMULATOR = envbool("MOTCUA_IDENTITY_SIMULATOR", str(DEBUG))
# The simulator's RSA signing key (PEM), made by `manage.py identity_simulator_key` (`make run`).
MOTCUA_IDENTITY_SIMULATOR_KEY = Path(
    env("MOTCUA_IDENTITY_SIMULATOR_KEY", str(VAR_DIR / "identity-simulator.pem"))
)
_IDENTITY_SIM_ISSUER = f"{SITE_URL.rstrip('/')}/mo-phong-vneid"
MOTCUA_IDENTITY_ISSUER = env(
    "MOTCUA_IDENTITY_ISSUER", _IDENTITY_SIM_ISSUER if MOTCUA_IDENTITY_SIMULATOR else ""
)
_issuer = MOTCUA_IDENTITY_ISSUER.rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", f"{_issuer}/authorize/")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", f"{_issuer}/token/")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", f"{_issuer}/userinfo/")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", f"{_issuer}/.well-known/jwks.json")
# Where sign-out sends the browser to end the provider's session too (empty: ours only).
OIDC_OP_LOGOUT_ENDPOINT = env(
    "OIDC_OP_LOGOUT_ENDPOINT", f"{_issuer}/logout/" if MOTCUA_IDENTITY_SIMULATOR else ""
)
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "motcua-portal")
OIDC_RP_CLIENT_SECRET = env(
    "OIDC_RP_CLIENT_SECRET", "motcua-demo-client-secret" if MOTCUA_IDENTITY_SIMULATOR else ""
)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid profile email phone")
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", "10")
# The client's secret in an Authorization: Basic header (client_secret_basic) instead of the
# token request's body (client_secret_post), if the provider asks for it.
OIDC_TOKEN_USE_BASIC_AUTH = envbool("OIDC_TOKEN_USE_BASIC_AUTH", "false")
OIDC_STORE_ID_TOKEN = True  # the hint sent to the provider's end-session endpoint
OIDC_AUTHENTICATION_CALLBACK_URL = "applicants:callback"
OIDC_OP_LOGOUT_URL_METHOD = "motcua.applicants.oidc.end_session_url"
OIDC_DRF_AUTH_BACKEND = "motcua.applicants.oidc.IdentityBackend"
AUTHENTICATION_BACKENDS += ["motcua.applicants.oidc.IdentityBackend"]
# The claims of the identity, by meaning: set MOTCUA_IDENTITY_CLAIM_<MEANING> to the name the
# provider uses (the national portal's integration agreement names them).
MOTCUA_IDENTITY_CLAIMS = {
    meaning: env(f"MOTCUA_IDENTITY_CLAIM_{meaning.upper()}", default)
    for meaning, default in {
        "subject": "sub",
        "id_number": "id_number",  # 12-digit personal identification number
        "name": "name",
        "birthdate": "birthdate",  # YYYY-MM-DD
        "phone": "phone_number",
        "email": "email",
        "account_type": "account_type",  # citizen / organisation (or 1 / 2)
        "tax_code": "tax_code",  # tax or enterprise code, organisations
        "loa": "loa",  # level of assurance: 1 or 2
    }.items()
}
# The level of assurance needed to sign in, see one's dossiers and submit online (Decree
# 69/2024/NĐ-CP: level 2 for most services).
MOTCUA_SUBMIT_MIN_LOA = envint("MOTCUA_SUBMIT_MIN_LOA", "2")
# Online submission (portal and API) without an identity: off by default, on in the demo.
MOTCUA_ANONYMOUS_SUBMISSION = envbool("MOTCUA_ANONYMOUS_SUBMISSION", "false")
# Looking up one's dossiers without an account (identification number + phone, then a
# one-time code by SMS): the code is valid MOTCUA_LOOKUP_CODE_MINUTES and takes at most
# MOTCUA_LOOKUP_CODE_TRIES tries; at most MOTCUA_LOOKUP_CODES_PER_HOUR codes are asked an hour
# for one identification number or one phone, MOTCUA_LOOKUP_CODES_PER_ADDRESS_HOUR from one
# client address (MOTCUA_CLIENT_ADDRESS_HEADER); the list stays open
# MOTCUA_LOOKUP_SESSION_MINUTES.
MOTCUA_LOOKUP_CODE_MINUTES = envint("MOTCUA_LOOKUP_CODE_MINUTES", "5")
MOTCUA_LOOKUP_CODE_TRIES = envint("MOTCUA_LOOKUP_CODE_TRIES", "5")
MOTCUA_LOOKUP_CODES_PER_HOUR = envint("MOTCUA_LOOKUP_CODES_PER_HOUR", "3")
MOTCUA_LOOKUP_CODES_PER_ADDRESS_HOUR = envint("MOTCUA_LOOKUP_CODES_PER_ADDRESS_HOUR", "10")
MOTCUA_LOOKUP_SESSION_MINUTES = envint("MOTCUA_LOOKUP_SESSION_MINUTES", "30")
INSTALLED_APPS.insert(INSTALLED_APPS.index("motcua.portal"), "motcua.applicants")
if MOTCUA_IDENTITY_SIMULATOR:
    INSTALLED_APPS += ["oauth2_provider", "motcua.identity_sim"]
    OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_ISS_ENDPOINT": MOTCUA_IDENTITY_ISSUER,
        "OIDC_RSA_PRIVATE_KEY": (
            MOTCUA_IDENTITY_SIMULATOR_KEY.read_text(encoding="utf-8")
            if MOTCUA_IDENTITY_SIMULATOR_KEY.is_file()
            else ""
        ),
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
        "PKCE_REQUIRED": True,
        "SCOPES": {
            "openid": "OpenID Connect",
            "profile": "Họ tên, ngày sinh, số định danh, loại tài khoản, mức định danh",
            "email": "Thư điện tử",
            "phone": "Số điện thoại",
        },
        "OAUTH2_VALIDATOR_CLASS": "motcua.identity_sim.validators.SimulatorValidator",
        "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
        "ID_TOKEN_EXPIRE_SECONDS": 300,
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    }
# Sign-out posts a form whose answer redirects to the provider's end-session endpoint: the
# Content Security Policy must let that form go there.
_logout_origin = "/".join(OIDC_OP_LOGOUT_ENDPOINT.split("/")[:3])
if _logout_origin.startswith("http") and not SITE_URL.startswith(_logout_origin):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [SELF, _logout_origin]

# --- messages to applicants (issue 10) ---
# Each step that concerns the applicant writes outbox rows (one per channel) in the step's
# transaction; `manage.py run_outbox` sends them. A message is tried OUTBOX_MAX_ATTEMPTS times,
# waiting OUTBOX_RETRY_BASE_SECONDS doubled after each failure (at most
# OUTBOX_RETRY_MAX_SECONDS), then marked failed for an administrator to retry. A worker holds
# the rows it sends for OUTBOX_LEASE_SECONDS (more than OUTBOX_SMS_TIMEOUT); a worker that
# dies mid-send lets them go when the lease expires, and the retry carries the same key.
INSTALLED_APPS += ["motcua.outbox", "motcua.sms_sim"]
OUTBOX_BATCH = envint("OUTBOX_BATCH", "100")
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", "8")
OUTBOX_RETRY_BASE_SECONDS = envint("OUTBOX_RETRY_BASE_SECONDS", "30")
OUTBOX_RETRY_MAX_SECONDS = envint("OUTBOX_RETRY_MAX_SECONDS", "3600")
OUTBOX_LEASE_SECONDS = envint("OUTBOX_LEASE_SECONDS", "60")
# SMS: the gateway adapter, and whether texts keep their Vietnamese diacritics. Unicode SMS
# carry 70 characters a part (67 when split) against 160 (153) without: a text costs about
# twice as many parts, so the default folds texts to ASCII ("Ho so da duoc tiep nhan").
OUTBOX_SMS_GATEWAY = env("OUTBOX_SMS_GATEWAY", "motcua.outbox.adapters.esms.EsmsGateway")
OUTBOX_SMS_UNICODE = envbool("OUTBOX_SMS_UNICODE", "false")
OUTBOX_SMS_MAX_SEGMENTS = envint("OUTBOX_SMS_MAX_SEGMENTS", "2")
OUTBOX_SMS_TIMEOUT = float(env("OUTBOX_SMS_TIMEOUT", "10"))
# The local eSMS.vn simulator (/sim/esms/): on in development and the demo, off by default in
# production. With it on, the adapter talks to it unless OUTBOX_ESMS_URL says otherwise.
OUTBOX_SMS_SIMULATOR = envbool("OUTBOX_SMS_SIMULATOR", "true" if DEBUG else "false")
OUTBOX_ESMS_URL = env(
    "OUTBOX_ESMS_URL",
    SITE_URL.rstrip("/") + "/sim/esms/" if OUTBOX_SMS_SIMULATOR else "https://rest.esms.vn/",
)
OUTBOX_ESMS_API_KEY = env("OUTBOX_ESMS_API_KEY", "demo-api-key" if OUTBOX_SMS_SIMULATOR else "")
OUTBOX_ESMS_SECRET_KEY = env(
    "OUTBOX_ESMS_SECRET_KEY", "demo-secret-key" if OUTBOX_SMS_SIMULATOR else ""
)
OUTBOX_ESMS_BRANDNAME = env("OUTBOX_ESMS_BRANDNAME", "MOTCUA")
OUTBOX_ESMS_SANDBOX = envbool("OUTBOX_ESMS_SANDBOX", "false")
# SMS requests a worker keeps in flight at once (the gateway deduplicates on each row's key).
OUTBOX_SMS_CONCURRENCY = envint("OUTBOX_SMS_CONCURRENCY", "8")

# Fee payments (motcua/payments/): the gateways on offer, in the order the payer sees them, and
# each gateway's adapter class.
INSTALLED_APPS += ["motcua.payments"]
PAYMENTS_GATEWAYS = [
    c.strip() for c in env("PAYMENTS_GATEWAYS", "vnpay,dvcqg").split(",") if c.strip()
]
PAYMENTS_GATEWAY_CLASSES: dict[str, str] = {
    "vnpay": env("PAYMENTS_GATEWAY_VNPAY", "motcua.payments.gateways.vnpay.VnpayGateway"),
    "dvcqg": env("PAYMENTS_GATEWAY_DVCQG", "motcua.payments.gateways.dvcqg.PlatformGateway"),
}

# Payment gateway adapters (motcua/payments/gateways/) and their local simulators
# (motcua/simulators/vnpay/, motcua/simulators/dvcqg_payment/, under /sim/): the simulators are
# on in development and the demo, off by default in production. With them on, the adapters talk
# to them on SITE_URL with demo secrets unless the settings below say otherwise; with them off,
# the keys have no default (the gateway refuses to start a payment until they are set).
PAYMENTS_SIMULATOR = envbool("PAYMENTS_SIMULATOR", "true" if DEBUG else "false")
INSTALLED_APPS += ["motcua.simulators.vnpay", "motcua.simulators.dvcqg_payment"]
_PAY_SIM = SITE_URL.rstrip("/") + "/sim"
PAYMENTS_HTTP_TIMEOUT = float(env("PAYMENTS_HTTP_TIMEOUT", "15"))
# VNPAY (API 2.1.0): the terminal code and hash secret VNPAY issues; the pay URL
# (https://pay.vnpay.vn/vpcpay.html in production, sandbox.vnpayment.vn to test); the API URL
# of querydr and refund; where the day's statement file is read (see vnpay.py).
VNPAY_TMN_CODE = env("VNPAY_TMN_CODE", "MOTCUA01" if PAYMENTS_SIMULATOR else "")
VNPAY_HASH_SECRET = env("VNPAY_HASH_SECRET", "demo-vnpay-hash-secret" if PAYMENTS_SIMULATOR else "")
VNPAY_PAY_URL = env(
    "VNPAY_PAY_URL",
    f"{_PAY_SIM}/vnpay/paymentv2/vpcpay.html"
    if PAYMENTS_SIMULATOR
    else "https://pay.vnpay.vn/vpcpay.html",
)
VNPAY_API_URL = env(
    "VNPAY_API_URL",
    f"{_PAY_SIM}/vnpay/merchant_webapi/api/transaction"
    if PAYMENTS_SIMULATOR
    else "https://merchant.vnpay.vn/merchant_webapi/api/transaction",
)
VNPAY_STATEMENT_URL = env(
    "VNPAY_STATEMENT_URL", f"{_PAY_SIM}/vnpay/statement" if PAYMENTS_SIMULATOR else ""
)
# The national portal's payment platform: client id and the two keys it issues (the first
# signs our requests, the second its notifications), its API base URL, and this agency's
# merchant facts sent on every bill (service code, unit, treasury, beneficiary account).
DVCQG_PAYMENT_CLIENT_ID = env(
    "DVCQG_PAYMENT_CLIENT_ID", "motcua-demo" if PAYMENTS_SIMULATOR else ""
)
DVCQG_PAYMENT_HASH_KEY_1 = env(
    "DVCQG_PAYMENT_HASH_KEY_1", "demo-dvcqg-key-1" if PAYMENTS_SIMULATOR else ""
)
DVCQG_PAYMENT_HASH_KEY_2 = env(
    "DVCQG_PAYMENT_HASH_KEY_2", "demo-dvcqg-key-2" if PAYMENTS_SIMULATOR else ""
)
DVCQG_PAYMENT_URL = env("DVCQG_PAYMENT_URL", f"{_PAY_SIM}/dvcqg/api/" if PAYMENTS_SIMULATOR else "")
DVCQG_PAYMENT_VERSION = env("DVCQG_PAYMENT_VERSION", "3.0")
DVCQG_PAYMENT_MERCHANT: dict[str, str] = {
    "service_code": env("DVCQG_PAYMENT_SERVICE_CODE", "2"),
    "unit_code": env("DVCQG_PAYMENT_UNIT_CODE", "000.00.00.H00" if PAYMENTS_SIMULATOR else ""),
    "unit_name": env("DVCQG_PAYMENT_UNIT_NAME", "UBND tỉnh (demo)" if PAYMENTS_SIMULATOR else ""),
    "treasury": env("DVCQG_PAYMENT_TREASURY", "KBNN tỉnh (demo)" if PAYMENTS_SIMULATOR else ""),
    "treasury_account": env("DVCQG_PAYMENT_TREASURY_ACCOUNT", "7111" if PAYMENTS_SIMULATOR else ""),
    "account": env("DVCQG_PAYMENT_ACCOUNT", "0000000000" if PAYMENTS_SIMULATOR else ""),
    "bank_code": env("DVCQG_PAYMENT_BANK_CODE", "970415" if PAYMENTS_SIMULATOR else ""),
    "account_name": env(
        "DVCQG_PAYMENT_ACCOUNT_NAME", "Tài khoản thu (demo)" if PAYMENTS_SIMULATOR else ""
    ),
}
# Where the simulators send their notifications (a real gateway has the merchant's IPN URL
# on record from its registration, not in each request): the payments app's IPN endpoints.
PAYMENTS_SIMULATOR_IPN_URLS: dict[str, str] = {
    "vnpay": env(
        "PAYMENTS_SIMULATOR_VNPAY_IPN_URL", SITE_URL.rstrip("/") + "/thanh-toan/ipn/vnpay/"
    ),
    "dvcqg": env(
        "PAYMENTS_SIMULATOR_DVCQG_IPN_URL", SITE_URL.rstrip("/") + "/thanh-toan/ipn/dvcqg/"
    ),
}

# Electronic results (motcua/esign/): the agencies' signed PDFs and their public verification.
# ESIGN_SIGNER: pkcs12 (demo files), pkcs11 (a token) or smartca (VNPT SmartCA remote signing).
INSTALLED_APPS += ["motcua.esign"]
ESIGN_SIMULATOR = envbool("ESIGN_SIMULATOR", "true" if DEBUG else "false")
if ESIGN_SIMULATOR:
    INSTALLED_APPS += ["motcua.simulators.remote_signing"]
ESIGN_DEMO_DIR = Path(env("ESIGN_DEMO_DIR", str(VAR_DIR / "esign")))
ESIGN_SIGNER = env("ESIGN_SIGNER", "pkcs12")
ESIGN_PKCS12_DIR = Path(env("ESIGN_PKCS12_DIR", str(ESIGN_DEMO_DIR / "agencies")))
ESIGN_PKCS12_PASSWORD = env("ESIGN_PKCS12_PASSWORD", "motcua-demo" if ESIGN_SIMULATOR else "")
# The demo issues a missing agency's certificate from the demo CA at its first signature.
ESIGN_DEMO_ISSUE_ON_DEMAND = envbool("ESIGN_DEMO_ISSUE_ON_DEMAND", str(ESIGN_SIMULATOR))
ESIGN_PKCS11_MODULE = env("ESIGN_PKCS11_MODULE", "")
ESIGN_PKCS11_TOKEN_LABEL = env("ESIGN_PKCS11_TOKEN_LABEL", "")
ESIGN_PKCS11_PIN = env("ESIGN_PKCS11_PIN", "")
ESIGN_PKCS11_KEY_LABEL = env("ESIGN_PKCS11_KEY_LABEL", "{code}")
# VNPT SmartCA (SP769 API); with the simulator on, the local one unless ESIGN_SMARTCA_URL is set.
ESIGN_SMARTCA_URL = env(
    "ESIGN_SMARTCA_URL",
    SITE_URL.rstrip("/") + "/sim/smartca/"
    if ESIGN_SIMULATOR
    else "https://gwsca.vnpt.vn/sca/sp769/",
)
ESIGN_SMARTCA_SP_ID = env("ESIGN_SMARTCA_SP_ID", "demo-sp" if ESIGN_SIMULATOR else "")
ESIGN_SMARTCA_SP_PASSWORD = env(
    "ESIGN_SMARTCA_SP_PASSWORD", "demo-sp-password" if ESIGN_SIMULATOR else ""
)
# The SmartCA account of each agency: "<agency code>=<user_id>,..."; unlisted: the agency code.
ESIGN_SMARTCA_USER_IDS = dict(
    pair.split("=", 1) for pair in env("ESIGN_SMARTCA_USER_IDS", "").split(",") if "=" in pair
)
ESIGN_SMARTCA_TIMEOUT = float(env("ESIGN_SMARTCA_TIMEOUT", "60"))  # seconds to wait for approval
ESIGN_SMARTCA_POLL = float(env("ESIGN_SMARTCA_POLL", "1"))
# RFC 3161 timestamps on each signature when set (e.g. a licensed CA's TSA).
ESIGN_TSA_URL = env("ESIGN_TSA_URL", "")
# Trust roots of verification: a PEM bundle (the national root CA bundle in production).
ESIGN_TRUST_ROOTS = Path(env("ESIGN_TRUST_ROOTS", str(ESIGN_DEMO_DIR / "ca.pem")))
# A font with Vietnamese letters for the stamps on the PDFs (Debian: fonts-dejavu-core).
ESIGN_FONT = env("ESIGN_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ESIGN_MAX_UPLOAD = envint("ESIGN_MAX_UPLOAD", str(10 * 1024 * 1024))
# Wrong result secrets (tracking page) allowed an hour for one dossier, and from one address;
# past them every try is refused (429), the right secret too, until the hour has gone by.
ESIGN_SECRET_TRIES_PER_DOSSIER_HOUR = envint("ESIGN_SECRET_TRIES_PER_DOSSIER_HOUR", "5")
ESIGN_SECRET_TRIES_PER_ADDRESS_HOUR = envint("ESIGN_SECRET_TRIES_PER_ADDRESS_HOUR", "20")
# Whether fees are asked for by themselves when the procedure's rules make them due (the
# "before" ones at acceptance, the "after" ones once processed), and whether the applicant's
# clock stops while the dossier waits for payment (like a supplement: an assumption to check
# with the province; off, the wait counts against the agency).
PAYMENTS_REQUEST_AUTOMATICALLY = envbool("PAYMENTS_REQUEST_AUTOMATICALLY", "true")
PAYMENTS_PAUSE_CLOCK = envbool("PAYMENTS_PAUSE_CLOCK", "true")
# Minutes after a checkout when a still pending payment is first asked about, then every day.
PAYMENTS_FIRST_QUERY_MINUTES = envint("PAYMENTS_FIRST_QUERY_MINUTES", "15")
# How long the payer has at the gateway (its expiry of the payment).
PAYMENTS_CHECKOUT_MINUTES = envint("PAYMENTS_CHECKOUT_MINUTES", "15")
# Minutes after which reconciliation asks the gateway about a refund still awaiting its answer.
PAYMENTS_REFUND_SWEEP_MINUTES = envint("PAYMENTS_REFUND_SWEEP_MINUTES", "5")

# The public postal service (motcua/postal/): collections and deliveries by the post, hand-over
# records, tracking. The carriers' adapters and simulators are configured below this line.
INSTALLED_APPS += ["motcua.postal"]
# The post's API (motcua/postal/carriers/: VNPost's public-service order API) and its local
# simulator (motcua/simulators/vnpost/, under /sim/vnpost/): the simulator is on in development
# and the demo, off by default in production. With it on, the adapter talks to it on SITE_URL
# with demo keys unless the settings below say otherwise; with it off, the keys have no default
# (registering an order fails until they are set, and the periodic job tries again).
POSTAL_SIMULATOR = envbool("POSTAL_SIMULATOR", "true" if DEBUG else "false")
INSTALLED_APPS += ["motcua.simulators.vnpost"]
_POST_SIM = SITE_URL.rstrip("/") + "/sim/vnpost"
POSTAL_CARRIERS: dict[str, str] = {
    "vnpost": env("POSTAL_CARRIER_VNPOST", "motcua.postal.carriers.vnpost.VnpostCarrier"),
}
POSTAL_HTTP_TIMEOUT = float(env("POSTAL_HTTP_TIMEOUT", "15"))
VNPOST_TOKEN_URL = env(
    "VNPOST_TOKEN_URL", f"{_POST_SIM}/token" if POSTAL_SIMULATOR else "https://api.mitc.vn/token"
)
VNPOST_API_URL = env(
    "VNPOST_API_URL",
    f"{_POST_SIM}/apiVNPostNGSP/p1.0"
    if POSTAL_SIMULATOR
    else "https://api.mitc.vn/apiVNPostNGSP/p1.0",
)
VNPOST_CUSTOMER_KEY = env("VNPOST_CUSTOMER_KEY", "demo-vnpost-key" if POSTAL_SIMULATOR else "")
VNPOST_SECRET_KEY = env("VNPOST_SECRET_KEY", "demo-vnpost-secret" if POSTAL_SIMULATOR else "")
VNPOST_CUSTOMER_CODE = env("VNPOST_CUSTOMER_CODE", "MOTCUA" if POSTAL_SIMULATOR else "")
VNPOST_WEBHOOK_SECRET = env(
    "VNPOST_WEBHOOK_SECRET", "demo-vnpost-webhook-secret" if POSTAL_SIMULATOR else ""
)
# Where the simulator pushes its events (a real carrier has it from the registration).
POSTAL_SIMULATOR_WEBHOOK_URL = env(
    "POSTAL_SIMULATOR_WEBHOOK_URL", SITE_URL.rstrip("/") + "/buu-chinh/webhook/vnpost/"
)

# Statistics (motcua/statistics/): facts kept from the dossiers' timelines and rolled up by day
# and month (issue 13). The refresh re-reads the dossiers whose timeline moved since its last
# run, less this overlap (seconds), so a transaction that committed late is still counted.
INSTALLED_APPS += ["motcua.statistics"]
STATISTICS_REFRESH_OVERLAP = envint("STATISTICS_REFRESH_OVERLAP", "900")

# Catalogue history (issue 13, cathist): the day Decree 42/2022/NĐ-CP took effect, from which the
# online levels "toàn trình" / "một phần" replace levels 1-4 of Decree 43/2011 as the primary
# scheme of the statistics of procedures offered online (both are counted on any date).
CATALOG_ONLINE_LEVELS_SWITCH = env("CATALOG_ONLINE_LEVELS_SWITCH", "2022-08-09")

# The annual review (motcua/review/, issue 13): the department's year-end report generated from
# the records as DOCX and PDF, from templates kept as data. No settings of its own: the place
# name of the heading is MOTCUA_PLACE_NAME's (or the province's), the charts use DejaVu Sans.
INSTALLED_APPS += ["motcua.review"]

# Indicators of Decision 766/QĐ-TTg (motcua/indicators/): versioned sets of groups, indicators,
# points and formulas, scored per province, agency and one-stop unit from the statistics
# rollups (issue 13). No settings of its own.
INSTALLED_APPS += ["motcua.indicators"]

# --- Statistics: the department's sector figures and the province's yearly targets (issue 13) ---
# motcua.targets (indicators as data, targets per province or agency) comes first: sector metrics
# get a target indicator of their own. An uploaded figures file larger than
# SECTOR_IMPORT_MAX_BYTES is refused before it is read.
INSTALLED_APPS += ["motcua.targets", "motcua.sector"]
SECTOR_IMPORT_MAX_BYTES = envint("SECTOR_IMPORT_MAX_BYTES", str(5 * 1024 * 1024))

# History (motcua/history/): a previous system's dossiers imported into statistics (issue 13).
# Uploaded files wait here for their background run and are removed once imported; the
# staff page takes files up to MOTCUA_MAX_FILE_SIZE, larger ones go through
# `manage.py import_dossiers FILE`.
INSTALLED_APPS += ["motcua.history"]
HISTORY_IMPORT_DIR = Path(env("HISTORY_IMPORT_DIR", str(VAR_DIR / "imports")))

# The statistics dashboard, its open data and the public statistics page (issue 13): Chart.js
# served from node_modules like htmx; the open-data API answers anonymous clients at most this
# often per address (DRF's throttle, counted in the cache).
STATICFILES_DIRS += [("vendor/chartjs", BASE_DIR / "node_modules/chart.js/dist")]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # type: ignore[assignment]
    "open_data": env("STATISTICS_OPEN_DATA_RATE", "300/minute"),
}

# Periodic reports (motcua/reports/): report forms as data (columns, periods, cut-off days),
# the report as a page, XLSX, PDF and API; the streamed XLSX list of dossiers (issue 13). Rows
# read from the database per round trip while the list of dossiers is written.
INSTALLED_APPS += ["motcua.reports"]
REPORTS_EXPORT_CHUNK = envint("REPORTS_EXPORT_CHUNK", "5000")

# Statistics engine (issue 13, engine): the memory PostgreSQL's hash aggregates may use in
# the full rebuild of the rollups (SET LOCAL work_mem in its transaction only).
STATISTICS_REBUILD_WORK_MEM = env("STATISTICS_REBUILD_WORK_MEM", "256MB")
# Connections that write the rebuilt rollups at once, a scope each (PostgreSQL; up to 6, the
# scopes): as many as the database server's cores to spare. Used by `statistics_refresh
# --rebuild --rollups` (the facts as they are); a rebuild that re-reads the dossiers first
# writes from its own transaction, one connection.
STATISTICS_REBUILD_WORKERS = envint("STATISTICS_REBUILD_WORKERS", "2")
