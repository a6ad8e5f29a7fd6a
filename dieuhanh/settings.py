"""Settings for dieuhanh, read from the environment.

Defaults are safe for production (DEBUG off, secure cookies) and convenient for a laptop
(SQLite in WAL mode and an embedded Celery broker, both under ``var/``). ``make run``
turns DEBUG on for the demo.
"""

from __future__ import annotations

import os
import secrets
from importlib.metadata import version as package_version
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    normalised = value.strip().lower()
    if normalised in {"1", "true", "yes", "on"}:
        return True
    if normalised in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false)")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from exc


VAR_DIR = Path(os.environ.get("DIEUHANH_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in var/ (mode 0600)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
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
    "ninja",
    "django_celery_beat",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dieuhanh.core",
    "dieuhanh.accounts",
    "dieuhanh.orgunits",
    "dieuhanh.catalog",
    "dieuhanh.datavalues",
    "dieuhanh.quality",
    "dieuhanh.analytics",
    "dieuhanh.dashboards",
    "dieuhanh.targets",
    "dieuhanh.directives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dieuhanh.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",  # pages opt out, never in
    "django_otp.middleware.OTPMiddleware",
    "dieuhanh.accounts.two_factor.TwoFactorMiddleware",
    "dieuhanh.accounts.views.MustChangePasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "dieuhanh.core.ratelimit.RateLimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dieuhanh.urls"
WSGI_APPLICATION = "dieuhanh.wsgi.application"
ASGI_APPLICATION = "dieuhanh.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dieuhanh.core.context_processors.site",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'dieuhanh.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer writes; IMMEDIATE takes the write lock at the
    # start of a transaction, so two writers wait for each other instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that a worker process started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_dieuhanh.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # lockout after repeated failures
    "dieuhanh.accounts.backends.RoleBackend",  # permissions from roles
    "dieuhanh.accounts.sso.SingleSignOnBackend",  # OpenID Connect, when configured
]
# Single sign-on through OpenID Connect: on when OIDC_RP_CLIENT_ID is set.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
DIEUHANH_OIDC_USERNAME_CLAIM = os.environ.get("DIEUHANH_OIDC_USERNAME_CLAIM", "preferred_username")
DIEUHANH_OIDC_LABEL = os.environ.get("DIEUHANH_OIDC_LABEL", "")
# Lockout (django-axes): the account, whatever the address, after 10 failures in a row.
AXES_FAILURE_LIMIT = env_int("DIEUHANH_LOCKOUT_FAILURES", 10)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = env_int("DIEUHANH_LOCKOUT_HOURS", 1) or None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Two-factor authentication (TOTP): "roles" requires it of staff and of holders of roles
# marked so (administrators, center roles); "all" of everyone; "off" of nobody.
DIEUHANH_TWO_FACTOR = os.environ.get("DIEUHANH_TWO_FACTOR", "roles")
if DIEUHANH_TWO_FACTOR not in {"roles", "all", "off"}:
    raise ImproperlyConfigured("DIEUHANH_TWO_FACTOR is roles, all or off")
OTP_TOTP_ISSUER = "Điều hành"
# Lockout is by account on purpose: many civil servants share one office address behind
# NAT, so locking an address would lock a whole ministry. Addresses are throttled by the
# rate limiter instead (RATE_LIMITS["login_ip"]).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- security ---------------------------------------------------------------------------
SECURE_COOKIES = env_bool("DIEUHANH_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if env_bool("DIEUHANH_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DIEUHANH_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DIEUHANH_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DIEUHANH_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DIEUHANH_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: nothing inline, nothing evaluated, nothing from elsewhere.
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
    }
}

# Rate limits: requests per window (seconds), per API token, per address, and for sign-in.
RATE_LIMITS = {
    "api_token": (env_int("DIEUHANH_RATE_API_TOKEN", 600), 60),
    "api_ip": (env_int("DIEUHANH_RATE_API_IP", 300), 60),
    "login_ip": (env_int("DIEUHANH_RATE_LOGIN_IP", 30), 60),
}

