"""Settings of the test provider. `OIDC_KIT_DATABASE` names its SQLite file and `OIDC_KIT_TOKEN` the secret
the kit's own endpoints require (both set by the process that starts it)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tests.interop.oidc_provider_site.views.AuthorizeRequestLog",
]
ROOT_URLCONF = "tests.interop.oidc_provider_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OIDC_KIT_DATABASE"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Test users only: a fast hasher keeps the provider's start-up and sign-ins quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/login/"
USE_TZ = True
# The provider and Waypoint may share a host (cookies ignore ports): its cookies carry names of their own.
SESSION_COOKIE_NAME = "provider_session"
CSRF_COOKIE_NAME = "provider_csrftoken"

OIDC_KIT_TOKEN = os.environ["OIDC_KIT_TOKEN"]
# E-mail and names in the ID token itself, as Google and Entra ID put them there.
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "tests.interop.oidc_provider_site.hooks.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.interop.oidc_provider_site.hooks.id_token"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
