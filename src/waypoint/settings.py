"""Waypoint settings, read from the environment.

Profiles: `WAYPOINT_ENV=development` (the default: SQLite under var/, DEBUG on, a secret generated once into
var/) and `WAYPOINT_ENV=production`, which refuses to start without `SECRET_KEY`, `WAYPOINT_ALLOWED_HOSTS` and
`DATABASE_URL`, and turns on HTTPS-only cookies, HSTS and the other `check --deploy` settings.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets admin and queryset classes be subscripted at run time, as the type checker reads them.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_CHECKOUT = PACKAGE_DIR.parents[1]
# An editable install keeps its state beside the checkout; anything else uses the working directory.
_DEFAULT_VAR_DIR = (
    _SOURCE_CHECKOUT / "var" if (_SOURCE_CHECKOUT / "pyproject.toml").exists() else Path.cwd() / "var"
)
VAR_DIR = Path(os.environ.get("WAYPOINT_VAR_DIR", str(_DEFAULT_VAR_DIR)))

WAYPOINT_ENV = os.environ.get("WAYPOINT_ENV", "development")
if WAYPOINT_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"WAYPOINT_ENV must be 'development' or 'production', not {WAYPOINT_ENV!r}")
PRODUCTION = WAYPOINT_ENV == "production"


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when WAYPOINT_ENV=production")
    return value


def _development_secret_key() -> str:
    """Read the development secret from var/, creating it once so sessions survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = [host.strip() for host in _required("WAYPOINT_ALLOWED_HOSTS").split(",") if host.strip()]
    DATABASE_URL = _required("DATABASE_URL")
    DEBUG = False
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'waypoint.sqlite3'}")
    DEBUG = os.environ.get("WAYPOINT_DEBUG", "1") == "1"

# With persistent connections, a database restart leaves every web process holding a dead connection;
# health checks replace it at the request's first use instead of failing that request.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=60 if PRODUCTION else 0, conn_health_checks=True
    )
}
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    # The audit log's append-only trigger, row locking and concurrent writers need PostgreSQL.
    raise ImproperlyConfigured("WAYPOINT_ENV=production needs a PostgreSQL DATABASE_URL (postgres://...)")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's concurrent writers wait their turn instead of answering "database is locked": a writing
    # transaction takes SQLite's write lock at BEGIN (IMMEDIATE), before it reads what it will write from, so
    # it never has to upgrade a read lock another writer blocks; a writer waits up to `timeout` seconds for
    # the lock; WAL lets readers go on while one writes (with synchronous=NORMAL, WAL's usual pairing:
    # commits stay atomic, and only the last ones before a power cut may be lost, which a demo can afford).
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails the request (and /readyz answers 503) within seconds, instead of
    # holding a web worker until TCP gives up; a `?connect_timeout=` in DATABASE_URL wins.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": int(os.environ.get("WAYPOINT_DATABASE_CONNECT_TIMEOUT") or "5"),
        **DATABASES["default"].get("OPTIONS", {}),
    }
# A read replica (docs/deployment.md, "A read replica"): GET and HEAD requests read a PostgreSQL streaming
# replica, and writes and a person's own recent writes the primary (waypoint.core.db_router). Unset: the
# primary does everything and the router and its middleware do nothing.
WAYPOINT_REPLICA_URL = os.environ.get("WAYPOINT_REPLICA_URL", "")
if WAYPOINT_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        WAYPOINT_REPLICA_URL, conn_max_age=60 if PRODUCTION else 0, conn_health_checks=True
    )
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "WAYPOINT_REPLICA_URL needs a PostgreSQL primary and replica (postgres://...)"
        )
    DATABASES["replica"]["OPTIONS"] = {
        # A replica that does not answer costs a read-only request 2 s at most; it then reads the primary.
        "connect_timeout": 2,
        **DATABASES["replica"].get("OPTIONS", {}),
    }
    # Tests read the test database through this alias rather than create one on a read-only replica.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["waypoint.core.db_router.ReplicaRouter"]
