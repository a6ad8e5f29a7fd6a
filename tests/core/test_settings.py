"""Settings come from the environment, with production-safe defaults."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from dieuhanh import settings as production

MANAGE = [sys.executable, "-m", "dieuhanh"]


def run_manage(*args, env_overrides: dict[str, str], tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "DATABASE_URL",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update({"DIEUHANH_VAR_DIR": str(tmp_path), **env_overrides})
    return subprocess.run([*MANAGE, *args], env=env, capture_output=True, text=True, timeout=300)


def test_defaults_are_safe_for_production():
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    # The production settings (the test settings hash with a fast hasher, tests/settings.py).
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: this run is on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_deployment_checks_pass_with_a_production_environment(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "dieuhanh.chinhphu.vn",
            "DIEUHANH_SSL_REDIRECT": "1",
            "DIEUHANH_HSTS_SECONDS": "31536000",
            "DIEUHANH_HSTS_INCLUDE_SUBDOMAINS": "1",
            "DIEUHANH_HSTS_PRELOAD": "1",
            "DIEUHANH_BEHIND_HTTPS_PROXY": "1",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path):
    for _ in range(2):
        result = run_manage("check", env_overrides={}, tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_a_malformed_boolean_is_refused_with_its_name(tmp_path):
    result = run_manage("check", env_overrides={"DEBUG": "perhaps"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_time_zone_comes_from_the_environment(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TIME_ZONE)",
        env_overrides={"TIME_ZONE": "UTC"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "UTC"


def test_production_static_files_collect_with_hashed_names(tmp_path):
    """collectstatic with the production storage: every reference (fonts, source maps)
    resolves, so a production deployment serves the vendored assets."""
    result = run_manage(
        "collectstatic",
        "--noinput",
        env_overrides={"SECRET_KEY": secrets.token_urlsafe(50)},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    for name in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/echarts/echarts.min.js",
        "vendor/htmx/htmx.min.js",
        "vendor/alpinejs/alpine-csp.min.js",
        "ninja/swagger-ui-bundle.js",
    ):
        assert f'"{name}"' in manifest, name
