"""Web Push (VAPID, RFC 8291 encryption) through ``pywebpush``.

A push job takes the due rows it was given (a lease: ``push_at`` moves on by
``PUSH_LEASE``, so a second run of the same job or the tick finds nothing to take), sends each
to every device of its member, then:

- 201/202 from the push service: the row is pushed (``pushed_at``);
- 404/410: the device is gone, its subscription deleted (the row is done for that device);
- a timeout, a refused connection or a 5xx/429: the row stays due again after a back-off
  (``push_at``), up to ``MAX_ATTEMPTS``; the other rows and devices are not held up.

A row pushed again after a timeout may reach a device that had it already: the service worker
shows notifications under the notice's tag, so the second replaces the first.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins import jobs

from .models import Notice, PushSubscription

log = logging.getLogger(__name__)

PUSH_LEASE = timedelta(minutes=5)
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
MAX_ATTEMPTS = len(BACKOFF) + 1
PUSH_JOB = "sotay_plugins.notices.push.push_batch"


# --- keys -------------------------------------------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    text = (text or "").strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_vapid_keys():
    """``(private, public)``: a new P-256 key pair as base64url (raw scalar, uncompressed
    point), the shapes ``SOTAY_VAPID_PRIVATE_KEY`` and the browser's applicationServerKey take."""
    from cryptography.hazmat.primitives import serialization

    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(private), b64url(public)


def public_key():
    return getattr(settings, "SOTAY_VAPID_PUBLIC_KEY", "") or ""


def configured():
    return bool(public_key() and getattr(settings, "SOTAY_VAPID_PRIVATE_KEY", ""))


@lru_cache(maxsize=4)
def _vapid(private):
    from py_vapid import Vapid

    return Vapid.from_string(private_key=private)


# --- subscriptions ----------------------------------------------------------------------------


def _private_host(host):
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host in ("localhost",) or host.endswith(".localhost") or "." not in host
    return not address.is_global


def clean_subscription(endpoint, p256dh, auth):
    """The subscription a browser sent, checked: an https endpoint on a public host (no request
    to the private network is ever made on a member's say), a P-256 public key and a 16-byte
    secret. Raises a Vietnamese ValidationError per field."""
    errors = {}
    endpoint = (endpoint or "").strip()
    parts = urlsplit(endpoint)
    allow_local = getattr(settings, "SOTAY_PUSH_ALLOW_LOCAL_ENDPOINTS", False)
    if len(endpoint) > 1000 or not parts.hostname:
        errors["endpoint"] = _("Địa chỉ nhận thông báo của thiết bị không hợp lệ.")
    elif not allow_local and (parts.scheme != "https" or _private_host(parts.hostname)):
        errors["endpoint"] = _("Địa chỉ nhận thông báo phải là https của một dịch vụ đẩy tin.")
    elif allow_local and parts.scheme not in ("https", "http"):
        errors["endpoint"] = _("Địa chỉ nhận thông báo của thiết bị không hợp lệ.")
    try:
        point = b64url_decode(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65:
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        errors["p256dh"] = _("Khóa mã hóa của thiết bị không hợp lệ.")
    try:
        if len(b64url_decode(auth)) != 16:
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        errors["auth"] = _("Mã xác thực của thiết bị không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    return endpoint, p256dh.strip(), auth.strip()


def subscribe(member, *, endpoint, p256dh, auth, user_agent=""):
    """Save one device of ``member`` (the same endpoint again: updated, moved to this member)."""
    endpoint, p256dh, auth = clean_subscription(endpoint, p256dh, auth)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "member": member,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": (user_agent or "")[:255],
        },
    )
    return subscription


# --- sending ----------------------------------------------------------------------------------


class Outcome:
    SENT, GONE, RETRY, FAILED = "sent", "gone", "retry", "failed"


