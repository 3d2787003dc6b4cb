import os

import hypothesis
import pytest

# Hypothesis times its input generation against the wall clock; on a shared 2-core machine (or
# one paused by another job) a single draw can take seconds, which says nothing about the code.
# The property tests keep their own bounds (max_examples, deadlines where they matter).
hypothesis.settings.register_profile(
    "sotay", suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("sotay")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached grants are keyed by user id, and ids repeat
    between tests on SQLite."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _second_factor_on_force_login(monkeypatch):
    """The suite's one way to log staff in: ``client.force_login(user)`` logs in *and* proves the
    second factor when the gate would ask for it (a confirmed test authenticator is made for the
    user and put in the session, as ``django_otp.login`` does), so tests of admin views reach
    them as a verified staff session would. The gate itself stays on (``members.twofactor``): a
    test that needs the password step only, an unverified session, says
    ``client.force_login(user, otp=False)``.
    """
    from django.test import Client

    plain = Client.force_login

    def force_login(self, user, backend=None, otp=None):
        plain(self, user, backend=backend)
        if otp is None:  # as a real login would: only those the gate asks prove it
            from sotay_plugins.members.twofactor import needs_two_factor

            otp = needs_two_factor(user)
        if otp:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def tree(db):
    from tests.factories import small_tree

    return small_tree()


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _wagtail_site(request):
    """Tests with database access find the site the migrations made (a transactional test
    before them may have flushed it: see tests.factories.ensure_site)."""
    names = set(request.fixturenames)
    if not names & {
        "db",
        "transactional_db",
        "django_db_setup",
    } and not request.node.get_closest_marker("django_db"):
        return
    from django.apps import apps

    if not apps.is_installed("editorial"):
        return
    if "transactional_db" not in names and not request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    from tests.factories import ensure_site

    ensure_site()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, one for the whole run (Playwright's sync API runs one instance at a
    time): every real-browser test, in tests/e2e/ or a plugin's tests, uses this one."""
    from tests.e2e.helpers import CHROMIUM, CHROMIUM_FLAGS

    # Playwright's sync API keeps an asyncio loop running in this thread; the tests' own ORM calls
    # are plain synchronous code, so Django's async guard is lifted for them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed (/usr/bin/chromium): apt-get install -y chromium"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(
            "Playwright's Python package is not installed: pip install -r requirements-dev.txt"
        )
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        launched.close()
