"""What a member's phone keeps of their own record for offline use (issue 18): their check-in
card, the QR of the *printed card's* token (long-lived, revoked by a new card), not the app's
rotating one, which expires in 90 s and could not work offline (``registry.OfflineSource``,
registered in ``apps.py``). With no network, the QR page (/ma-qr/) shows it instead.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from sotay_plugins.orgtree import scope
from sotay_plugins.registry import OfflineItem

from . import services

CARD = "card"


def _member(user):
    """The member record of an account the scope engine counts as a member (else None)."""
    if scope.subject(user) is None:
        return None
    return services.current_member(user)


def items(user):
    member = _member(user)
    if member is None:
        return []
    return [
        OfflineItem(
            local_id=CARD,
            title=_("Mã QR điểm danh (thẻ giấy)"),
            url=reverse("members:my_printed_card"),
            kind="card",
            # A lost card is revoked by a new version: the phone fetches the new code.
            version=f"{member.pk}:{member.qr_version}",
            stands_for=(reverse("members:my_qr"),),
        )
    ]


def visible(user, local_ids):
    if CARD in {str(local) for local in local_ids} and _member(user) is not None:
        return {CARD}
    return set()
