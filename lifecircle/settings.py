"""Django settings for lifecircle.

Everything a deployment changes comes from the environment, so one settings module serves the
embedded demo (SQLite, DEBUG) and production (PostgreSQL via DATABASE_URL, LIFECIRCLE_ENV=production).
"""
import os
from pathlib import Path

from datetime import timedelta

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("LIFECIRCLE_VAR_DIR", PROJECT_DIR / "var"))

PRODUCTION = os.environ.get("LIFECIRCLE_ENV", "development") == "production"
DEBUG = not PRODUCTION and os.environ.get("DEBUG", "1") == "1"

if PRODUCTION:
    SECRET_KEY = os.environ["SECRET_KEY"]  # a production server must never start with a known key
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-do-not-use-in-production")

# ID numbers are encrypted with this Fernet key (accounts/crypto.py); `check --deploy` requires it.
FIELD_ENCRYPTION_KEY = os.environ.get("LIFECIRCLE_FIELD_KEY", "")
# Retention (days), applied by `manage.py apply_retention`: the audit log of staff reads is kept at
# least six months (Cybersecurity Law art. 21(3), network logs "not less than six months"); closed
# records (withdrawn applications, closed requests' contact details, resolved data requests) go
# after LIFECIRCLE_RETAIN_CLOSED_DAYS, "the shortest period needed" (PIPL art. 19).
RETAIN_AUDIT_LOG_DAYS = int(os.environ.get("LIFECIRCLE_RETAIN_AUDIT_LOG_DAYS", "365"))
RETAIN_CLOSED_DAYS = int(os.environ.get("LIFECIRCLE_RETAIN_CLOSED_DAYS", str(3 * 365)))

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",  # login lockout: too many wrong passwords per account or per address
    "django_otp",
    "django_otp.plugins.otp_totp",  # the second factor of staff (an authenticator app)
    "ninja",  # serves the API docs (Swagger UI) from static files, not a CDN
    "lifecircle.community",
    "lifecircle.directory",
    "lifecircle.accessibility",
    "lifecircle.accounts",
    "lifecircle.notifications",
    "lifecircle.participation",
    "lifecircle.babycare",
    "lifecircle.bookings",
    "lifecircle.meals",
    "lifecircle.requests311",
    "lifecircle.volunteers",
    "lifecircle.planning",
    "lifecircle.eldercare",
    "lifecircle.homecare",
]

MIDDLEWARE = [
    "lifecircle.proxy.ForwardedForMiddleware",  # first: every later step sees the real client address
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lifecircle.head.HeadAsGetMiddleware",  # outside GZip: a HEAD's Content-Length is its GET's, compressed or not
    "django.middleware.gzip.GZipMiddleware",  # large JSON (map layers, lists); cached answers come compressed
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lifecircle.accounts.security.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lockout into the page below
]

ROOT_URLCONF = "lifecircle.urls"

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
                "lifecircle.context_processors.site",
                "lifecircle.context_processors.large_text",
            ],
        },
    },
]

WSGI_APPLICATION = "lifecircle.wsgi.application"
ASGI_APPLICATION = "lifecircle.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'lifecircle.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Short write transactions plus a busy timeout keep the embedded demo usable by several people.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not the shared in-memory database: there a lock held by the live server's
    # thread fails at once ("table is locked") instead of waiting out the busy timeout.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

# One cache shared by every worker and server: the rate limits and login counters must count all
# requests, not each process's own. Production sets REDIS_URL (or CACHE_URL), e.g.
# redis://cache-host:6379/0 or unix:///run/redis/redis.sock; without it (the embedded demo) a file
# cache in VAR_DIR, which the workers of one machine share. Never the per-process local memory.
CACHE_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "lifecircle")}}
else:
    # Room for a shape per street junction (isochrones) and per-language pages: Django's default of
    # 300 entries would cull the demo's warmed isochrone shapes as fast as they are made.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 20000}}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("LIFECIRCLE_FAST_PASSWORD_HASHER") == "1" and not PRODUCTION:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the test suite only

# Login protection (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account, or from
# one address, that account or address is refused for LOGIN_COOLOFF_MINUTES, on the site's login and
# the staff console's alike; a right password resets the account's count.
AUTHENTICATION_BACKENDS = [
    "lifecircle.accounts.security.LockoutBackend",
    "lifecircle.accounts.security.UserWithRoleBackend",  # Django's ModelBackend, one query less per request
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: per account and per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lifecircle.accounts.security.lockout_response"
AXES_VERBOSE = False

# A second factor (TOTP, django-otp) for everyone who can read personal data: staff and
# administrators. Production always requires it; LIFECIRCLE_STAFF_2FA=0 turns it off elsewhere (the
# test suite turns it off in lifecircle/conftest.py, and its own tests back on).
STAFF_TWO_FACTOR = PRODUCTION or os.environ.get("LIFECIRCLE_STAFF_2FA", "1") == "1"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "lifecircle")

# Sessions: residents stay signed in for RESIDENT_SESSION_DAYS; anyone with staff access only for
# STAFF_SESSION_HOURS (set at login by lifecircle.accounts.security).
SESSION_COOKIE_AGE = int(os.environ.get("RESIDENT_SESSION_DAYS", "14")) * 24 * 3600
STAFF_SESSION_AGE = int(float(os.environ.get("STAFF_SESSION_HOURS", "8")) * 3600)
SESSION_COOKIE_HTTPONLY = True
# Read from the shared cache, written through to the database: a signed-in page costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_HOURS", "24")) * 3600  # links staff make
SESSION_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# zh-hans first: the people this serves read Chinese; English is the second language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
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
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
for folder in (VAR_DIR, STATIC_ROOT):  # SQLite and WhiteNoise need their folders to exist
    folder.mkdir(parents=True, exist_ok=True)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "map"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lifecircle@localhost")

# The map of happiness draws the pedestrian network itself, so it needs no tile server; a deployment
# that has one sets its URL template (and attribution) here.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

# Posts of service requests (Open311 and the report form) per minute, per API key, address and user.
OPEN311_RATE_LIMIT = int(os.environ.get("OPEN311_RATE_LIMIT", "10"))

# Behind a reverse proxy, TRUSTED_PROXIES says how many proxies (each adding one X-Forwarded-For
# entry) stand in front; the client is the right-most entry none of them could have been fooled
# into writing. Without it, the site is reached directly and the headers are ignored.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: scripts only from this site's static files — no inline script and no
# inline event handler, so injected markup cannot run. Style attributes stay allowed (they carry
# the category colours and bar widths the pages compute; a style cannot run code). Map tiles may
# come from the configured tile server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *(["https:"] if os.environ.get("MAP_TILE_URL") else [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "lifecircle.logredact.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},  # not a line for every sign-in; lockouts still show
}
