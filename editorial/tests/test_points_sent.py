"""Reading a document earns points: opening a document page sends ``points_earned`` with the
rule editorial registers (once per open, after commit; the ledger, another plugin's, keeps one
line per member and document). News and downloads earn nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from editorial import reading
from sotay_plugins.registry import registry
from sotay_plugins.signals import points_earned
from tests.factories import MemberFactory
from tests.factories import document_page as document
from tests.factories import news_page as news

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    got = []

    def listen(sender, **kwargs):
        kwargs.pop("signal", None)
        got.append(kwargs)

    points_earned.connect(listen, dispatch_uid="editorial.tests.points")
    yield got
    points_earned.disconnect(dispatch_uid="editorial.tests.points")


def test_the_rule_is_registered_with_titles():
    rule = registry.point_rules[reading.READ_RULE]
    assert rule.points > 0 and rule.cap_per_day and rule.titles is not None


def test_opening_a_document_sends_the_event(tree, client, sent, django_capture_on_commit_callbacks):
    member = MemberFactory(cell=tree["c11"])
    page = document(tree["province"], title="Nghị quyết của Tỉnh", number="01-NQ/TU")
    client.force_login(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(page.url).status_code == 200
    assert len(sent) == 1
    event = sent[0]
    assert (event["rule"], event["member_id"], event["source"]) == (
        "editorial.read",
        member.pk,
        f"editorial.documentpage:{page.pk}",
    )
    assert reading.document_titles([page.pk]) == {page.pk: "Nghị quyết của Tỉnh"}
    since = timezone.now() - timedelta(days=1)
    assert [(m, s) for m, s, _at in reading.read_history(since)] == [
        (member.pk, f"editorial.documentpage:{page.pk}")
    ]


def test_news_and_staff_send_nothing(tree, client, sent, django_capture_on_commit_callbacks):
    member = MemberFactory(cell=tree["c11"])
    item = news(tree["province"], title="Tin tỉnh")
    client.force_login(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(item.url).status_code == 200
    assert sent == []
