import pytest


@pytest.fixture
def tree(db):
    from tests.factories import small_tree

    return small_tree()


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()
