import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached grants are keyed by user id, and ids repeat
    between tests on SQLite."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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
