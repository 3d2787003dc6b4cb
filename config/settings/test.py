"""Tests: the same engines CI gives us (DATABASE_URL, REDIS_URL), fast hashing, no throttles."""

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-7b2e9c4d"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run jobs in-process so each test sees its job's effect; tests that exercise the queue
# itself switch this off and use the real Redis from REDIS_URL.
SOTAY_JOBS_INLINE = True
# No in-process publishing tick after test requests (editorial.publishing.scheduler): tests call it
# themselves.
SOTAY_SCHEDULER_IN_PROCESS = False
# The cache is the one base.py chooses: Redis when REDIS_URL is set (CI: the suite runs the real
# shared cache, as production does), local memory otherwise (the embedded default).
# The files a test run writes: var/test-media and var/test-private, or under SOTAY_TEST_VAR (a
# second run on the same checkout at the same time, as CI's PostgreSQL and SQLite passes, keeps
# its files apart).
TEST_VAR = BASE_DIR / os.environ.get("SOTAY_TEST_VAR", "var")  # noqa: F405
MEDIA_ROOT = TEST_VAR / "test-media"
STORAGES["private"]["OPTIONS"]["location"] = str(TEST_VAR / "test-private")  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
# Test-only apps: a concrete audience-scoped model (scope engine property tests), and a module
# with its own events and roll (the attendance plugin serves any module: tests/eventapp).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.scopeapp", "tests.eventapp"]
# Kept pages on in every test (Redis in CI; in one process local memory is shared as Redis would
# be): every test that changes data and reads the home page again checks their invalidation.
SOTAY_PAGE_CACHE_SECONDS = 300
# No audio is made when a test publishes a page (espeak-ng would run in every publishing test):
# the speech tests switch it on (sotay_plugins/speech.py).
SOTAY_SPEECH_ON_PUBLISH = False
