"""Sealing the author of hidden feedback: the only code that reads or writes ``IdentityEscrow``.

The escrow row holds the author's member id encrypted (Fernet, AES-128 + HMAC) with the escrow
key, and a keyed hash (``author_tag``) by which the author finds their own feedback. A reader of a
database dump without the key learns neither. The key is ``FEEDBACK_ESCROW_KEY`` (a Fernet key;
default: derived from ``SECRET_KEY``; keep it outside the database backups in production).

Nothing here logs, and nothing here is called with the author in a job's arguments.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _key_material():
    configured = getattr(settings, "FEEDBACK_ESCROW_KEY", "")
    if configured:
        return base64.urlsafe_b64decode(configured)
    return hashlib.sha256(("sotay-feedback-escrow:" + settings.SECRET_KEY).encode()).digest()


def _fernet():
    return Fernet(base64.urlsafe_b64encode(_key_material()))


def author_tag(member_id):
    """The keyed hash of a member id that finds their hidden feedback (never the id itself)."""
    key = hashlib.sha256(b"tag:" + _key_material()).digest()
    return hmac.new(key, str(int(member_id)).encode(), hashlib.sha256).hexdigest()


def seal(feedback, member_id):
    """Write the escrow of ``feedback`` (hidden) for its author."""
    from .models import IdentityEscrow

    token = _fernet().encrypt(str(int(member_id)).encode()).decode()
    return IdentityEscrow.objects.create(
        feedback=feedback, author_tag=author_tag(member_id), sealed=token
    )


def hidden_ids_of(member_id):
    """The ids of the hidden feedback the member wrote (for the member's own pages)."""
    from .models import IdentityEscrow

    return IdentityEscrow.objects.filter(author_tag=author_tag(member_id)).values("feedback_id")


def wrote(feedback, member_id):
    """Whether the member wrote ``feedback`` (shown or hidden)."""
    from .models import IdentityEscrow

    if not feedback.hide_identity:
        return feedback.author_id == member_id
    return IdentityEscrow.objects.filter(
        feedback_id=feedback.pk, author_tag=author_tag(member_id)
    ).exists()


def unseal(feedback):
    """The author's member id. Only ``services.revealed_identity`` calls it, after checking a
    granted reveal and logging the access."""
    from .models import IdentityEscrow

    row = IdentityEscrow.objects.filter(feedback_id=feedback.pk).first()
    if row is None:
        return None
    try:
        return int(_fernet().decrypt(row.sealed.encode()))
    except (InvalidToken, ValueError):
        return None
