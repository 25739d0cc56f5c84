"""Settings for the conference-report CMS, read from the environment.

Every variable is listed, with its meaning, in `.env.example`.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from cms import backends
from cms.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's machine: DEBUG must be switched on explicitly.
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "markdownx",
    "rules.apps.AutodiscoverRulesConfig",
    "reversion",
    "cms.apps.LoginLimitsConfig",  # django-axes
    "cms.apps.CmsConfig",
    "sessions.apps.ConferenceConfig",
    "blog.apps.BlogConfig",
    "demo.apps.DemoConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Readers' pages from the cache, before sessions, users, CSRF and languages cost anything.
    "blog.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside the language's middleware: an English address resolves only with English on.
    "cms.middleware.ComposedAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

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
                "blog.context_processors.site",
            ],
        },
    },
]

# SQLite next to the code by default; DATABASE_URL (postgres://...) switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Refuses logins while an account is locked out after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    # Object-level rules (blog/rules.py); group permissions for everything else.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling: LOGIN_FAILURE_LIMIT wrong passwords lock out, for a while, the account
# (however many addresses tried it) and the pair; LOGIN_ADDRESS_FAILURE_LIMIT the address
# (however many accounts it tried), higher because a team may share one (cms/login_limits.py).
# Behind a proxy the address is the client's, never the proxy's (see
# cms/client_address.py), so one client cannot lock out everybody else.
AXES_HANDLER = "cms.login_limits.LoginLimitsHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
for _name, _limit in (
    ("LOGIN_FAILURE_LIMIT", AXES_FAILURE_LIMIT),
    ("LOGIN_ADDRESS_FAILURE_LIMIT", LOGIN_ADDRESS_FAILURE_LIMIT),
):
    if _limit < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"], ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "cms.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

# Uploaded photos: the local disk by default; with more than one app machine, a bucket
# (MEDIA_STORAGE=storages.backends.s3.S3Storage and the MEDIA_BUCKET_* settings), so that
# every machine sees every photo and none keeps files of its own. See cms/backends.py.
STORAGES = {
    "default": backends.media_storage(
        env_str("MEDIA_STORAGE", backends.FILE_SYSTEM_STORAGE),
        bucket=env_str("MEDIA_BUCKET"),
        endpoint_url=env_str("MEDIA_BUCKET_ENDPOINT_URL"),
        region=env_str("MEDIA_BUCKET_REGION"),
        access_key=env_str("MEDIA_BUCKET_ACCESS_KEY_ID"),
        secret_key=env_str("MEDIA_BUCKET_SECRET_ACCESS_KEY"),
        public_url=env_str("MEDIA_BUCKET_PUBLIC_URL"),
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
_MEDIA_ON_DISK = STORAGES["default"]["BACKEND"] == backends.FILE_SYSTEM_STORAGE
# Media is served by Django itself only where nothing better is in front of it (local
# runs); it can only serve photos that are on this machine's disk.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG and _MEDIA_ON_DISK)
if SERVE_MEDIA and not _MEDIA_ON_DISK:
    raise ImproperlyConfigured("SERVE_MEDIA serves files from MEDIA_ROOT; photos are elsewhere.")

# The cache, and with it the sessions, is shared by every app machine through Redis when
# REDIS_URL is set (redis://host:6379/0); otherwise it is this process's own memory.
REDIS_URL = env_str("REDIS_URL")
CACHES = {"default": backends.cache(REDIS_URL)}
# With Redis, a login made on one app machine is known to all. Only staff log in, and
# Redis in the compose file keeps its data on disk, so the database holds no sessions.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cache" if REDIS_URL else "django.contrib.sessions.backends.db"
)

# Readers' pages kept whole in the cache (blog/pagecache.py) until anything they show
# changes, at most PAGE_CACHE_SECONDS. On by default only with Redis: a change made in one
# gunicorn worker must reach the pages every other worker keeps. PAGE_CACHE=0 turns it off.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", bool(REDIS_URL))
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
# The costly parts of the report page kept the same way, for the renders the page cache
# cannot spare (the first reader after a change, PAGE_CACHE=0). FRAGMENT_CACHE=0 turns it off.
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE", bool(REDIS_URL))
# How long browsers (max-age) and shared caches or a CDN (s-maxage) may keep a public page
# without asking again. Nobody tells a CDN of a change: a correction reaches its readers
# within PAGE_CACHE_SHARED_MAX_AGE. Browsers ask each time (max-age 0) and get
# "304 Not Modified" while the page is unchanged.
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 0)
PAGE_CACHE_SHARED_MAX_AGE = env_int("PAGE_CACHE_SHARED_MAX_AGE", 60)

# Uploads larger than this are refused before they reach the image pipeline.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The console backend only prints mail: fine on a developer's machine, and reported by
# `check --deploy` (blog/checks.py) anywhere else, as review notifications would vanish.
# (Named in lower case: EMAIL_* settings are Django's old, deprecated way to set this.)
email_backend = env_str("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
MAILERS = {"default": {"BACKEND": email_backend}}
if email_backend == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST") or "localhost",
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": env_int("EMAIL_TIMEOUT_SECONDS", 10),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "reports@example.com")

SITE_NAME = env_str("SITE_NAME", "SRE Tech Blog")
# The public address (no trailing slash), for links that leave the site: emails and
# exported reports. When it is not set, an export downloaded from the admin takes the
# address the editor reached the site by, which beats a local default.
SITE_URL_CONFIGURED = bool(env_str("SITE_URL").strip())
SITE_URL = (env_str("SITE_URL").strip() or "http://127.0.0.1:8000").rstrip("/")

LOGIN_URL = "admin:login"
# Where a login with no `next` lands: writers and editors work in the admin.
LOGIN_REDIRECT_URL = "admin:index"

# The admin editor's preview and upload are our own views (blog/editor_views.py): the
# preview uses the public page's renderer, and uploads are judged by decoding, never by
# content type. markdownx's own hook points at the same renderer in case it is ever used.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "blog.markdown.render_markdown"

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The admin's language, when its user chose one (the switch beside 'Log out'): kept like a
# setting, not for one browser session. Readers' pages take theirs from the address only.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# HTTPS only: redirect plain HTTP, and tell browsers (HSTS) never to try it again. Off by
# default, so that a site tried on http://127.0.0.1 still answers; `.env.example` turns
# them on. Preloading is a promise to browsers that is slow to take back: see README.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# How many reverse proxies stand in front of the site (0: none, clients connect directly).
# Only then are the proxies' headers believed: the scheme (X-Forwarded-Proto), the host
# (X-Forwarded-Host) and the client's address (X-Forwarded-For, cms/client_address.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
USE_X_FORWARDED_HOST = TRUSTED_PROXY_COUNT > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
# Scripts and styles come only from our own static files: no inline code anywhere,
# so Markdown that slipped past the sanitiser still could not run.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Photos in a bucket are loaded from the bucket's public address.
    "img-src": [
        CSP.SELF,
        "data:",
        *filter(None, [backends.media_origin(STORAGES["default"])]),
        *env_list("CSP_EXTRA_IMG_SRC", []),
    ],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# The largest schedule file (.ics or schedule.json) an import reads, in bytes. A real
# conference's schedule is well under a megabyte.
SCHEDULE_IMPORT_MAX_BYTES = env_int("SCHEDULE_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Deleted reports, sections and photos wait this many days in the trash before
# `manage.py purge_trash` (run daily) deletes them for good.
TRASH_RETENTION_DAYS = env_int("TRASH_RETENTION_DAYS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
