"""Shoplens settings: everything comes from the environment, with safe defaults.

`DATABASE_URL` and `REDIS_URL` are written by `deploy/devstack.py` for the embedded
Postgres+pgvector and Redis that `make run` / `make test` start; set them yourself to use
external services (docker-compose, managed Postgres).
"""
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("DJANGO_ALLOW_INSECURE_KEY"):
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local work).")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    # Swagger UI/ReDoc assets served from our static files: the docs page must work offline.
    "drf_spectacular_sidecar",
    "marketplace.accounts",
    "marketplace.listings",
    "marketplace.photos",
    "marketplace.search",
    "marketplace.social",
    "marketplace.spins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketplace.social.context_processors.social",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "Set DATABASE_URL to a Postgres with pgvector, or start the embedded one with `make run`."
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
# Local state (databases, media, ...) defaults to .local/; `SHOPLENS_LOCAL_DIR` moves all of it.
LOCAL_DIR = Path(os.environ.get("SHOPLENS_LOCAL_DIR", BASE_DIR / ".local"))
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", LOCAL_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", LOCAL_DIR / "media"))
# Photo originals (they may carry EXIF/GPS) go to the "private" storage, which is never served.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", LOCAL_DIR / "private"))
# Serve uploaded media from Django itself: on for local work, off behind a real web server/S3.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": os.environ.get(
        "DJANGO_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    # S3-compatible instead: DJANGO_PRIVATE_FILE_STORAGE=storages.backends.s3.S3Storage and
    # DJANGO_PRIVATE_STORAGE_OPTIONS='{"bucket_name": "shoplens-private", "default_acl": "private"}'
    "private": {
        "BACKEND": os.environ.get(
            "DJANGO_PRIVATE_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("DJANGO_PRIVATE_STORAGE_OPTIONS", "null"))
        or {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads: a photo may be at most 20 MB and 40 megapixels (anything bigger is refused, and
# Pillow's own bomb guard is set to the same limit).
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 20 * 1024 * 1024))
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", 40_000_000))
PHOTOS_PER_LISTING = 12
# One photo upload (up to PHOTOS_PER_LISTING files) may buffer at most this much in all (a file's
# bytes past PHOTO_MAX_BYTES are dropped, not counted: that file is refused as too large); past
# it, or past PHOTOS_PER_LISTING files, the upload is refused and nothing more of it is buffered.
PHOTO_UPLOAD_MAX_BYTES = int(os.environ.get("PHOTO_UPLOAD_MAX_BYTES", 100 * 1024 * 1024))
# Rotating views: a whole capture (video or photo burst) may be at most 300 MB, checked from
# Content-Length before the body is read.
SPIN_UPLOAD_MAX_BYTES = int(os.environ.get("SPIN_UPLOAD_MAX_BYTES", 300 * 1024 * 1024))
SPIN_VIDEO_MAX_SECONDS = float(os.environ.get("SPIN_VIDEO_MAX_SECONDS", 60))
SPIN_MIN_PHOTOS, SPIN_MAX_PHOTOS = 8, 72
SPIN_OUTPUT_FRAMES = int(os.environ.get("SPIN_OUTPUT_FRAMES", 36))
SPIN_PENDING_GRACE_SECONDS = int(os.environ.get("SPIN_PENDING_GRACE_SECONDS", 300))
# A stitching claim older than this was abandoned (its worker died): the spin is queued again.
# Longer than `process_spin`'s hard time limit (660 s), so a live worker is never doubled.
SPIN_CLAIM_LEASE_SECONDS = int(os.environ.get("SPIN_CLAIM_LEASE_SECONDS", 900))
# A spin whose stitching was interrupted this many times (the worker killed, e.g. out of memory)
# is marked failed instead of being tried again.
SPIN_MAX_ATTEMPTS = int(os.environ.get("SPIN_MAX_ATTEMPTS", 3))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The most files any form takes at once: a spin's photo burst and its video (Django's default is
# 100). The photo upload refuses past PHOTOS_PER_LISTING itself, with a message for the seller.
DATA_UPLOAD_MAX_NUMBER_FILES = max(SPIN_MAX_PHOTOS + 1, PHOTOS_PER_LISTING + 1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: CSRF everywhere, secure cookies and HSTS whenever DEBUG is off.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 3600))

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Shoplens <noreply@shoplens.local>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # How many proxies in front of the site append to X-Forwarded-For: the throttles (photo
    # search) count the address this many entries from its end. 0 uses REMOTE_ADDR, the only
    # safe value without a proxy: the header is the client's to forge.
    "NUM_PROXIES": int(os.environ.get("DJANGO_NUM_PROXIES", 0)),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shoplens API",
    "DESCRIPTION": "Listings, photos, visual search and social shopping.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from drf-spectacular-sidecar's static files (served by
    # WhiteNoise), never from a CDN: CI and many deployments cannot reach the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Social shopping: abuse limits (counted in the database, same for web and API), private-link
# lifetime, and the site's address for links in notification e-mails.
SOCIAL_INVITES_PER_HOUR = int(os.environ.get("SOCIAL_INVITES_PER_HOUR", 20))
SOCIAL_COMMENTS_PER_MINUTE = int(os.environ.get("SOCIAL_COMMENTS_PER_MINUTE", 10))
SOCIAL_SHARE_LINK_DAYS = int(os.environ.get("SOCIAL_SHARE_LINK_DAYS", 7))
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# Django's cache, in the same Redis: what the throttles count (photo search) holds across web
# processes. The prefix keeps its keys apart from Celery's; never `cache.clear()` (FLUSHDB).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": REDIS_URL, "KEY_PREFIX": "shoplens"}}
CELERY_BROKER_URL = REDIS_URL
# Task state lives in the database; only tasks that opt in (ping) keep a result, for an hour.
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery would otherwise close the database connection around every task; worker/app.py
# closes only the broken or CONN_MAX_AGE-old ones instead, like Django's request cycle.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_DEFAULT_QUEUE = "default"
# Photo work on "default"; model work (tags, embeddings, spins) on "vision" (GPU workers).
CELERY_TASK_ROUTES = {
    "worker.photos.*": {"queue": "default"},
    "worker.vision.*": {"queue": "vision"},
    "worker.spins.*": {"queue": "vision"},
}
# Celery beat (embedded in the `make run` worker; its own service in docker-compose): photos
# still pending PHOTO_PENDING_GRACE_SECONDS after upload lost their task (e.g. Redis restarted)
# and are queued again every PHOTO_REQUEUE_INTERVAL_SECONDS.
PHOTO_PENDING_GRACE_SECONDS = int(os.environ.get("PHOTO_PENDING_GRACE_SECONDS", 120))
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-pending-photos": {
        "task": "worker.photos.requeue_stale_pending",
        "schedule": int(os.environ.get("PHOTO_REQUEUE_INTERVAL_SECONDS", 180)),
    },
    "requeue-stale-waiting-spins": {
        "task": "worker.spins.requeue_stale_pending",
        "schedule": int(os.environ.get("SPIN_REQUEUE_INTERVAL_SECONDS", 180)),
    },
    "search-reconcile-pending": {
        "task": "worker.vision.reconcile_pending",
        "schedule": int(os.environ.get("SEARCH_RECONCILE_INTERVAL_SECONDS", 300)),
    },
}
# Redis re-delivers an unacknowledged task after this many seconds (worker died mid-task).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get(
    "CELERY_VISIBILITY_TIMEOUT", 3600))}
# Search: a photo still without any analysis after this many seconds is re-queued (its task
# was lost) by `worker.vision.reconcile_pending`, run on worker start and by beat.
SEARCH_RECONCILE_AFTER_S = int(os.environ.get("SEARCH_RECONCILE_AFTER_S", 600))
# Photos per engine batch in the vision task; each batch is committed on its own.
SEARCH_VISION_BATCH_SIZE = int(os.environ.get("SEARCH_VISION_BATCH_SIZE", 16))
# A photo the model was started on this many times without a result (each time the worker died)
# is stored as failed instead of being tried again.
SEARCH_MAX_ATTEMPTS = int(os.environ.get("SEARCH_MAX_ATTEMPTS", 3))
# Tests may run tasks inline; the pipeline tests start a real worker instead.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
