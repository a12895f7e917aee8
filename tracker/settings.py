"""Settings for the commitment tracker, all read from the environment.

With nothing set, the site runs as production would: no debug pages, and a secret key of
its own, generated into var/secret_key on first start. `make run` turns on development
mode (DEBUG=true) itself. Production sets SECRET_KEY (the same on every machine that
serves the site), ALLOWED_HOSTS, DATABASE_URL, EMAIL_* and, behind TLS, HTTPS=true.
See .env.example for every variable.
"""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from tracker.env import env_bool, env_int, env_list, env_rate, env_str, secret_key_in

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY") or secret_key_in(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Behind a proxy that ends TLS (docs/operations.md): trust its X-Forwarded-Proto, send
# the session and CSRF cookies over https only, send plain-http visitors to https and tell
# browsers to keep to https (HSTS) for HSTS_SECONDS, a year unless set.
if env_bool("HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # The health check is asked over plain http by the machine's own monitors.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

# Every response says where its page may load anything from: this site only, no inline
# script or style, no plug-ins, no framing (django-csp). A view that needs less sets its
# own header, which the middleware leaves alone (the badge: commitments/public/badges.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Swagger UI's stylesheet draws its icons as data: images.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    # WhiteNoise serves the static files in development too (runserver's own handler
    # answered /static/%2e%2e/... with a 500), from the apps while DEBUG is on.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's scripts and styles, served from here: the API docs load nothing from a CDN.
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # The commitment's admin page nests each follow-up's sources inside the follow-up.
    "nested_admin",
    # Staff logins: failed logins counted and locked out (see "Staff logins" below).
    "axes",
    # The second factor: authenticator apps (TOTP) and recovery codes (static tokens).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "commitments",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracker.middleware.RefuseNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed a second factor; then no
    # admin page for those who must pass one until they have (commitments/staff.py).
    "django_otp.middleware.OTPMiddleware",
    "commitments.staff_login.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Static files: the ones collectstatic gathered into STATIC_ROOT (gunicorn has no static
# handler); with DEBUG on, straight from the apps, seen afresh on every request.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except ValueError as e:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {e}") from e
    if config["ENGINE"] not in (
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    ):
        raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {})["init_command"] = SQLITE_PRAGMAS
    return config


# Each SQLite connection reads the file through a memory map (the operating system's
# page cache, shared by every worker, instead of copies into each connection's own) and
# keeps a larger cache of its own pages (SQLite's default is 2 MiB). Counting a search's
# matches at a million pledges looks up 16,290 rows spread over the file: 41 ms with
# SQLite's defaults, 18 with these (bench/README.md).
SQLITE_MMAP_BYTES = env_int("SQLITE_MMAP_BYTES", 1 << 30)
SQLITE_CACHE_KIB = env_int("SQLITE_CACHE_KIB", 64 * 1024)
for _name, _value in [
    ("SQLITE_MMAP_BYTES", SQLITE_MMAP_BYTES),
    ("SQLITE_CACHE_KIB", SQLITE_CACHE_KIB),
]:
    if _value < 0:
        raise ImproperlyConfigured(f"{_name} must be 0 or more, not {_value}")
SQLITE_PRAGMAS = f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}; PRAGMA cache_size=-{SQLITE_CACHE_KIB}"


