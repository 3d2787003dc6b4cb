"""Deployment settings: production refuses a per-process cache (revocations would not reach other
workers), and the demo's key is made per install, never read from the repository."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "deploy-test-0b8e2f6c4a1d49e7b3c5a9f0d2e4c6b8a0f1e3d5c7b9a1f3e5d7c9b1a3f5e7d9",
    "DJANGO_ALLOWED_HOSTS": "sotay.example.org",
}


def run(args, env, **kwargs):
    # A clean environment: only what finding Python and the database needs, whatever other tests
    # of this process left in os.environ.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL", "VIRTUAL_ENV")
    base = {k: v for k, v in os.environ.items() if k in keep}
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_production_without_a_shared_cache_refuses_commands():
    result = run(["manage.py", "check"], PRODUCTION)
    assert result.returncode != 0
    assert "sotay.E010" in result.stderr
    assert "REDIS_URL" in result.stderr


def test_production_without_a_shared_cache_refuses_to_serve():
    result = run(["-c", "import config.wsgi"], PRODUCTION)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "sotay.E010" in result.stderr
    served = run(["-c", "import config.wsgi"], {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert served.returncode == 0, served.stderr


def test_check_deploy_is_clean_with_a_shared_cache():
    """What `make lint` runs: no warning at all on the production settings."""
    env = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:1/0"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_reports_a_per_process_cache_even_when_allowed():
    env = {**PRODUCTION, "SOTAY_ALLOW_PER_PROCESS_CACHE": "1"}
    assert run(["manage.py", "check"], env).returncode == 0  # one process may start
    result = run(["manage.py", "check", "--deploy"], env)
    assert result.returncode != 0
    assert "sotay.E010" in result.stderr


def test_one_process_demo_keeps_its_local_cache(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    env["SOTAY_DEV_SECRET_FILE"] = str(tmp_path / "dev-secret")
    result = run(["manage.py", "check"], env)
    assert result.returncode == 0, result.stderr


def dev_secret(path):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "SOTAY_DEV_SECRET_FILE": str(path)}
    env["SECRET_KEY"] = ""
    result = run(
        ["-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.SECRET_KEY)"],
        env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_dev_key_is_made_once_per_install_and_not_in_the_repository(tmp_path):
    path = tmp_path / "var" / "dev-secret"
    key = dev_secret(path)
    assert len(key) >= 50
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert dev_secret(path) == key  # kept: sessions and printed QR cards survive a restart
    assert dev_secret(tmp_path / "other") != key  # another install, another key
    tracked = subprocess.run(  # noqa: S603
        ["git", "grep", "-F", "-q", "-e", key], cwd=ROOT, check=False, capture_output=True
    )  # fmt: skip
    assert tracked.returncode == 1  # not found in the repository
    ignored = subprocess.run(  # noqa: S603
        ["git", "check-ignore", "-q", "var/dev-secret"], cwd=ROOT, check=False  # noqa: S607
    )  # fmt: skip
    assert ignored.returncode == 0


def test_the_settings_hold_no_development_key():
    """The literal the demo used to sign QR tokens with is gone from every settings module."""
    for module in (ROOT / "config" / "settings").glob("*.py"):
        text = module.read_text()
        assert "dev-only-not-secret" not in text, module


def test_tests_keep_a_fixed_key(settings):
    assert settings.SECRET_KEY == "test-secret-key-not-for-production-7b2e9c4d"  # noqa: S105
