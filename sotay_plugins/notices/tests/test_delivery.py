"""From a request to the inbox, the phone and the digest: dedupe, preferences, quiet hours,
Web Push against a local push service (201, 410, a timeout), digests run twice."""

import json
from datetime import time

import http_ece
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from django.core.exceptions import ValidationError

from sotay_plugins import signals
from sotay_plugins.models import OutboxJob
from sotay_plugins.notices import push, services
from sotay_plugins.notices.models import (
    REQUIRED_ANNOUNCEMENT_KIND,
    Mode,
    Notice,
    NoticeRequest,
    NoticeSettings,
    Preference,
    PushSubscription,
)

from .helpers import b64url, device_keys, run_jobs

KIND = "notices.announcement"


def ask(member_ids, key="k:1", kind=KIND, **extra):
    with run_jobs():
        _ask(member_ids, key, kind, **extra)


def tick():
    with run_jobs():
        return services.tick()


def _ask(member_ids, key, kind, **extra):
    signals.notice_requested.send(
        sender=None,
        kind=kind,
        member_ids=member_ids,
        title="Họp chi bộ",
        body="Tối thứ Sáu",
        url="/sinh-hoat/1/",
        dedupe_key=key,
        send_at=extra.get("send_at"),
    )


def device(member, service, name):
    key, p256dh, auth = device_keys()
    sub = PushSubscription.objects.create(
        member=member, endpoint=f"{service.base}/{name}", p256dh=p256dh, auth=auth
    )
    return sub, key, auth


@pytest.mark.django_db
def test_a_request_reaches_the_inbox_once_per_key(people, noon):
    a, b = people["a"], people["b"]
    ask([a.pk, b.pk])
    ask([a.pk, b.pk])  # the same key again: a retry, a chunk sent twice
    assert Notice.objects.filter(dedupe_key="k:1").count() == 2
    # The fan-out job itself run again changes nothing.
    req = NoticeRequest.objects.first()
    NoticeRequest.objects.filter(pk=req.pk).update(state="queued")
    with run_jobs():
        services.fan_out(request_id=req.pk)
    assert Notice.objects.filter(member=a).count() == 1
    assert NoticeRequest.objects.filter(state="done").count() == 2


@pytest.mark.django_db
def test_a_member_id_that_does_not_exist_loses_nothing_else(people, noon):
    ask([people["a"].pk, 999999])
    assert list(Notice.objects.values_list("member_id", flat=True)) == [people["a"].pk]


@pytest.mark.django_db
def test_a_scheduled_request_waits_for_the_tick(people):
    with time_machine.travel("2027-03-10 12:00 +0700", tick=False) as traveller:
        from django.utils import timezone

        ask([people["a"].pk], send_at=timezone.now() + timezone.timedelta(hours=1))
        assert not Notice.objects.exists()
        tick()
        assert not Notice.objects.exists()
        traveller.shift(3601)
        tick()
        assert Notice.objects.filter(member=people["a"]).count() == 1
        tick()
        assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_off_digest_and_required(people, noon):
    a, b = people["a"], people["b"]
    services.set_modes(a, {KIND: Mode.OFF})
    services.set_modes(b, {KIND: Mode.DIGEST})
    ask([a.pk, b.pk])
    assert not Notice.objects.filter(member=a).exists()
    assert Notice.objects.get(member=b).digest is True
    # A required kind cannot be turned off, and reaches everyone whatever they chose.
    with pytest.raises(ValidationError):
        services.set_modes(a, {REQUIRED_ANNOUNCEMENT_KIND: Mode.OFF})
    Preference.objects.create(member=a, kind=REQUIRED_ANNOUNCEMENT_KIND, mode=Mode.OFF)
    ask([a.pk, b.pk], key="k:2", kind=REQUIRED_ANNOUNCEMENT_KIND)
    assert Notice.objects.filter(dedupe_key="k:2").count() == 2
    # meetings.reminder is required by the site's setting.
    assert "meetings.reminder" in services.required_kinds()


@pytest.mark.django_db
def test_a_digest_run_twice_sends_once(people, noon):
    a, b = people["a"], people["b"]
    NoticeSettings.objects.create(member=b, email="b@example.org")
    for member in (a, b):
        services.set_modes(member, {KIND: Mode.DIGEST})
    ask([a.pk, b.pk], key="k:1")
    ask([a.pk, b.pk], key="k:2")
    with run_jobs():
        first = services.send_digests(day="2027-03-10")
    with run_jobs():
        second = services.send_digests(day="2027-03-10")
    assert first == {"digests": 2} and second == {"digests": 0}
    digests = Notice.objects.filter(kind="notices.digest")
    assert digests.count() == 2
    assert digests.get(member=a).title.startswith("2 ")
    assert not Notice.objects.filter(digest=True, digested_at__isnull=True).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["b@example.org"]
    # The next day's run, with nothing new, sends nothing.
    assert services.send_digests(day="2027-03-11") == {"digests": 0}