# How long a person's requests read the primary after they wrote: longer than the replica's usual lag.
WAYPOINT_REPLICA_PIN_SECONDS = int(os.environ.get("WAYPOINT_REPLICA_PIN_SECONDS") or "15")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "waypoint.core",
    # Right after core: every app hands its long work to the background tasks (waypoint.operations).
    "waypoint.operations",
    "waypoint.notifications",
    "waypoint.people",
    "waypoint.frameworks",
    "waypoint.evidence",
    "waypoint.mastery",
    "waypoint.catalog",
    "waypoint.profiles",
    "waypoint.pathways",
    # Records before progress: the demo loaders run in this order, and the progress demo calibrates each
    # student's pace against the graduation rule sets the records demo puts in force.
    "waypoint.records",
    "waypoint.progress",
    # After progress and records: its aggregates read them, and its demo refreshes them once they are loaded.
    "waypoint.insights",
    "waypoint.interop",
    "waypoint.site",
]

MIDDLEWARE = [
    # First: every other middleware's log lines, and every response, carry the request's id (X-Request-ID).
    "waypoint.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A database that is down or restarting answers 503 with Retry-After before any layer below tries to use
    # it (session, sign-in, audit batch); /healthz and /readyz pass (waypoint.core.middleware).
    "waypoint.core.middleware.DatabaseUnavailableMiddleware",
    # Every audit event of a request in one insert, error responses included (waypoint.core.audit).
    "waypoint.core.middleware.AuditBatchMiddleware",
    # Where the request's reads go: a read replica for GET and HEAD, else the primary. Below the audit batch,
    # whose insert must not count as the person's write; above the session, the first read
    # (waypoint.core.db_router).
    "waypoint.core.db_router.ReplicaReadsMiddleware",
    # Every error answer under /api/ as application/problem+json, whoever raised it (a 404 of no route, a
    # body over the size limit, a 500).
    "waypoint.core.middleware.ApiProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before sign-in Accept-Language chooses; UserLanguageMiddleware then applies a saved choice.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks a session verified by a second factor (TOTP), for staff who set one up (waypoint.interop).
    "django_otp.middleware.OTPMiddleware",
    # On PostgreSQL, from the chosen view on, every query sees only the districts of the person signed in
    # (row-level security, the second wall under the access policy: waypoint.core.row_security).
    "waypoint.core.row_security.RowSecurityMiddleware",
    # Staff who set up a second factor finish signing in with it before any other page (waypoint.interop).
    "waypoint.interop.middleware.SecondFactorMiddleware",
    "waypoint.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "waypoint.core.middleware.PrivateCacheMiddleware",
    "waypoint.core.middleware.ContentSecurityPolicyMiddleware",
    "waypoint.core.middleware.RefusalMiddleware",
    # Axes must come last so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

# Static files straight from the app server, in every profile: `make demo` serves with DEBUG off, where
# `runserver` no longer serves them. Production serves what `collectstatic` gathered (hashed names,
# compressed); development and the demo read them where they are, so no collect step is needed.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
WHITENOISE_USE_FINDERS = not PRODUCTION

ROOT_URLCONF = "waypoint.site.urls"
WSGI_APPLICATION = "waypoint.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # LANGUAGE_CODE for the page's `<html lang>`, so screen readers read Spanish as Spanish.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waypoint.site.navigation.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "core.User"
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: five wrong passwords for one account from one address locks that pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("WAYPOINT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("WAYPOINT_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# Shared school computers: sessions end with the browser and after four hours at most.
SESSION_COOKIE_AGE = 4 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
WAYPOINT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("WAYPOINT_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("WAYPOINT_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # A load balancer probes each node over plain HTTP, without the proxy's X-Forwarded-Proto: a redirect
    # would read as a failed check. The two probes carry no data.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    if os.environ.get("WAYPOINT_BEHIND_PROXY") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]

LANGUAGE_CODE = "en"
# Every page a student or guardian sees, and every notification, is complete in both.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("WAYPOINT_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# Evidence files: never under STATIC or a public URL; served only through an access-checked view.
MEDIA_ROOT = Path(os.environ.get("WAYPOINT_MEDIA_DIR", str(VAR_DIR / "media")))

STATIC_URL = "static/"
# Only production collects; development and the demo serve from the folders (WHITENOISE_USE_FINDERS).
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
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

# Log lines: plain text for a developer's terminal, or one JSON object a line with the request's id for a log
# collector (`waypoint.core.logging.JsonFormatter`), production's default.
WAYPOINT_LOG_FORMAT = os.environ.get("WAYPOINT_LOG_FORMAT") or ("json" if PRODUCTION else "text")
if WAYPOINT_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"WAYPOINT_LOG_FORMAT must be 'text' or 'json', not {WAYPOINT_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "waypoint.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if WAYPOINT_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("WAYPOINT_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step of every PDF at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Every aggregate shown outside a school hides a count under 6 and a group under 20: Connecticut's published
# rule for EdSight (CSDE's data suppression guidelines; docs/privacy.md).
WAYPOINT_SUPPRESSION_MIN_NUMERATOR = int(os.environ.get("WAYPOINT_SUPPRESSION_MIN_NUMERATOR") or "6")
WAYPOINT_SUPPRESSION_MIN_DENOMINATOR = int(os.environ.get("WAYPOINT_SUPPRESSION_MIN_DENOMINATOR") or "20")

# Pages of student lists in the HTML and the API.
WAYPOINT_PAGE_SIZE = 50
WAYPOINT_API_MAX_PAGE_SIZE = 200

# The public address of this installation: CASE exports name their URIs under it.
WAYPOINT_BASE_URL = os.environ.get("WAYPOINT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The largest CASE package an import accepts (CLI and upload page), in bytes.
WAYPOINT_CASE_MAX_BYTES = int(os.environ.get("WAYPOINT_CASE_MAX_BYTES", str(25 * 1024 * 1024)))
# Uploads up to that size are streamed to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A district's OneRoster zip (waypoint.interop): 100,000 users and a million enrollments zip to about 40 MB.
WAYPOINT_ROSTER_MAX_BYTES = int(os.environ.get("WAYPOINT_ROSTER_MAX_BYTES", str(200 * 1024 * 1024)))
# The largest evidence file a student or teacher may upload, in bytes.
WAYPOINT_EVIDENCE_MAX_BYTES = int(os.environ.get("WAYPOINT_EVIDENCE_MAX_BYTES", str(25 * 1024 * 1024)))

# Notifications by e-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("WAYPOINT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("WAYPOINT_FROM_EMAIL", "Waypoint <no-reply@waypoint.invalid>")
# Exports of insights' figure tables: how many one person may make in an hour (each is audited).
WAYPOINT_INSIGHTS_EXPORTS_PER_HOUR = int(os.environ.get("WAYPOINT_INSIGHTS_EXPORTS_PER_HOUR") or "30")

# Long work (imports, recomputes, the nightly jobs, exports) runs as background tasks in the database, so
# nothing beyond the database runs on a laptop; `waypoint worker` runs them (waypoint.operations).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The background worker (`waypoint worker`, waypoint.operations): its heartbeat every few seconds; a worker
# silent longer than the stale time is dead (its running tasks are failed or queued again, and /readyz fails
# once the newest heartbeat is that old). /readyz answers "not configured" when no worker has ever run,
# unless a worker is expected (`make serve` and `make demo` start one).
WAYPOINT_WORKER_BEAT_SECONDS = float(os.environ.get("WAYPOINT_WORKER_BEAT_SECONDS") or "5")
WAYPOINT_WORKER_STALE_SECONDS = float(os.environ.get("WAYPOINT_WORKER_STALE_SECONDS") or "30")
WAYPOINT_EXPECT_WORKER = os.environ.get("WAYPOINT_EXPECT_WORKER", "0") == "1"
# When the schedule's "nightly" jobs run, on the district's wall clock (TIME_ZONE).
WAYPOINT_NIGHTLY_AT = os.environ.get("WAYPOINT_NIGHTLY_AT") or "02:00"

# How many months of the audit log to keep before `waypoint audit-partitions` (and its daily job) disposes of
# whole months, on PostgreSQL. Unset keeps it forever: FERPA's record of disclosures must be kept as long as
# the student's record, so only the district may choose to shorten it. The current school year is kept
# whatever this says.
_audit_retention = os.environ.get("WAYPOINT_AUDIT_RETENTION_MONTHS", "").strip()
WAYPOINT_AUDIT_RETENTION_MONTHS: int | None = int(_audit_retention) if _audit_retention else None
if WAYPOINT_AUDIT_RETENTION_MONTHS is not None and WAYPOINT_AUDIT_RETENTION_MONTHS < 1:
    raise ImproperlyConfigured("WAYPOINT_AUDIT_RETENTION_MONTHS must be a whole number of months, 1 or more")
