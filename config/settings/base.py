"""Settings shared by every environment; everything a deployment changes comes from the environment.

Environment (CONTRACT.md): DATABASE_URL (absent: a SQLite file), REDIS_URL (absent: jobs run
synchronously), ELASTICSEARCH_URL (absent: database search), SECRET_KEY, DJANGO_ALLOWED_HOSTS
(comma-separated), DJANGO_DEBUG (0/1), SOTAY_PLUGINS (comma-separated plugin apps to enable;
absent: all built-in plugins), SOTAY_EXTRA_APPS (plugin apps to add by dotted path, for plugins
not installed as packages).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF, UNSAFE_INLINE

from sotay_plugins.discovery import plugin_apps

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SITE_DIR = BASE_DIR / "site"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The built-in plugins, in dependency order. A deployment narrows the list with SOTAY_PLUGINS;
# third-party plugins join through the `sotay.plugins` entry-point group.
BUILTIN_PLUGINS = [
    "sotay_plugins.orgtree",
    "sotay_plugins.members",
    "sotay_plugins.attendance",  # the rolls that modules register (meetings, study sessions)
    "editorial",  # the newsroom and the library: Wagtail pages (DESIGN.md keeps them in editorial/)
    "sotay_plugins.meetings",
    "sotay_plugins.study",  # resolutions, study plans and sessions, quizzes, points, boards
    "sotay_plugins.notices",  # inbox, Web Push, e-mail where asked, digests, committees' notices
    "sotay_plugins.agenda",  # the member's calendar (and iCal feed), tasks with progress reports
    "sotay_plugins.feedback",  # feedback with identity escrow, screening, handling, Q&A
    "search",  # one search over what the plugins register as searchable
    "sotay_plugins.reports",  # roll-ups per unit and period, the dashboard, exports
    "sotay_plugins.offline",  # what a member's phone keeps to read offline, re-checked (issue 18)
]
SOTAY_PLUGINS = plugin_apps(BUILTIN_PLUGINS, env_list("SOTAY_PLUGINS")) + env_list(
    "SOTAY_EXTRA_APPS"
)

INSTALLED_APPS = [
    "sotay_plugins",
    *SOTAY_PLUGINS,
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "mptt",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_rq",
    "axes",
    "csp",
    # Staff second factor (sotay_plugins.members.twofactor): TOTP authenticators, recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so a kept page is served with the same policy and privacy headers.
    "sotay_plugins.middleware.ContentSecurityPolicyMiddleware",
    "sotay_plugins.middleware.PrivateAnswersMiddleware",
    # Kept pages (the member's home) are served before the session is even loaded.
    "sotay_plugins.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sotay_plugins.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]
if "sotay_plugins.members" in SOTAY_PLUGINS:  # staff prove a second factor before the admin
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware"),
        "sotay_plugins.members.twofactor.middleware.StaffTwoFactorGate",
    )
if "editorial" in SOTAY_PLUGINS:  # admin URLs of pages outside the editor's scope answer 404
    MIDDLEWARE.insert(
        MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
        "editorial.admin.middleware.OutOfScopePagesAre404",
    )

# The few fast answers given before the middleware (sotay_plugins.front: the check-in scan);
# SOTAY_FRONT=0 sends every request through the middleware.
SOTAY_FRONT = env_bool("SOTAY_FRONT", True)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sotay_plugins.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions make SQLite take its write lock at BEGIN, so the organisation
    # tree lock (orgtree.locks) serialises writers here as the advisory lock does on PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and jobs -------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis going away costs members nothing but speed (sotay_plugins/cache.py).
            "BACKEND": "sotay_plugins.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that cannot be reached must fail fast, not hold a request for seconds.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sotay",
            # Django's default of 300 entries culls a third of them whenever it fills: a seed or
            # a burst of events then evicted the debounce keys (one leaderboard refresh a
            # minute became eleven in a row while seeding the province's quizzes).
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
# Without Redis, sotay_plugins.jobs runs each job in-process right after the transaction commits.
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 900}}
# `manage.py rqworker --with-scheduler default` uses this worker: it keeps the publishing
# scheduler's one-a-minute tick armed (editorial/publishing/scheduler.py), so no cron is needed.
RQ = {"WORKER_CLASS": "editorial.publishing.scheduler.Worker"}
SOTAY_JOBS_INLINE = not REDIS_URL
# The model of a party member's record, for the core's abstract models (sotay_plugins.receipts).
SOTAY_MEMBER_MODEL = "members.Member"
# A running job beats a heartbeat this often; one silent for 4 beats lost its worker and is run
# again (sotay_plugins/jobs.py).
SOTAY_JOB_HEARTBEAT_SECONDS = float(os.environ.get("SOTAY_JOB_HEARTBEAT_SECONDS") or 15)
# Whole pages kept per member (sotay_plugins.pagecache: the home page), in seconds at most; off
# without a cache shared by every worker process (REDIS_URL).
SOTAY_PAGE_CACHE_SECONDS = int(
    os.environ.get("SOTAY_PAGE_CACHE_SECONDS") or (300 if REDIS_URL else 0)
)

# --- Documents read aloud on the server (sotay_plugins/speech.py, issue 18) ------------------
# A published document, news article or resolution gets an audio version made by espeak-ng in a
# background job (SOTAY_SPEECH_ON_PUBLISH=0: only `manage.py generate_audio` makes them).
SOTAY_SPEECH_ON_PUBLISH = env_bool("SOTAY_SPEECH_ON_PUBLISH", True)
SOTAY_SPEECH_VOICE = os.environ.get("SOTAY_SPEECH_VOICE", "vi")  # vi-vn-x-central, vi-vn-x-south
SOTAY_SPEECH_RATE = int(os.environ.get("SOTAY_SPEECH_RATE") or 150)  # words a minute
SOTAY_SPEECH_ENCODER = os.environ.get("SOTAY_SPEECH_ENCODER", "auto")  # opus, mp3, wav, auto
SOTAY_SPEECH_MAX_CHARS = int(os.environ.get("SOTAY_SPEECH_MAX_CHARS") or 20_000)
SOTAY_SPEECH_CHUNK_CHARS = 1500
SOTAY_SPEECH_TIMEOUT = float(os.environ.get("SOTAY_SPEECH_TIMEOUT") or 120)  # per process

# --- Search ---------------------------------------------------------------------------------
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
# Search (issue 15): OPENSEARCH_URL chooses OpenSearch (it wins if both are set); neither: the
# database answers. The index lives behind the alias SEARCH_INDEX; an engine slower than
# SEARCH_TIMEOUT seconds (or down) is left alone for SEARCH_RETRY_SECONDS, the database answers.
OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "")
SEARCH_INDEX = os.environ.get("SEARCH_INDEX", "sotay-search")
SEARCH_TIMEOUT = float(os.environ.get("SEARCH_TIMEOUT", "2"))
# An index job's write to the engine (bulk and refresh) may take this long (s) before the job
# fails and the outbox retries it.
SEARCH_WRITE_TIMEOUT = float(os.environ.get("SEARCH_WRITE_TIMEOUT", "30"))
SEARCH_RETRY_SECONDS = float(os.environ.get("SEARCH_RETRY_SECONDS", "30"))
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Rights held at an organisation (RoleAssignment) grant admin access through the scope engine.
    "sotay_plugins.orgtree.backends.CapabilityBackend",
]
if "sotay_plugins.members" in SOTAY_PLUGINS:
    # Reads a signed-in session's account from the shared cache under the person's stamp
    # (sotay_plugins/members/backends.py); ModelBackend still signs people in.
    AUTHENTICATION_BACKENDS.append("sotay_plugins.members.backends.KeptAccountBackend")
# How long a signed-in person's account is kept in the shared cache (s); 0: read on every
# request. Off without a cache shared by every worker process (REDIS_URL).
SOTAY_KEPT_ACCOUNT_SECONDS = int(
    os.environ.get("SOTAY_KEPT_ACCOUNT_SECONDS") or (300 if REDIS_URL else 0)
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "members:login"
LOGIN_REDIRECT_URL = "members:home"
LOGOUT_REDIRECT_URL = "members:login"
# Sessions are read from the cache (Redis in production) and written through to the database:
# one query less on every page of the member shell.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Staff second factor: the name authenticator apps show; a wrong code doubles the wait before the
# next try (django-otp's throttling), so codes cannot be guessed.
OTP_TOTP_ISSUER = "Sổ tay đảng viên"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# django-axes (database handler: every process sees the same counts). Failures within the
# cool-off time lock, each against its own limit (sotay_plugins.lockout.LockoutHandler): 5 for
# one (account, address) pair, 30 for one address across accounts (one address trying a password
# on many CCCDs), 50 for one account across addresses. The web login and the API's token
# endpoint share the lockout. Its log lines are kept quiet because a username is a CCCD
# (Decree 13/2023: no CCCD in logs); usernames are folded so look-alike digits count as one.
AXES_HANDLER = "sotay_plugins.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
SOTAY_LOCKOUT_LIMITS = [5, 30, 50]
AXES_FAILURE_LIMIT = SOTAY_LOCKOUT_LIMITS[0]
AXES_COOLOFF_TIME = 0.25  # hours
AXES_USERNAME_CALLABLE = "sotay_plugins.authentication.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "sotay_plugins.members.accounts.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Account activation (CCCD + one-time code): attempts per address and per CCCD, per hour, counted
# in the shared cache (sotay_plugins.authentication.AttemptLimit).
SOTAY_ACTIVATION_LIMITS = {"address": 20, "cccd": 5}
# API tokens (POST /api/v1/auth/token/) expire this many days after they are issued, and die
# with any change of the account's password (sotay_plugins.authentication).
SOTAY_TOKEN_DAYS = int(os.environ.get("SOTAY_TOKEN_DAYS", "30"))

# --- Security headers (sotay_plugins.middleware) ---------------------------------------------
# Scripts and styles from our own files only; an inline one needs the request's nonce
# ({{ request.csp_nonce }}). The in-page PDF viewer is an <object> of our own /tep/ URL; news may
# embed videos (wagtail.embeds) from the frame sources below (SOTAY_CSP_FRAME_SRC, comma-separated,
# replaces them).
FRAME_SOURCES = [
    SELF,
    *env_list("SOTAY_CSP_FRAME_SRC", "https://www.youtube.com,https://www.youtube-nocookie.com"),
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        "object-src": [SELF],
        "frame-src": FRAME_SOURCES,
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
# The Wagtail admin, and only it, may run inline scripts and styles: Wagtail 8 writes them into its
# own templates (inline panels, date and time widgets, the workflow panel), its modals run the
# scripts of the HTML fragments they load (jQuery), and its style attributes are everywhere;
# Wagtail has no nonce hook. The rest of the policy holds there too (nothing from another origin,
# no eval, no <base>, forms and frames to ourselves only): tests/e2e/test_admin_policy.py walks
# the admin in Chromium and fails on any other violation.
SOTAY_ADMIN_CSP_PREFIXES = ["/quan-tri/"]
SOTAY_ADMIN_CONTENT_SECURITY_POLICY = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
}
# Features no page uses are off; the camera is the check-in scanner's, the microphone voice
# input's (same origin only).
SOTAY_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": ["self"],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": ["self"],  # voice input (site/static/js/voice-input.js), same origin only
    "payment": [],
    "usb": [],
}
# No avatar fetched from gravatar.com for admin users (a request to another site per page).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
PRIVATE_ROOT = Path(os.environ.get("SOTAY_PRIVATE_ROOT") or BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files with personal data (member spreadsheets): outside MEDIA_ROOT, no URL, never served.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": "/khong-phuc-vu/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# An upload up to this size is parsed in memory, not through a temporary file: a member's 5 MB
# photo is then written once, where it is stored (bench/RESULTS.md, issue 14). With gunicorn's
# sync workers one request is parsed at a time per worker, so a worker holds at most this much.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Member spreadsheets: one district's roll fits well under this.
SOTAY_IMPORT_MAX_BYTES = 10 * 1024 * 1024

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Sổ tay đảng viên điện tử"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# Page slugs are ASCII, Vietnamese folded (đ → d): sotay_plugins.slugs (issue 17).
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# The library's files (editorial.LibraryFile): private storage, served after the scope check.
if "editorial" in SOTAY_PLUGINS:  # else Wagtail's own document model (no library, no files)
    WAGTAILDOCS_DOCUMENT_MODEL = "editorial.LibraryFile"
    WAGTAILDOCS_DOCUMENT_FORM_BASE = (
        "editorial.admin.documents.LibraryFileForm"  # check_file: size, kind, content
    )
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx"]
# Images: a refused form keeps no file (Wagtail's multiple uploader would store it otherwise).
WAGTAILIMAGES_IMAGE_FORM_BASE = "sotay_plugins.imageforms.ImageForm"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sotay_plugins.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sotay_plugins.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "sotay_plugins.api.JSONParser",  # an object at the top level, or 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sotay_plugins.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "30/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sổ tay đảng viên điện tử — API",
    "DESCRIPTION": (
        "API của Sổ tay đảng viên điện tử. Mọi danh sách đều được lọc theo phạm vi của người gọi."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "DEFAULT_GENERATOR_CLASS": "sotay_plugins.schema.SchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sotay_plugins.schema.document_errors",
    ],
    # Several plugins have a field named "kind": name each choice set after its owner.
    "ENUM_NAME_OVERRIDES": {
        # (choices modules only: they load no models, so a disabled plugin stays harmless)
        "OrgKindEnum": "sotay_plugins.orgtree.choices.OrgKind",
        "MeetingKindEnum": "sotay_plugins.meetings.choices.MeetingKind",
        "DocumentKindEnum": "editorial.choices.DocumentKind",
        "LinkKindEnum": "editorial.choices.LinkKind",
        "ExportKindEnum": "sotay_plugins.reports.exports.choices.ExportKind",
    },
}

# --- Notifications (sotay_plugins.notices) --------------------------------------------------
# Web Push keys: `manage.py vapid_keys` prints a new pair. Without them only the inbox and e-mail.
SOTAY_VAPID_PUBLIC_KEY = os.environ.get("SOTAY_VAPID_PUBLIC_KEY", "")
SOTAY_VAPID_PRIVATE_KEY = os.environ.get("SOTAY_VAPID_PRIVATE_KEY", "")
SOTAY_VAPID_SUBJECT = os.environ.get("SOTAY_VAPID_SUBJECT", "mailto:quantri@localhost")
SOTAY_PUSH_TIMEOUT = float(os.environ.get("SOTAY_PUSH_TIMEOUT") or 10)
# Pushes are held to the morning in these local hours (a member may set their own).
SOTAY_NOTICES_QUIET_HOURS = tuple(env_list("SOTAY_NOTICES_QUIET_HOURS", "22:00,06:00")[:2])
SOTAY_NOTICES_DIGEST_HOUR = int(os.environ.get("SOTAY_NOTICES_DIGEST_HOUR") or 7)
# Kinds members cannot turn off or put in the digest, besides those declared required.
SOTAY_NOTICES_REQUIRED_KINDS = env_list("SOTAY_NOTICES_REQUIRED_KINDS", "meetings.reminder")
SOTAY_SITE_URL = os.environ.get("SOTAY_SITE_URL", "").rstrip("/")

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_cccd": {"()": "sotay_plugins.logging.MaskCCCDFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_cccd"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # A body it cannot split goes to Django's parser (sotay_plugins/uploads.py), which
        # answers it: its warning about the byte where it stopped says nothing more.
        "python_multipart": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
