"""Django settings for digest, read once from the environment (and an optional ``.env``).

Every knob an operator may turn is an environment variable documented in README's
configuration table; nothing deeper in the code reads ``os.environ``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from dotenv import load_dotenv

from digest import secretkey
from digest.errormail import parse_admins

BASE_DIR = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("DIGEST_HOME", BASE_DIR)).resolve()
load_dotenv(HOME / ".env", override=False)


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated variable as a list, blanks dropped."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("DIGEST_VAR_DIR") or HOME / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)
# It signs the links in every email: with DEBUG off, no key (or the development key in this
# repository) refuses to start; `make install` writes a random one into .env.
SECRET_KEY = secretkey.choose(env("DJANGO_SECRET_KEY"), debug=DEBUG)
# Earlier keys, newest first: links signed with them (in emails already sent) keep working
# after a rotation; new links are signed with SECRET_KEY only.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

# --- HTTPS and proxies, from SITE_URL and DIGEST_TRUSTED_PROXIES ------------------------------
# SITE_URL is where readers reach the pages: its host is always allowed, its origin trusted
# for CSRF, and an https SITE_URL turns on secure cookies, the redirect to https and HSTS.
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ValueError(f"SITE_URL={SITE_URL!r}: use http(s)://host[:port][/path]")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
if _site.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_site.hostname)
_origin = f"{_site.scheme}://{_site.netloc}"
CSRF_TRUSTED_ORIGINS = [_origin, *env_list("DJANGO_CSRF_TRUSTED_ORIGINS")]
# How many reverse proxies (Caddy, nginx, a load balancer) stand in front of the app. Each
# one is trusted to say how the client came in (X-Forwarded-Proto) and to append the
# address it saw to DIGEST_FORWARDED_FOR_HEADER; the client is that many hops from its right.
# 0: clients connect directly, and any such header is a client's claim, ignored.
DIGEST_TRUSTED_PROXIES = int(env("DIGEST_TRUSTED_PROXIES", "0"))
if DIGEST_TRUSTED_PROXIES < 0:
    raise ValueError(f"DIGEST_TRUSTED_PROXIES={DIGEST_TRUSTED_PROXIES}: use 0 or more")
DIGEST_FORWARDED_FOR_HEADER = env("DIGEST_FORWARDED_FOR_HEADER", "X-Forwarded-For")
if DIGEST_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_https = _site.scheme == "https"
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
# A health probe from the machine itself speaks plain http to the app.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = int(env("DIGEST_HSTS_SECONDS", "31536000")) if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DIGEST_HSTS_INCLUDE_SUBDOMAINS", False)
# HSTS for other subdomains (includeSubDomains) and browsers' preload list are commitments
# for the whole domain, beyond this app: the operator's choice, off by default, so the
# deployment check's reminders of them are silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "subscribers",
    "digest",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "digest.urls"
WSGI_APPLICATION = "digest.wsgi.application"

TEMPLATES_DIR = BASE_DIR / "templates"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES_DIR / "site", TEMPLATES_DIR],
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


def _database(url: str) -> dict:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        # A relative SQLite path is relative to DIGEST_HOME, not to wherever the command runs.
        url = "sqlite:///" + str(HOME / url.removeprefix("sqlite:///"))
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers (the admin, a preview) run while the sender writes.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": _database(env("DATABASE_URL", "sqlite:///var/digest.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- digest's own settings -------------------------------------------------------------
DIGEST_SITE_NAME = env("DIGEST_SITE_NAME", "The Korea Daily")
DIGEST_TIME_ZONE = env("DIGEST_TIME_ZONE", "America/Los_Angeles")
DIGEST_POSTAL_ADDRESS = env(
    "DIGEST_POSTAL_ADDRESS", "690 Wilshire Place, Los Angeles, CA 90005, USA"
)
DIGEST_FROM_EMAIL = env("DIGEST_FROM_EMAIL", "newsletter@localhost")
# The address that takes `mailto:` unsubscribe requests (List-Unsubscribe).
DIGEST_UNSUBSCRIBE_EMAIL = env("DIGEST_UNSUBSCRIBE_EMAIL") or DIGEST_FROM_EMAIL
DIGEST_SENDER = env("DIGEST_SENDER", "outbox")
DIGEST_OUTBOX_DIR = Path(env("DIGEST_OUTBOX_DIR") or VAR_DIR / "outbox")
DIGEST_TEMPLATE_DIR = env("DIGEST_TEMPLATE_DIR")  # optional override folder for the email
SMTP_URL = env("SMTP_URL", "smtp://127.0.0.1:25")
SMTP_TIMEOUT = float(env("SMTP_TIMEOUT", "30"))
SENDGRID_API_KEY = env("SENDGRID_API_KEY")
SENDGRID_API_HOST = env("SENDGRID_API_HOST", "https://api.sendgrid.com")
SENDGRID_TIMEOUT = float(env("SENDGRID_TIMEOUT", "30"))
DIGEST_SENDGRID_SANDBOX = env_bool("DIGEST_SENDGRID_SANDBOX", False)
SENDGRID_WEBHOOK_PUBLIC_KEY = env("SENDGRID_WEBHOOK_PUBLIC_KEY")
SENDGRID_WEBHOOK_MAX_AGE = int(env("SENDGRID_WEBHOOK_MAX_AGE", "600"))
DIGEST_BATCH_SIZE = int(env("DIGEST_BATCH_SIZE", "500"))
# `digest send` processes per edition (this one and its helpers); one per core at most.
DIGEST_SEND_WORKERS = int(env("DIGEST_SEND_WORKERS", "1"))
# A helper process is started for each this many readers of the edition, up to
# DIGEST_SEND_WORKERS: below it, a helper's start-up costs more than the sending it takes on.
DIGEST_READERS_PER_WORKER = int(env("DIGEST_READERS_PER_WORKER", "25000"))
if DIGEST_READERS_PER_WORKER < 1:
    raise ValueError(f"DIGEST_READERS_PER_WORKER={DIGEST_READERS_PER_WORKER}: use 1 or more")
# What a run does with deliveries a crashed run left with the provider: "skip" keeps them
# for an operator (`digest resend-uncertain`), "resend" sends them again.
DIGEST_ON_UNCERTAIN = env("DIGEST_ON_UNCERTAIN", "skip")
if DIGEST_ON_UNCERTAIN not in {"skip", "resend"}:
    raise ValueError(f"DIGEST_ON_UNCERTAIN={DIGEST_ON_UNCERTAIN!r}: use skip or resend")
DIGEST_RATE_PER_SECOND = float(env("DIGEST_RATE_PER_SECOND", "0"))
DIGEST_QUOTA = env("DIGEST_QUOTA")  # e.g. 100000/day or 5000/hour; empty: none
DIGEST_BREAKER_BATCHES = int(env("DIGEST_BREAKER_BATCHES", "5"))
# How long a reader waits when the provider asks to try later (SMTP 4xx, retries used up).
DIGEST_RETRY_AFTER_SECONDS = int(env("DIGEST_RETRY_AFTER_SECONDS", "300"))

# The optional LLM summary writer (digest/llm_writer.py): an OpenAI-compatible chat endpoint
# (a hosted API, or vLLM or Ollama on this machine). No URL: off, every summary extractive.
# The API's base; a full ".../chat/completions" address pasted from a server's docs works too.
DIGEST_LLM_URL = env("DIGEST_LLM_URL").rstrip("/").removesuffix("/chat/completions")
DIGEST_LLM_MODEL = env("DIGEST_LLM_MODEL")
DIGEST_LLM_API_KEY = env("DIGEST_LLM_API_KEY")  # local servers need none
DIGEST_LLM_TIMEOUT = float(env("DIGEST_LLM_TIMEOUT", "30"))
# Requests per day in DIGEST_TIME_ZONE, counted in the database for every process together.
DIGEST_LLM_DAILY_CAP = int(env("DIGEST_LLM_DAILY_CAP", "200"))
if DIGEST_LLM_URL:
    if urlsplit(DIGEST_LLM_URL).scheme not in {"http", "https"}:
        raise ValueError(f"DIGEST_LLM_URL={DIGEST_LLM_URL!r}: use http(s)://host[:port]/v1")
    if not DIGEST_LLM_MODEL:
        raise ValueError("DIGEST_LLM_URL is set but DIGEST_LLM_MODEL is not: name the model")
if DIGEST_LLM_TIMEOUT <= 0 or DIGEST_LLM_DAILY_CAP < 0:
    raise ValueError("DIGEST_LLM_TIMEOUT must be above 0 and DIGEST_LLM_DAILY_CAP 0 or more")

# The subscribers app reaches the newsletter only through these two names.
SUBSCRIBERS_SECTIONS = "digest.sections.choices"
SUBSCRIBERS_MAILER = "digest.delivery.transactional.send"
# Subscription requests accepted per client address per hour (against subscription bombing).
SUBSCRIBE_RATE_PER_HOUR = int(env("SUBSCRIBE_RATE_PER_HOUR", "5"))
# Confirmation emails sent to one subscriber address per hour, whichever clients ask: more
# requests get the same page and send nothing (against mail-bombing one inbox).
SUBSCRIBE_CONFIRMATIONS_PER_HOUR = int(env("SUBSCRIBE_CONFIRMATIONS_PER_HOUR", "3"))

# --- the editors' desk ------------------------------------------------------------------
LOGIN_URL = "/desk/login/"
LOGIN_REDIRECT_URL = "/desk/"
# Failed logins for one username from one client address before that pair is locked out,
# failed logins from one address (any usernames) before the address is, and for how long
# (seconds); the desk's and the admin's login pages both count. Never per username alone:
# anyone could lock an editor out.
DIGEST_LOGIN_MAX_FAILURES = int(env("DIGEST_LOGIN_MAX_FAILURES", "5"))
DIGEST_LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    env("DIGEST_LOGIN_MAX_FAILURES_PER_ADDRESS") or 4 * DIGEST_LOGIN_MAX_FAILURES
)
DIGEST_LOGIN_LOCKOUT_SECONDS = int(env("DIGEST_LOGIN_LOCKOUT_SECONDS", "900"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"digest": {"handlers": ["console"], "level": env("DIGEST_LOG_LEVEL", "WARNING")}},
}


# Where the login lockouts and the subscribe limits count (Django's cache): "memory" counts in
# each process apart (one process: the developer's server, a test); "file" in a folder every
# process of this machine shares (several gunicorn workers); "database" in a table every
# machine shares (`digest serve` creates it).
DIGEST_CACHE = env("DIGEST_CACHE", "memory")
_CACHES = {
    "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "file": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    },
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "digest_cache",
    },
}
if DIGEST_CACHE not in _CACHES:
    raise ValueError(f"DIGEST_CACHE={DIGEST_CACHE!r}: use memory, file or database")
CACHES = {"default": _CACHES[DIGEST_CACHE]}

# --- serving ---------------------------------------------------------------------------
# WhiteNoise serves the static files (the admin's CSS) from the app itself, under
# `digest serve` (gunicorn) and under `runserver`, with DEBUG on or off: no web server needs
# to know where they are. It goes right after SecurityMiddleware, as its documentation asks.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
# `digest serve` turns this on for the production server: `collectstatic` writes compressed
# copies under content-hashed names into STATIC_ROOT (browsers keep them for a year, a new
# version gets new names). Off (runserver, the tests, a fresh clone) the files are served
# straight from the apps' folders, as WhiteNoise does in development: a manifest storage
# would refuse every {% static %} until `collectstatic` had run.
DIGEST_STATIC_MANIFEST = env_bool("DIGEST_STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if DIGEST_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not DIGEST_STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not DIGEST_STATIC_MANIFEST
# `digest serve`: where gunicorn listens (behind Caddy or nginx), its processes, the threads
# of each, and the seconds a request may take before its worker is restarted (a CSV import
# in the admin is the slowest page).
DIGEST_BIND = env("DIGEST_BIND", "127.0.0.1:8000")
DIGEST_WEB_WORKERS = int(env("DIGEST_WEB_WORKERS", "2"))
DIGEST_WEB_THREADS = int(env("DIGEST_WEB_THREADS", "4"))
DIGEST_WEB_TIMEOUT = int(env("DIGEST_WEB_TIMEOUT", "120"))
# /healthz answers 503 when a scheduler is expected here (on for production, see
# deploy/digest.env.example) and its last heartbeat (every minute; each `--once` run from
# cron) is older than this many seconds: two cron periods, or ten missed beats.
DIGEST_EXPECT_SCHEDULER = env_bool("DIGEST_EXPECT_SCHEDULER", False)
DIGEST_HEARTBEAT_MAX_AGE = int(env("DIGEST_HEARTBEAT_MAX_AGE", "600"))

# Django's error emails (a 500 on a page; an error the scheduler logs) go to ADMINS through
# the configured sender, like every email of the product (digest/errormail.py).
ADMINS = parse_admins(env("DJANGO_ADMINS"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL = DIGEST_FROM_EMAIL
EMAIL_BACKEND = "digest.errormail.EmailBackend"
EMAIL_SUBJECT_PREFIX = "[digest] "
LOGGING["filters"] = {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}}
LOGGING["handlers"]["mail_admins"] = {
    "level": "ERROR",
    "filters": ["require_debug_false"],
    "class": "django.utils.log.AdminEmailHandler",
}
LOGGING["loggers"]["digest"]["handlers"].append("mail_admins")
# Errors in sending those emails are only printed: mailing them would go the same way.
LOGGING["loggers"]["digest.errormail"] = {"handlers": ["console"], "propagate": False}
# A scheduled job that raises is logged by APScheduler's executor, not by us.
LOGGING["loggers"]["apscheduler.executors"] = {
    "handlers": ["console", "mail_admins"],
    "level": "ERROR",
}
