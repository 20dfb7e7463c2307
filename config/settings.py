"""Settings for motcua, read from typed environment variables.

The defaults make ``clone -> make run`` work on SQLite; production sets
``DATABASE_URL`` (PostgreSQL), ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

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


DEBUG = envbool("DEBUG", "true")
SECRET_KEY = env("SECRET_KEY", "insecure-dev-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
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
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "motcua.audit.context.AuditContextMiddleware",
    "motcua.calendar.middleware.CalendarSnapshotMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
AUTHENTICATION_BACKENDS = [
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
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "motcua.api.schema.add_error_responses",
    ],
}

# Background jobs (reminders): stored in the database, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "motcua@localhost")

# The header a trusted reverse proxy sets to the client's address (e.g. HTTP_X_REAL_IP), for
# the audit log; empty: REMOTE_ADDR.
MOTCUA_CLIENT_ADDRESS_HEADER = env("MOTCUA_CLIENT_ADDRESS_HEADER", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# --- Input hardening (issue 9) ---
# A NUL byte (or a lone surrogate) in a path, query, header or form/JSON body is refused with
# 400 before any view reads it: PostgreSQL cannot store it in text. After the locale, so the
# API's error message is in the request's language.
MIDDLEWARE.insert(
    MIDDLEWARE.index("motcua.core.middleware.LocaleMiddleware") + 1,
    "motcua.core.middleware.UnstorableInputMiddleware",
)
