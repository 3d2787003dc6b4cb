"""Helpers shared by the editorial tests (plain functions; fixtures live in conftest.py)."""

import itertools
from contextlib import contextmanager
from datetime import date

from editorial.models import DocumentPage, NewsPage
from editorial.sections import section_for
from sotay_plugins import signals
from tests.factories import MemberFactory
from tests.factories import ensure_site as ensure_home

_slugs = itertools.count(1)


def make_page(
    issuer, audience=None, *, document=False, positions=(), groups=(), title=None, **fields
):
    """A draft NewsPage (or DocumentPage) in the issuer's section: not live, no revision yet."""
    ensure_home()
    n = next(_slugs)
    common = {
        "title": title or f"Bài {n}",
        "slug": f"bai-{n}",
        "live": False,
        "issuer_org": issuer,
        "audience_org": audience or issuer,
        "audience_positions": set(positions),
        "audience_groups": set(groups),
    }
    if document:
        page = DocumentPage(
            number=f"{n}-NQ/TU",
            kind="nghi_quyet",
            issued_on=date(2025, 3, 1),
            summary="Về công tác xây dựng Đảng",
            **common,
            **fields,
        )
    else:
        page = NewsPage(lead="Tóm tắt bài viết", **common, **fields)
    section_for(issuer).add_child(instance=page)
    return page


@contextmanager
def notices():
    """Collect what is sent through notice_requested."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    signals.notice_requested.connect(receiver, dispatch_uid="test-editorial-notices")
    try:
        yield sent
    finally:
        signals.notice_requested.disconnect(dispatch_uid="test-editorial-notices")


def notified_ids(sent):
    return sorted(i for call in sent for i in call["member_ids"])


def member(cell, **kwargs):
    return MemberFactory(cell=cell, **kwargs)
