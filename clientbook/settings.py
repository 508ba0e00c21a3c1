"""Clientbook's settings: one file, driven by the environment (see README.md, "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """A random key made once for this installation and kept in VAR_DIR: never a key that
    is public in the repository. Several app servers must share SECRET_KEY instead."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "") or _local_secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "ninja",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "localflavor",
    "phonenumber_field",
    "clientbook",
    "practices",
    "clients",
    "audit",
    "intake",
    "scheduling",
    "messaging",
    "pets",
    "billing",
    "documents",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "practices.middleware.PracticeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clientbook.urls"
WSGI_APPLICATION = "clientbook.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practices.context_processors.practice",
            ],
        },
    },
]

# SQLite by default; PostgreSQL in production through DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", VAR_DIR / "clientbook.sqlite3"),
            "OPTIONS": {
                # WAL and immediate transactions: concurrent writers wait instead of failing
                # with "database is locked". secure_delete: erased data leaves no trace in
                # free pages (data-protection erasure).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA secure_delete=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "practices.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clients:list"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: 5 failures lock the username from that address for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the e-mail)
AXES_USERNAME_CALLABLE = "practices.access.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = envbool("AXES_ENABLED", True)
if envbool("BEHIND_PROXY", False):
    # The client's address is the one the proxy saw, not the proxy's own: otherwise five bad
    # passwords from anyone would lock the account for everyone.
    AXES_IPWARE_PROXY_COUNT = envint("PROXY_COUNT", 1)
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("pt-br", _("Brazilian Portuguese")),
    ("fr", _("French")),
    ("pl", _("Polish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["clientbook.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and envbool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Clients' files (documents.Attachment) are stored here, one folder per practice, under random
# names. MEDIA_URL stays unset and nothing serves this folder: a file is read only through
# documents.views, after the access check. Owner-only permissions: the files are health data.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Uploads: at most this many bytes per attached file (10 MiB by default). Django keeps an upload
# in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and streams a larger one to a temporary file;
# the rest of a request's body (form fields, JSON) may be at most DATA_UPLOAD_MAX_MEMORY_SIZE.
# A proxy in front should cap the request size a little above ATTACHMENT_MAX_BYTES.
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clientbook@localhost")
# E-mail (password resets; messages to clients later): SMTP when EMAIL_HOST is set, otherwise
# printed to the console so a demo works offline.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": envint("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": os.environ.get(
                "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
            )
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Run by `clientbook worker` beside the task queue: (task, every so many seconds), each also
# queued when the worker starts.
PERIODIC_TASKS = [
    ("messaging.tasks.send_due_messages", envint("SEND_DUE_MESSAGES_EVERY", 60)),
    ("scheduling.tasks.extend_series", envint("EXTEND_SERIES_EVERY", 3600)),
]


def _message_channel(prefix: str) -> dict:
    """SMS and WhatsApp: an HTTP provider when <PREFIX>_PROVIDER_URL is set, else the outbox
    (messages recorded as delivered, nothing leaves: the demo works offline)."""
    url = os.environ.get(f"{prefix}_PROVIDER_URL", "")
    if not url:
        return {"BACKEND": "messaging.channels.Outbox"}
    return {
        "BACKEND": "messaging.channels.HttpProvider",
        "OPTIONS": {
            "url": url,
            "token": os.environ.get(f"{prefix}_PROVIDER_TOKEN", ""),
            "timeout": envint(f"{prefix}_PROVIDER_TIMEOUT", 10),
            "sender": os.environ.get(f"{prefix}_SENDER", ""),
        },
    }


# Messages to clients, per channel (messaging.channels). E-mail goes through MAILERS above
# with MESSAGES_EMAIL=mailer (or smtp), and to the outbox otherwise.
MESSAGING = {
    "sms": _message_channel("SMS"),
    "whatsapp": _message_channel("WHATSAPP"),
    "email": (
        {"BACKEND": "messaging.channels.Email", "OPTIONS": {"mailer": "default"}}
        if os.environ.get("MESSAGES_EMAIL", "outbox").strip().lower() in {"mailer", "smtp"}
        else {"BACKEND": "messaging.channels.Outbox"}
    ),
}
# Failed deliveries that may work later are tried again after 1, 5, 25… minutes (this many
# seconds * 5^n), at most this many attempts in all.
MESSAGING_RETRY_SECONDS = envint("MESSAGING_RETRY_SECONDS", 60)
MESSAGING_MAX_ATTEMPTS = envint("MESSAGING_MAX_ATTEMPTS", 4)

PHONENUMBER_DEFAULT_FORMAT = "E164"

# Security. Production (DEBUG off) gets secure cookies and HSTS; HTTPS_REDIRECT can be turned
# off when a proxy in front already redirects.
SESSION_COOKIE_HTTPONLY = True
# Front-desk laptops are shared: a session lasts a working day, not Django's two weeks.
SESSION_COOKIE_AGE = envint("SESSION_HOURS", 10) * 3600
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("HTTPS_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Clientbook's own settings.
CLIENTS_PAGE_SIZE = envint("CLIENTS_PAGE_SIZE", 50)