@pytest.mark.django_db
def test_email_only_where_asked(people, noon):
    NoticeSettings.objects.create(member=people["a"], email="a@example.org")
    ask([people["a"].pk, people["b"].pk])
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "Họp chi bộ" in mail.outbox[0].subject


def _decrypt(body, key, auth):
    return json.loads(
        http_ece.decrypt(
            body, private_key=key, auth_secret=push.b64url_decode(auth), version="aes128gcm"
        )
    )


@pytest.mark.django_db
def test_push_reaches_the_device_encrypted(people, noon, vapid, push_service):
    sub, key, auth = device(people["a"], push_service, "a1")
    ask([people["a"].pk])
    assert push_service.paths() == ["/a1"]
    _path, headers, body = push_service.requests[0]
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    assert b"H\xe1\xbb\x8dp" not in body  # encrypted: the title is not readable on the wire
    payload = _decrypt(body, key, auth)
    notice = Notice.objects.get()
    assert payload == {
        "title": "Họp chi bộ",
        "body": "Tối thứ Sáu",
        "url": "/sinh-hoat/1/",
        "tag": notice.pk,
    }
    assert notice.pushed_at is not None
    sub.refresh_from_db()
    assert sub.last_push_at is not None


@pytest.mark.django_db
def test_a_gone_device_is_removed_and_nothing_else_lost(people, noon, vapid, push_service):
    device(people["a"], push_service, "gone")
    kept, _key, _auth = device(people["a"], push_service, "kept")
    device(people["b"], push_service, "b")
    push_service.answers["/gone"] = 410
    ask([people["a"].pk, people["b"].pk])
    assert sorted(push_service.paths()) == ["/b", "/gone", "/kept"]
    assert list(PushSubscription.objects.filter(member=people["a"])) == [kept]
    assert Notice.objects.filter(pushed_at__isnull=False).count() == 2
    # The next notice goes only to the devices left.
    push_service.requests.clear()
    ask([people["a"].pk], key="k:2")
    assert push_service.paths() == ["/kept"]


@pytest.mark.django_db
def test_a_push_service_404_removes_the_device(people, noon, vapid, push_service):
    device(people["a"], push_service, "old")
    push_service.answers["/old"] = 404
    ask([people["a"].pk])
    assert not PushSubscription.objects.exists()
    notice = Notice.objects.get()
    assert notice.pushed_at is None and notice.push_at is None  # nothing left to push to


@pytest.mark.django_db
def test_a_timeout_is_retried_and_loses_nothing_else(people, noon, vapid, push_service):
    device(people["a"], push_service, "slow")
    device(people["b"], push_service, "fast")
    push_service.answers["/slow"] = "timeout"
    ask([people["a"].pk, people["b"].pk])
    slow = Notice.objects.get(member=people["a"])
    fast = Notice.objects.get(member=people["b"])
    assert fast.pushed_at is not None
    assert slow.pushed_at is None and slow.push_attempts == 1 and slow.push_at > fast.created_at
    assert PushSubscription.objects.count() == 2  # a slow device is not a gone one
    # Due again after the back-off: the tick queues it, and the service answers this time.
    push_service.answers["/slow"] = 201
    noon.shift(120)
    tick()
    slow.refresh_from_db()
    assert slow.pushed_at is not None and slow.push_attempts == 2
    assert push_service.paths().count("/fast") == 1


@pytest.mark.django_db
def test_a_push_job_run_twice_pushes_once(people, noon, vapid, push_service):
    device(people["a"], push_service, "a")
    ask([people["a"].pk])
    with run_jobs():
        push.push_batch(notice_key="k:1", member_ids=[people["a"].pk])
    tick()
    assert push_service.paths() == ["/a"]


@pytest.mark.django_db
def test_quiet_hours_hold_the_push_not_the_inbox(people, vapid, push_service):
    device(people["a"], push_service, "a")
    with time_machine.travel("2027-03-10 23:30 +0700", tick=True) as night:
        ask([people["a"].pk])
        notice = Notice.objects.get()
        assert push_service.requests == []
        assert notice.push_at.isoformat().startswith("2027-03-10T23:00")  # 06:00 +07:00
        tick()
        assert push_service.requests == []
        night.move_to("2027-03-11 06:01 +0700")
        tick()
        assert push_service.paths() == ["/a"]


