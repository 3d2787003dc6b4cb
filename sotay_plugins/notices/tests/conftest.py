"""Fixtures of the notices tests."""

import pytest
import time_machine

from sotay_plugins.notices.push import generate_vapid_keys
from tests.factories import MemberFactory, UserFactory, grant

from .helpers import PushService


@pytest.fixture
def people(tree):
    secretary = MemberFactory(cell=tree["c11"], positions=frozenset({"bi_thu_chi_bo"}))
    grant(secretary.user, "cell_secretary", tree["c11"])
    district = UserFactory()
    grant(district, "document_uploader", tree["d1"])
    return {
        "secretary": secretary,
        "district": district,
        "a": MemberFactory(cell=tree["c11"]),
        "b": MemberFactory(cell=tree["c11"], group="exempt"),
        "neighbour": MemberFactory(cell=tree["c12"]),
        "far": MemberFactory(cell=tree["c21"]),
    }


@pytest.fixture
def noon():
    """Midday in Hà Nội: outside the quiet hours."""
    with time_machine.travel("2027-03-10 12:00 +0700", tick=True) as traveller:
        yield traveller


@pytest.fixture
def vapid(settings):
    private, public = generate_vapid_keys()
    settings.SOTAY_VAPID_PRIVATE_KEY = private
    settings.SOTAY_VAPID_PUBLIC_KEY = public
    settings.SOTAY_PUSH_ALLOW_LOCAL_ENDPOINTS = True
    settings.SOTAY_PUSH_TIMEOUT = 0.5
    return public


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service
