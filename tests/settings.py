"""Test settings: the production settings, with static files served from the finders
(so that the suite needs no collectstatic) and a fast password hasher first."""

from dieuhanh.settings import *  # noqa: F403
from dieuhanh.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# New passwords are hashed with a fast hasher: Argon2 takes 0.1 s a password by design, and the
# suite creates thousands of users (seven for every task test). Argon2 stays in the list, so
# a password hashed by it still verifies; production keeps Argon2 first
# (tests/core/test_settings.py reads the production settings for that).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405

# The suite makes thousands of requests a minute from one address; the rate-limit tests
# set their own low limits.
RATE_LIMITS = {"api_token": (100_000, 60), "api_ip": (100_000, 60), "login_ip": (100_000, 60)}

# Two factors are tested in tests/accounts/test_two_factor.py, which turns them on; other
# tests sign in with force_login, which no second factor follows.
DIEUHANH_TWO_FACTOR = "off"

# PostgreSQL: commits of the test database do not wait for the disk. The suite commits often
# (live-server tests flush every table after each test, module fixtures commit the reference
# data) and a lost commit in a crash costs nothing here. The server's own settings stay.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