@pytest.mark.django_db
def test_a_member_s_own_quiet_hours(people, vapid, push_service):
    device(people["a"], push_service, "a")
    NoticeSettings.objects.create(member=people["a"], quiet_start=time(12), quiet_end=time(13))
    with time_machine.travel("2027-03-10 12:30 +0700", tick=True):
        ask([people["a"].pk, people["b"].pk])
        assert push_service.requests == []
        assert Notice.objects.count() == 2


@pytest.mark.django_db
def test_no_vapid_keys_no_push_but_the_inbox(people, noon, push_service, settings):
    settings.SOTAY_PUSH_ALLOW_LOCAL_ENDPOINTS = True
    device(people["a"], push_service, "a")
    ask([people["a"].pk])
    assert push_service.requests == [] and Notice.objects.count() == 1


@pytest.mark.django_db
def test_fan_out_goes_through_the_outbox(people, noon):
    ask([people["a"].pk])
    assert OutboxJob.objects.filter(func=services.FAN_OUT, state="done").count() == 1


def test_bad_subscriptions_are_refused(settings):
    settings.SOTAY_PUSH_ALLOW_LOCAL_ENDPOINTS = False
    _key, p256dh, auth = device_keys()
    good = "https://fcm.googleapis.com/fcm/send/abc"
    push.clean_subscription(good, p256dh, auth)
    for endpoint in (
        "http://fcm.googleapis.com/x",
        "https://127.0.0.1/x",
        "https://10.0.0.8/x",
        "https://localhost/x",
        "javascript:alert(1)",
        "",
    ):
        with pytest.raises(ValidationError) as error:
            push.clean_subscription(endpoint, p256dh, auth)
        assert "endpoint" in error.value.message_dict
    not_a_point = b64url(b"\x04" + b"\x01" * 64)
    for bad in ("", "!!!", b64url(b"short"), not_a_point):
        with pytest.raises(ValidationError) as error:
            push.clean_subscription(good, bad, auth)
        assert "p256dh" in error.value.message_dict
    for bad in ("", b64url(b"x" * 15), "%%%"):
        with pytest.raises(ValidationError) as error:
            push.clean_subscription(good, p256dh, bad)
        assert "auth" in error.value.message_dict


def test_vapid_keys_are_a_p256_pair():
    private, public = push.generate_vapid_keys()
    point = push.b64url_decode(public)
    assert len(point) == 65 and len(push.b64url_decode(private)) == 32
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


@pytest.mark.django_db
def test_the_sql_fan_out_writes_what_the_orm_one_does(people, noon, settings, push_service):
    """PostgreSQL's one-statement fan-out and the ORM's (SQLite) give the same rows."""
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        pytest.skip("the one-statement fan-out is PostgreSQL's")
    settings.SOTAY_PUSH_ALLOW_LOCAL_ENDPOINTS = True
    a, b, secretary = people["a"], people["b"], people["secretary"]
    device(a, push_service, "a")
    device(secretary, push_service, "s")
    NoticeSettings.objects.create(member=secretary, email="s@example.org", quiet_start=time(11))
    NoticeSettings.objects.filter(member=secretary).update(quiet_end=time(13))
    services.set_modes(b, {KIND: Mode.DIGEST})
    services.set_modes(people["far"], {KIND: Mode.OFF})
    ids = [a.pk, b.pk, secretary.pk, people["far"].pk, 999999]
    now = timezone.now()
    plan = {
        "required": False,
        "default": Mode.IMMEDIATE,
        "site_push_at": services.after_quiet(now, services.quiet_hours()),
        "now": now,
    }
    results, rows = [], []
    for key, write in (("orm", services._write_chunk), ("sql", services._write_chunk_sql)):
        req = NoticeRequest(kind=KIND, title="t", dedupe_key=key, send_at=now, member_ids=ids)
        count, push_now, mail_now = write(req, ids, plan)
        results.append((count, sorted(push_now), sorted(mail_now)))
        rows.append(
            sorted(
                Notice.objects.filter(dedupe_key=key).values_list(
                    "member_id", "push_at", "digest", "email"
                )
            )
        )
    assert results[0] == results[1] == (3, [a.pk], [secretary.pk])
    assert rows[0] == rows[1]