# A cache shared by every process: Redis in production (CACHE_URL), memory otherwise.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_TZ = True
# Vietnamese conventions: 1.234.567,8 and dd/mm/yyyy (see dieuhanh/formats/). Figures are
# formatted explicitly with the ``vn_number`` filter; a global thousand separator would
# also turn ids in templates into "1.234".
FORMAT_MODULE_PATH = ["dieuhanh.formats"]
USE_THOUSAND_SEPARATOR = False

# --- static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
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
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded import files waiting for a worker (shared storage when workers are elsewhere).
DIEUHANH_IMPORT_DIR = Path(os.environ.get("DIEUHANH_IMPORT_DIR", VAR_DIR / "imports"))
MEDIA_URL = "/media/"
# Serve straight from the finders when nothing was collected (make run, tests).
WHITENOISE_USE_FINDERS = env_bool("DIEUHANH_STATIC_FROM_FINDERS", DEBUG)
if WHITENOISE_USE_FINDERS:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# --- background work --------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or (
    f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- email --------------------------------------------------------------------------------
# Notices by email: into files under var/mail unless a mail server is configured
# (DIEUHANH_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST ...).
EMAIL_BACKEND = os.environ.get(
    "DIEUHANH_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dieuhanh@localhost")
# The address of the site in links that leave it (emails).
DIEUHANH_BASE_URL = os.environ.get("DIEUHANH_BASE_URL", "http://127.0.0.1:8000")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_SECONDS = env_int("DIEUHANH_HEARTBEAT_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "core.heartbeat": {"task": "dieuhanh.core.tasks.heartbeat", "schedule": HEARTBEAT_SECONDS},
    "datavalues.fail_stale_imports": {
        "task": "dieuhanh.datavalues.tasks.fail_stale_imports",
        "schedule": 300,
    },
    "datavalues.remove_old_import_files": {
        "task": "dieuhanh.datavalues.tasks.remove_old_import_files",
        "schedule": 3600,
    },
    "quality.relock_expired_unlocks": {
        "task": "dieuhanh.quality.tasks.relock_expired_unlocks",
        "schedule": 300,
    },
    "core.email_notifications": {
        "task": "dieuhanh.core.tasks.email_notifications",
        "schedule": 300,
    },
    "quality.send_reminders": {
        "task": "dieuhanh.quality.tasks.send_reminders",
        "schedule": 3600,
    },
    "analytics.refresh_rollups": {
        "task": "dieuhanh.analytics.tasks.refresh_rollups",
        "schedule": env_int("DIEUHANH_ANALYTICS_REFRESH_SECONDS", 10),
    },
    "quality.run_validation_rules": {
        "task": "dieuhanh.quality.tasks.run_validation_rules",
        "schedule": 24 * 3600,
    },
    "directives.send_task_reminders": {
        "task": "dieuhanh.directives.tasks.send_task_reminders",
        "schedule": 3600,
    },
}
# Tasks: "due soon" this many days before the deadline; reminders so many days before it.
DIEUHANH_TASK_DUE_SOON_DAYS = env_int("DIEUHANH_TASK_DUE_SOON_DAYS", 7)
DIEUHANH_TASK_REMIND_DAYS = tuple(
    int(day) for day in os.environ.get("DIEUHANH_TASK_REMIND_DAYS", "7,1").split(",") if day.strip()
)

# --- logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {"request_id": {"()": "dieuhanh.core.middleware.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- product ----------------------------------------------------------------------------
DIEUHANH_VERSION = package_version("dieuhanh")
DIEUHANH_DEMO = env_bool("DIEUHANH_DEMO", False)
# The administrative structure is public information: read it without signing in.
DIEUHANH_PUBLIC_REFERENCE_DATA = env_bool("DIEUHANH_PUBLIC_REFERENCE_DATA", True)
