"""Settings for weixi_grid, read from the environment in this one place.

Two shapes:
- the embedded default (nothing set): SQLite file in the project folder, Celery tasks run
  in-process, keys generated once into ``.local/secrets.json``;
- production (``WEIXI_PRODUCTION=1``): PostgreSQL, Redis, every secret from the environment;
  the process refuses to start when one is missing.
"""

from pathlib import Path

import environ
from csp.constants import NONCE
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
    "AUDIT_CHAIN_KEY",
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
    AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY")
else:
    from .localkeys import load_or_create

    _local = load_or_create(BASE_DIR / ".local" / "secrets.json")
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_local["SECRET_KEY"])
    ID_HASH_KEY = env.str("ID_HASH_KEY", default=_local["ID_HASH_KEY"])
    ID_ENCRYPTION_KEY = env.str("ID_ENCRYPTION_KEY", default=_local["ID_ENCRYPTION_KEY"])
    AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default=_local["AUDIT_CHAIN_KEY"])

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin site asks for the second factor (accounts/admin_site.py).
    "accounts.admin_apps.WeixiAdminConfig",
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "grids",
    "accounts",
    "households",
    "monitoring",
    "comparison",
    "assistance",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.request_context.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The service worker's background fetches set no cookie (core/offline.py).
    "core.offline.WarmFetchesSetNoCookies",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Idle timeout, then the second factor for those who need it (accounts/middleware.py).
    "accounts.middleware.IdleSessionTimeout",
    "accounts.middleware.SecondFactorRequired",
    # Last: it sees the response of a failed login and answers a locked one.
    "axes.middleware.AxesMiddleware",
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
    # Serialise writers instead of failing with "database is locked" under the dev server; WAL
    # lets a long read (a ledger) run beside writers (a login) instead of locking them out.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and logins (docs/security.md) ----------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked account or address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
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


def _photo_storage() -> dict:
    if env.str("PHOTO_STORAGE", default="files") == "s3":
        # django-storages' S3 backend (pip install "django-storages[s3]"): MinIO, Ceph, or a
        # provider's object store inside the county's network. Never public: no querystring
        # URLs are handed out, the scoped view reads the object and answers the user.
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.str("PHOTO_S3_BUCKET"),
                "endpoint_url": env.str("PHOTO_S3_ENDPOINT", default=None),
                "access_key": env.str("PHOTO_S3_ACCESS_KEY", default=None),
                "secret_key": env.str("PHOTO_S3_SECRET_KEY", default=None),
                "region_name": env.str("PHOTO_S3_REGION", default=None),
                "location": env.str("PHOTO_S3_PREFIX", default="photos"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(
                Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))) / "photos"
            ),
            "base_url": "/photos/",
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence photos (households.Photo): served only through a scoped view. The project
    # folder by default; an S3-compatible store with PHOTO_STORAGE=s3 (docs/photos.md).
    "photos": _photo_storage(),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Lockout (django-axes): this many failed logins for one account, or from one address, lock
# it for LOGIN_LOCKOUT_MINUTES (or until a county administrator releases it on the people page).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = __import__("datetime").timedelta(
    minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30)
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.request_context.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# No access log of successful logins in axes' tables: the audit log records them.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Idle sessions end after this many minutes without a request; staff and county
# administrators (who reach the admin or administer a county) get the shorter one.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=240)
SESSION_IDLE_MINUTES_STAFF = env.int("SESSION_IDLE_MINUTES_STAFF", default=30)
SESSION_COOKIE_AGE = 60 * 60 * 12  # and never more than 12 hours in one session
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Second factor (TOTP, django-otp): issuer shown in the phone's authenticator app.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="维西防返贫监测")
OTP_BACKUP_CODES = 10

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Integration clients first (their own tokens, accounts/authentication.py), then a
        # session that passed the second factor where one is needed, then personal tokens.
        "accounts.authentication.ClientTokenAuthentication",
        "accounts.authentication.VerifiedSessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    # Integration clients reach only the operations that name them (accounts/permissions.py).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.ClientOperations",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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
# A JSON body larger than this is refused (413): a department's part of 5,000 records is ~1 MB.
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=8 * 1024 * 1024)
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

# --- Jobs (core/jobs.py) ------------------------------------------------------------------
# Long work (imports, ledgers, exports) runs as jobs on the worker. A worker renews its lease on
# the job as it goes; a job whose lease ran out is taken up again by the sweeper (beat, every
# JOB_SWEEP_MINUTES) up to JOB_MAX_ATTEMPTS times. Results (files) are kept JOB_RESULT_DAYS.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=300)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
JOB_SWEEP_MINUTES = env.int("JOB_SWEEP_MINUTES", default=2)
JOB_RESULT_DAYS = env.int("JOB_RESULT_DAYS", default=7)
JOB_SOFT_TIME_LIMIT = env.int("JOB_SOFT_TIME_LIMIT", default=1800)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served as such: job files are downloaded through their page

# --- Evidence photos (households/photos.py, docs/photos.md) -------------------------------
# The phone resizes before it sends; the server takes up to PHOTO_MAX_MB per photo and
# PHOTO_MAX_PER_SUBJECT per visit / measure / clue, re-encodes to JPEG (no EXIF) with its long
# side at most PHOTO_LONG_SIDE, and keeps a PHOTO_THUMB_SIDE thumbnail.
PHOTO_MAX_MB = env.int("PHOTO_MAX_MB", default=10)
PHOTO_MAX_PER_SUBJECT = env.int("PHOTO_MAX_PER_SUBJECT", default=6)
PHOTO_LONG_SIDE = env.int("PHOTO_LONG_SIDE", default=1600)
PHOTO_THUMB_SIDE = env.int("PHOTO_THUMB_SIDE", default=320)

# --- Security headers ---------------------------------------------------------------------------
# Only the project's own assets: no inline script or style, nothing from another origin (the
# county's network is closed anyway). Pages carry no inline code; the API docs' one style
# block is nonced. Images may be data: (the QR of the second-factor setup is inline SVG).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Security (production) ----------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)

# --- Audit log and retention (docs/security.md) ------------------------------------------------
# The client address recorded in the audit log and used by the login lockout: REMOTE_ADDR, or
# with N trusted reverse proxies in front, the N-th X-Forwarded-For entry from the right.
WEIXI_PROXY_COUNT = env.int("WEIXI_PROXY_COUNT", default=0)
# Audit rows are kept at least this many years (网络安全法 / 等保: logs ≥ 6 months; the county
# keeps 3 years); the system check refuses less. Rows are never deleted by the application.
AUDIT_RETENTION_YEARS = env.int("AUDIT_RETENTION_YEARS", default=3)
# Persons who left the registry (迁出, 死亡…) keep their record this many years after leaving.
PERSON_LEFT_RETENTION_YEARS = env.int("PERSON_LEFT_RETENTION_YEARS", default=5)

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
    # axes logs every login at INFO (masked); the audit log records them.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
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
# A run without progress this long is resumed by the sweeper (at most this many times).
COMPARISON_STALL_SECONDS = env.int("COMPARISON_STALL_SECONDS", default=900)
COMPARISON_MAX_RESUMES = env.int("COMPARISON_MAX_RESUMES", default=3)
# Department batches are of months from this one (the monitoring mechanism's start) to now.
COMPARISON_EARLIEST_MONTH = __import__("datetime").date(
    *map(int, env.str("COMPARISON_EARLIEST_MONTH", default="2021-01").split("-")), 1
)