def send_one(subscription, payload: dict):
    """Push ``payload`` to one device. Returns an Outcome; never raises for the service's
    answer."""
    from pywebpush import WebPushException, webpush

    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    claims = {"sub": getattr(settings, "SOTAY_VAPID_SUBJECT", "mailto:admin@localhost")}
    try:
        webpush(
            info,
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=_vapid(settings.SOTAY_VAPID_PRIVATE_KEY),
            vapid_claims=claims,
            timeout=float(getattr(settings, "SOTAY_PUSH_TIMEOUT", 10)),
            ttl=int(getattr(settings, "SOTAY_PUSH_TTL", 24 * 3600)),
            headers={"Urgency": "normal"},
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            return Outcome.GONE
        if status is not None and 400 <= status < 500 and status not in (408, 429):
            # Refused for good (a payload too large, keys the service rejects): not retried.
            log.warning("push refused (%s) for subscription %s", status, subscription.pk)
            return Outcome.FAILED
        return Outcome.RETRY
    except (requests.RequestException, OSError):
        return Outcome.RETRY
    return Outcome.SENT


def payload_of(notice):
    return {"title": notice.title, "body": notice.body[:300], "url": notice.url, "tag": notice.pk}


def _take(rows, now):
    """Lease due rows for this run (``push_at`` moves on); the ids this run may send."""
    with transaction.atomic():
        locked = rows.filter(push_at__lte=now, pushed_at__isnull=True)
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            locked = locked.select_for_update(skip_locked=True)
        ids = list(locked.values_list("pk", flat=True))
        Notice.objects.filter(pk__in=ids).update(push_at=now + PUSH_LEASE)
    return ids


def push_rows(rows, now=None):
    """Send the due rows of ``rows`` (a Notice queryset). Returns counts per outcome."""
    now = now or timezone.now()
    ids = _take(rows, now)
    counts = {"sent": 0, "gone": 0, "retry": 0, "none": 0, "failed": 0}
    if not ids or not configured():
        if ids:
            # No VAPID keys: nothing can be pushed; the rows are left as not wanted.
            Notice.objects.filter(pk__in=ids).update(push_at=None)
        return counts
    notices = list(Notice.objects.filter(pk__in=ids))
    devices = {}
    for sub in PushSubscription.objects.filter(member_id__in={n.member_id for n in notices}):
        devices.setdefault(sub.member_id, []).append(sub)
    gone = set()
    for notice in notices:
        subs = [s for s in devices.get(notice.member_id, []) if s.pk not in gone]
        outcomes = []
        for sub in subs:
            outcome = send_one(sub, payload_of(notice))
            outcomes.append(outcome)
            if outcome == Outcome.GONE:
                gone.add(sub.pk)
            elif outcome == Outcome.SENT:
                sub.last_push_at = timezone.now()
        attempts = notice.push_attempts + 1
        if Outcome.RETRY in outcomes and attempts < MAX_ATTEMPTS:
            Notice.objects.filter(pk=notice.pk).update(
                push_at=timezone.now() + BACKOFF[attempts - 1], push_attempts=attempts
            )
            counts["retry"] += 1
        elif Outcome.SENT in outcomes:
            Notice.objects.filter(pk=notice.pk).update(
                pushed_at=timezone.now(), push_attempts=attempts
            )
            counts["sent"] += 1
        else:  # every device gone or refusing (or none left), or too many attempts: done
            Notice.objects.filter(pk=notice.pk).update(push_at=None, push_attempts=attempts)
            if Outcome.FAILED in outcomes or Outcome.RETRY in outcomes:
                counts["failed"] += 1
            else:
                counts["gone" if outcomes else "none"] += 1
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    sent_subs = [
        s for subs in devices.values() for s in subs if s.last_push_at and s.pk not in gone
    ]
    if sent_subs:
        PushSubscription.objects.bulk_update(sent_subs, ["last_push_at"])
    return counts


def push_batch(job=None, *, notice_key, member_ids):
    """The outbox job: push one notice (``dedupe_key``) to ``member_ids``' devices."""
    return push_rows(Notice.objects.filter(dedupe_key=notice_key, member_id__in=member_ids))


def push_ids(job=None, *, notice_ids):
    """The outbox job the tick queues: push these rows (held by quiet hours or a timeout)."""
    return push_rows(Notice.objects.filter(pk__in=notice_ids))


def requeue_due(now=None):
    """Queue the rows whose push has come due (after quiet hours, a back-off or a lost lease).
    Returns how many rows."""
    now = now or timezone.now()
    ids = list(
        Notice.objects.filter(push_at__lte=now, pushed_at__isnull=True)
        .order_by("push_at")
        .values_list("pk", flat=True)[:5000]
    )
    with transaction.atomic():
        for start in range(0, len(ids), 500):
            jobs.enqueue("sotay_plugins.notices.push.push_ids", notice_ids=ids[start : start + 500])
    return len(ids)
