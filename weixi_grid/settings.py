"""Settings for weixi_grid, read from the environment in this one place.

Two shapes:
- the embedded default (nothing set): SQLite file in the project folder, Celery tasks run
  in-process, keys generated once into ``.local/secrets.json``;
- production (``WEIXI_PRODUCTION=1``): PostgreSQL, Redis, every secret from the environment;
  the process refuses to start when one is missing.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

PRODUCTION = env.bool("WEIXI_PRODUCTION", default=False)
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("WEIXI_PRODUCTION=1 cannot run with DJANGO_DEBUG on.")

_REQUIRED_IN_PRODUCTION = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "ID_HASH_KEY",
    "ID_ENCRYPTION_KEY",
)
if PRODUCTION:
    missing = [name for name in _REQUIRED_IN_PRODUCTION if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "Production mode needs these environment variables: " + ", ".join(missing)
        )
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ID_HASH_KEY = env.str("ID_HASH_KEY")
    ID_ENCRYPTION_KEY = env.str("ID_ENCRYPTION_KEY")
else:
    from .localkeys import load_or_create

    _local = load_or_create(BASE_DIR / ".local" / "secrets.json")
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_local["SECRET_KEY"])
    ID_HASH_KEY = env.str("ID_HASH_KEY", default=_local["ID_HASH_KEY"])
    ID_ENCRYPTION_KEY = env.str("ID_ENCRYPTION_KEY", default=_local["ID_ENCRYPTION_KEY"])

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "mptt",
    "core",
    "grids",
    "households",
    "monitoring",
    "comparison",
    "assistance",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication and messages: its refusal page is a normal page.
    "households.middleware.IdNumbersNotInUrls",
]

ROOT_URLCONF = "weixi_grid.urls"
WSGI_APPLICATION = "weixi_grid.wsgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL; without it the embedded SQLite file is used.
# An empty DATABASE_URL counts as unset (CI scripts and shells often export it empty).
DATABASES = {
    "default": environ.Env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Serialise writers instead of failing with "database is locked" under the dev server.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
}
REST_KNOX = {
    "TOKEN_TTL": __import__("datetime").timedelta(days=env.int("API_TOKEN_DAYS", default=90)),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "weixi_grid API",
    "DESCRIPTION": "防止返贫动态监测和帮扶 · 四级网格 · REST API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are for the county's integrators, behind a login or a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the package's own files: the county network is closed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "CheckResultEnum": "monitoring.models.CheckResult",
        "RiskTypeEnum": "monitoring.models.RiskType",
        "ApplicationStatusEnum": "monitoring.models.ApplicationStatus",
        "ClueStateEnum": "monitoring.models.ClueState",
        "ReviewStateEnum": "monitoring.models.ReviewState",
        "CaseStateEnum": "monitoring.models.CaseState",
        "CaseCategoryEnum": "monitoring.models.CaseCategory",
        "EliminationMethodEnum": "monitoring.models.EliminationMethod",
        "HouseholdStatusEnum": "households.models.HouseholdStatus",
        "PersonStatusEnum": "households.models.PersonStatus",
        "JoinReasonEnum": "households.models.JoinReason",
        "LeaveReasonEnum": "households.models.LeaveReason",
        "MeasureCategoryEnum": "assistance.models.MeasureCategory",
        "MeasureKindEnum": "assistance.models.MeasureKind",
        "MeasureStateEnum": "assistance.models.MeasureState",
    },
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker (the embedded default) tasks run in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Security (production) ----------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No whole resident ID number in any log line (households/logging.py).
    "filters": {"mask_id_numbers": {"()": "households.logging.MaskIdNumbers"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_id_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Domain settings (configurable per deployment) -----------------------------------------
# Group grids hold about 10 households and never more than 20 (the county's rule).
GRID_GROUP_SOFT_LIMIT = env.int("GRID_GROUP_SOFT_LIMIT", default=10)
GRID_GROUP_HARD_LIMIT = env.int("GRID_GROUP_HARD_LIMIT", default=20)

# Risk clues: home check (入户核实) within CLUE_VERIFY_DAYS and a decision within CLUE_DECIDE_DAYS
# calendar days of the clue (*local*: provinces set 10–20 working days; DOMAIN.md).
CLUE_VERIFY_DAYS = env.int("CLUE_VERIFY_DAYS", default=5)
CLUE_DECIDE_DAYS = env.int("CLUE_DECIDE_DAYS", default=15)

# Monthly village review (每月综合研判) and risk elimination (docs/reviews.md). Public notice
# (公示) at least N calendar days, both ends included; elimination no sooner than N months after
# identification; the village submits by day N of the month; the township decides within N days
# of submission and the county confirms within N days of approval (overdue lists).
REVIEW_NOTICE_DAYS_INCLUDE = env.int("REVIEW_NOTICE_DAYS_INCLUDE", default=5)
REVIEW_NOTICE_DAYS_ELIMINATE = env.int("REVIEW_NOTICE_DAYS_ELIMINATE", default=7)
ELIMINATION_MIN_MONTHS = env.int("ELIMINATION_MIN_MONTHS", default=6)
REVIEW_SUBMIT_DAY = env.int("REVIEW_SUBMIT_DAY", default=25)
REVIEW_APPROVAL_DAYS = env.int("REVIEW_APPROVAL_DAYS", default=5)
REVIEW_CONFIRM_DAYS = env.int("REVIEW_CONFIRM_DAYS", default=10)
# Assistance: a monitored household's plan needs a measure within this many days of
# identification (about a month), or the case is listed as overdue.
ASSISTANCE_MEASURE_DAYS = env.int("ASSISTANCE_MEASURE_DAYS", default=30)
# Department comparison: townships share one Celery part up to this many staged hits (records
# that fired a rule); a county below it runs as one part inside the run task, a larger one as a
# group of parts. The staging statement may use this much memory per hash (PostgreSQL
# ``work_mem``, for that transaction only): the county's persons are hashed once.
COMPARISON_PART_RECORDS = env.int("COMPARISON_PART_RECORDS", default=20000)
COMPARISON_WORK_MEM = env.str("COMPARISON_WORK_MEM", default="64MB")