DATABASES = {
    "default": _database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "admin:login"

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# The read-only public API (commitments/api/views.py). It needs no login, so it reads none (and
# so needs no CSRF checks); every client is anonymous, throttled per address and counted
# in the default cache (per process while that is the local-memory cache). The downloads
# and feeds are throttled the same way (commitments/public/throttles.py). Each rate is
# "N/second", "N/minute", "N/hour" or "N/day"; bench/load.py raises them, since its
# clients all come from 127.0.0.1. A full download is heavy; a feed reader polls a few
# feeds every few minutes at most.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_RATE", "120/minute"),
        "downloads": env_rate("DOWNLOADS_THROTTLE_RATE", "30/hour"),
        "feeds": env_rate("FEEDS_THROTTLE_RATE", "120/hour"),
    },
    # How many proxies stand before the site: 0 counts the connecting address, which a
    # client cannot forge; behind one proxy, 1 takes the address that proxy saw.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    # drf-spectacular's, with every answer an operation gives (errors too) and how its
    # parameters are read.
    "DEFAULT_SCHEMA_CLASS": "commitments.api.schema.ApiSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Child-safety commitment tracker API",
    "DESCRIPTION": "Read-only: online platforms' published child-safety pledges, their "
    "sources and their follow-up evidence. Listings take the same parameters as the "
    "public pages. What each status means, and how pledges are chosen, sourced and rated: "
    "[the methodology](/methodology/). Each operation shows an example request and its "
    "answer.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise send the schema's address to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Each set of choices named for what it is (a pledge's status and a follow-up's
    # status_after are one set: one name), rather than drf-spectacular's "KindEnum" guesses.
    "ENUM_NAME_OVERRIDES": {
        "Status": "commitments.models.Status",
        "CommitmentKind": "commitments.models.Commitment.Kind",
        "DefaultSetting": "commitments.models.Commitment.Default",
        "Cadence": "commitments.models.Commitment.Cadence",
        "FollowUpKind": "commitments.models.FollowUp.Kind",
        "PlatformKind": "commitments.models.Platform.Kind",
        "InitiativeKind": "commitments.models.Initiative.Kind",
    },
    # No "BlankEnum" or "NullEnum" components: a choice a record lacks is null, and each
    # such field says so itself (nullable), as the API's other missing values do
    # (commitments/api/serializers.py).
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
}

# Email: the console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")
# The first wait after a temporary SMTP error; each next one doubles (reminders/sending.py).
REMINDER_RETRY_BASE_SECONDS = env_int("REMINDER_RETRY_BASE_SECONDS", 60)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)

# Celery: Redis is the broker. The site never waits on it (see docs/architecture.md).
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must be a redis://, rediss:// or unix:// URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker dies mid-way goes back to the queue rather than being lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Schedules live in the database (django-celery-beat), editable in the admin; migration
# commitments/0006 and reminders/0001 create the defaults.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# LOGGING below already sends everything to the console; Celery's own handler would
# print each line twice.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Where the citable releases of the public dataset are written (make_release, the
# monthly job) and read for /data/ (commitments/releases/). Old releases are never
# changed, so back this folder up; every web and worker machine must see the same one.
RELEASES_DIR = Path(env_str("RELEASES_DIR", str(VAR_DIR / "releases")))

# The link checker connects to public addresses only (commitments/followup/addresses.py).
# true also lets it reach loopback (127.0.0.0/8, ::1), never private ranges: for the tests'
# local servers and trials on a laptop. Never in production, where it would let staff
# probe services on the server itself.
LINKCHECK_ALLOW_LOOPBACK = env_bool("LINKCHECK_ALLOW_LOOPBACK", False)

# The corrections form counts submissions per client (commitments/curation/submissions.py)
# by REMOTE_ADDR; behind a proxy, name the request header it sets with the client's
# address (for example HTTP_X_REAL_IP), or every visitor counts as the proxy.
CORRECTIONS_CLIENT_HEADER = env_str("CORRECTIONS_CLIENT_HEADER", "REMOTE_ADDR")

# Staff logins (docs/operations.md, "Staff logins"). django-axes counts failed logins in
# the database (so every web process sees the same count): AXES_FAILURE_LIMIT failures as
# one user from one address, each within AXES_COOLOFF_TIME of the one before, lock that
# user out from that address until AXES_COOLOFF_TIME has passed since the last attempt
# (an attempt while locked out, even with the right password, counts and restarts the
# wait). By user and address together, so that nobody can lock a colleague out from
# everywhere by typing wrong passwords for them. The address is read as the API's
# throttle reads it, from NUM_PROXIES (commitments/staff_login/addresses.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "commitments.staff_login.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "commitments.staff_login.lockout.lockout_response"
# No start-up banner from every manage.py command and Celery process; lockouts are still
# logged as warnings.
AXES_VERBOSE = False
# Kept out of the stored attempts and the logs: a wrong second-factor code counts as a
# failed login too (commitments/staff_login/lockout.py).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# The second factor (commitments/staff_login/): who must pass one is
# second_factor_required in commitments/staff.py. An authenticator app's entry is named
# after the site; the admin never shows a device's key.
OTP_TOTP_ISSUER = "Commitment tracker"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
