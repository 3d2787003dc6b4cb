"""Hidden means hidden: the escrow, the custodian, reveals, and every path that must not read
the author (API, admin incl. a superuser's generic views, exports, search, logs, job queue)."""

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from sotay_plugins.feedback import escrow, services
from sotay_plugins.feedback.models import (
    Custodianship,
    Entry,
    Feedback,
    IdentityEscrow,
    RevealAccess,
    RevealDecision,
    RevealRequest,
)
from sotay_plugins.models import OutboxJob
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "Cần xác minh trực tiếp với người gửi về địa điểm cụ thể được phản ánh."


def secrets_of(member):
    return [member.full_name, member.cccd, member.user.username]


def test_hidden_feedback_keeps_no_author_and_only_its_day(world, hidden):
    row = Feedback.objects.values().get(pk=hidden.pk)
    assert row["author_id"] is None and row["created_at"] is None
    assert row["hide_identity"] is True
    sealed = IdentityEscrow.objects.get(feedback=hidden)
    assert sealed.sealed.startswith("gAAAAA")  # a Fernet token (encrypted), not the id
    assert world["author"].full_name not in sealed.sealed
    assert sealed.author_tag == escrow.author_tag(world["author"].pk)
    assert escrow.unseal(hidden) == world["author"].pk
    # the id is random: it says nothing of the order or time of sending
    assert hidden.pk.version == 4


def test_the_database_refuses_an_author_on_hidden_feedback(world, hidden):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=hidden.pk).update(author=world["author"])
    with pytest.raises(IntegrityError), transaction.atomic():
        from django.utils import timezone

        Feedback.objects.filter(pk=hidden.pk).update(created_at=timezone.now())


def test_a_second_custodian_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.appoint_custodian(world["manager"], world["r_d1"], UserFactory())
    assert "một người" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Custodianship.objects.create(receiver=world["r_d1"], user=UserFactory())
    assert Custodianship.objects.filter(receiver=world["r_d1"]).count() == 1


def test_reveal_needs_a_written_request_and_the_units_custodian(world, hidden):
    # a handler of another unit cannot even ask
    with pytest.raises(PermissionDenied):
        services.request_reveal(world["other_handler"], hidden, REASON)
    # a reason of a few words is not a written request
    with pytest.raises(ValidationError):
        services.request_reveal(world["handler"], hidden, "xem")
    request = services.request_reveal(world["handler"], hidden, REASON)
    # nobody sees the identity before a decision: not the requester, not the custodian
    for user in (world["handler"], world["custodian"], world["superuser"], world["full_admin"]):
        with pytest.raises(PermissionDenied):
            services.revealed_identity(user, request)
    # the custodian of another unit decides nothing here; neither does a full admin
    for user in (world["other_custodian"], world["full_admin"], world["superuser"]):
        with pytest.raises(PermissionDenied):
            services.decide(user, request, approve=True)
    assert not RevealDecision.objects.exists()
    services.decide(world["custodian"], request, approve=True)
    with pytest.raises(ValidationError):  # once
        services.decide(world["custodian"], request, approve=False)
    request = RevealRequest.objects.get(pk=request.pk)
    assert services.revealed_identity(world["custodian"], request) == world["author"]
    # not shared with the requester: they still cannot see it
    with pytest.raises(PermissionDenied):
        services.revealed_identity(world["handler"], request)
    for user in (world["handler2"], world["full_admin"], world["superuser"]):
        with pytest.raises(PermissionDenied):
            services.revealed_identity(user, request)
    assert RevealAccess.objects.filter(request=request).count() == 1
    # the author is told on their thread
    assert Entry.objects.filter(feedback=hidden, kind=Entry.Kind.REVEALED, to_author=True).exists()


def test_a_reveal_shared_with_the_requester(world, hidden):
    request = services.request_reveal(world["handler"], hidden, REASON)
    services.decide(world["custodian"], request, approve=True, share_with_requester=True)
    request = RevealRequest.objects.get(pk=request.pk)
    assert services.revealed_identity(world["handler"], request) == world["author"]
    with pytest.raises(PermissionDenied):
        services.revealed_identity(world["handler2"], request)


def test_the_author_is_told_of_a_reveal_through_notices(
    world, hidden, django_capture_on_commit_callbacks
):
    from sotay_plugins import signals

    seen = []

    def listener(**kwargs):
        seen.append(kwargs)

    signals.notice_requested.connect(listener)
    try:
        request = services.request_reveal(world["handler"], hidden, REASON)
        with django_capture_on_commit_callbacks(execute=True):
            services.decide(world["custodian"], request, approve=True)
    finally:
        signals.notice_requested.disconnect(listener)
    notice = next(n for n in seen if n["kind"] == services.REVEAL_KIND)
    assert notice["member_ids"] == [world["author"].pk]
    # the notice names no feedback and carries no time finer than the day
    assert str(hidden.pk) not in notice["url"] + notice["body"] + notice["title"]
    assert (notice["send_at"].hour, notice["send_at"].minute) == (7, 0)


def test_the_reveal_log_is_append_only(world, hidden):
    request = services.request_reveal(world["handler"], hidden, REASON)
    decision = services.decide(world["custodian"], request, approve=False)
    for row in (request, decision):
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError

        # below the ORM (which refuses too), the trigger
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE feedback_revealrequest SET reason = %s WHERE id = %s", ["đổi", request.pk]
            )
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM feedback_revealdecision WHERE request_id = %s", [decision.request_id]
            )
    assert RevealRequest.objects.get(pk=request.pk).reason == REASON


def test_forwarding_moves_the_escrow_never_copies_it(world, hidden):
    services.forward(world["handler"], hidden, world["r_d2"], "Đúng thẩm quyền huyện 2")
    assert IdentityEscrow.objects.count() == 1
    assert IdentityEscrow.objects.get().feedback_id == hidden.pk
    hidden.refresh_from_db()
    assert hidden.receiver == world["r_d2"]
    # the old unit's handler lost it; the new unit's custodian now decides
    assert not services.handler_queryset(world["handler"]).filter(pk=hidden.pk).exists()
    assert services.handler_queryset(world["other_handler"]).filter(pk=hidden.pk).exists()
    request = services.request_reveal(world["other_handler"], hidden, REASON)
    with pytest.raises(PermissionDenied):
        services.decide(world["custodian"], request, approve=True)
    services.decide(world["other_custodian"], request, approve=True)


def test_no_author_in_logs_or_the_job_queue(world, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.send(
            world["author"],
            receiver=world["r_d1"].pk,
            text="Có dấu hiệu tham nhũng",
            hide_identity=True,
        )
        services.clear_review(world["manager"], feedback)
        services.assign(world["handler"], feedback)
        services.reply(world["handler"], feedback, "Đã nhận")
        services.author_reply(world["author"], feedback, "Cảm ơn")
        services.close(world["handler"], feedback, "Đã xử lý")
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    jobs = " ".join(f"{j.kwargs} {j.created_by_id} {j.dedupe_key}" for j in OutboxJob.objects.all())
    # hidden feedback leaves no job row at all (its creation time would date the sending)
    assert str(feedback.pk) not in jobs
    assert not [
        r for r in caplog.records if feedback.public_ref in f"{r.getMessage()} {r.__dict__}"
    ]
    for secret in secrets_of(world["author"]):
        assert secret not in text
        assert secret not in jobs
    assert not OutboxJob.objects.filter(created_by=world["author"].user).exists()
    # the author's own entries name nobody and keep only their day
    entry = Entry.objects.get(feedback=feedback, kind=Entry.Kind.AUTHOR)
    assert entry.by_user_id is None and entry.at is None


def test_a_hidden_photo_file_is_dated_by_its_day_only(world):
    import os

    from django.utils import timezone

    from sotay_plugins.feedback.models import Attachment

    from .helpers import jpeg_with_gps

    feedback = services.send(
        world["author"],
        receiver=world["r_d1"].pk,
        text="Ảnh",
        hide_identity=True,
        files=[jpeg_with_gps()],
    )
    path = Attachment.objects.get(feedback=feedback).file.path
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert os.stat(path).st_mtime == midnight.timestamp()


def test_a_shown_feedback_notifies_its_handlers_through_the_job_queue(world):
    feedback = services.send(world["author"], receiver=world["r_d1"].pk, text="Hiện tên")
    assert OutboxJob.objects.filter(kwargs__feedback_id=str(feedback.pk)).exists()


def test_no_author_through_the_api(world, hidden, api):
    for user in (world["handler"], world["full_admin"], world["superuser"], world["custodian"]):
        api.force_authenticate(user)
        for url in (
            "/api/v1/feedback-inbox/",
            f"/api/v1/feedback-inbox/{hidden.pk}/",
            f"/api/v1/feedback-inbox/{hidden.pk}/entries/",
            "/api/v1/reports/feedback/",
            "/api/v1/feedback/",
            "/api/v1/search/?q=sua+duong",
        ):
            body = api.get(url).content.decode()
            for secret in secrets_of(world["author"]):
                assert secret not in body, (user.username, url)
    api.force_authenticate(world["handler"])
    item = api.get(f"/api/v1/feedback-inbox/{hidden.pk}/").json()
    assert item["author_name"] is None and item["hide_identity"] is True
    assert "author" not in item


def test_no_admin_screen_reads_the_escrow(world, hidden, client):
    """Neither Wagtail (generic model views, snippets) nor the Django admin serves the escrow or
    the reveal log, even to a superuser."""
    from django.urls import get_resolver
    from wagtail.snippets.models import get_snippet_models

    assert IdentityEscrow not in get_snippet_models()
    from django.apps import apps

    if apps.is_installed("django.contrib.admin"):
        from django.contrib import admin

        assert IdentityEscrow not in admin.site._registry
    names = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + str(p.pattern))
            else:
                names.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns)
    assert not [n for n in names if "escrow" in n.lower() or "identityescrow" in n.lower()]
    client.force_login(world["superuser"])
    for url in (
        "/quan-tri/gop-y/",
        f"/quan-tri/gop-y/{hidden.pk}/",
        "/quan-tri/gop-y/danh-tinh/",
        "/quan-tri/gop-y/bao-cao/",
        "/quan-tri/gop-y-don-vi-nhan/",
        "/quan-tri/gop-y-don-vi-nhan/?export=csv",
        "/quan-tri/gop-y-don-vi-nhan/?export=xlsx",
        "/quan-tri/hoi-dap/?export=csv",
        "/quan-tri/snippets/",
        "/tim-kiem/?q=sua+duong",
    ):
        response = client.get(url)
        body = response.content.decode()
        for secret in secrets_of(world["author"]):
            assert secret not in body, url


def test_no_author_in_the_search_index(world, hidden):
    """What search holds of feedback: only published Q&A; no feedback kind, no author."""
    from sotay_plugins.registry import registry

    assert all(kind.model is not Feedback for kind in registry.searchable.values())
    assert all(kind.model is not IdentityEscrow for kind in registry.searchable.values())


def test_no_author_in_the_handlers_pages(world, hidden, client):
    client.force_login(world["handler"])
    body = client.get(f"/quan-tri/gop-y/{hidden.pk}/").content.decode()
    assert "Phản ánh việc sửa đường" in body
    for secret in secrets_of(world["author"]):
        assert secret not in body


def test_the_author_finds_their_hidden_feedback_and_nobody_else_does(world, hidden):
    assert list(services.my_feedback(world["author"])) == [hidden]
    assert not services.my_feedback(world["neighbour"]).exists()
    assert escrow.wrote(hidden, world["author"].pk)
    assert not escrow.wrote(hidden, world["neighbour"].pk)


def test_the_custodian_decides_and_reads_through_the_api(world, hidden, api):
    request = services.request_reveal(world["handler"], hidden, REASON)
    url = f"/api/v1/feedback-reveals/{request.pk}/"
    # nobody else reaches the request: another unit's custodian, a full admin, a handler of
    # the same unit who did not write it
    for user in ("other_custodian", "full_admin", "handler2", "other_handler"):
        api.force_authenticate(world[user])
        assert api.get(url).status_code == 404, user
        assert api.post(url + "decide/", {"approve": True}).status_code == 404, user
        assert api.get(url + "identity/").status_code == 404, user
    # the requester sees the request, not the identity, and cannot decide
    api.force_authenticate(world["handler"])
    assert api.get(url).json()["decision"] is None
    assert api.post(url + "decide/", {"approve": True}).status_code == 403
    assert api.get(url + "identity/").status_code == 404
    api.force_authenticate(world["custodian"])
    assert api.get(url + "identity/").status_code == 404  # before the decision
    body = api.post(url + "decide/", {"approve": True}).json()
    assert body["decision"] == "approved" and body["share_with_requester"] is False
    assert api.post(url + "decide/", {"approve": False}).status_code == 400  # once
    assert api.get(url + "identity/").json()["full_name"] == "Nguyễn Văn Gửi"
    api.force_authenticate(world["handler"])
    assert api.get(url + "identity/").status_code == 404  # not granted to the requester
    assert RevealAccess.objects.filter(request=request).count() == 1


def test_no_reveal_without_a_request(world, hidden, client, api):
    """The custodian holds no door to a name except a request: not the feedback's admin page
    (they are not a handler), not the API, and the service needs a decided request."""
    client.force_login(world["custodian"])
    assert client.get(f"/quan-tri/gop-y/{hidden.pk}/").status_code == 404
    api.force_authenticate(world["custodian"])
    assert api.get(f"/api/v1/feedback-inbox/{hidden.pk}/").status_code == 404
    assert api.get("/api/v1/feedback-reveals/").json()["results"] == []
    assert not RevealRequest.objects.exists()
    with pytest.raises(PermissionDenied):
        services.revealed_identity(world["custodian"], RevealRequest(feedback=hidden))


def test_no_thread_line_of_hidden_feedback_is_timed_finer_than_the_day(world):
    """A flagged hidden feedback gets its screening line at the very moment it is sent, and the
    handlers' own lines, timed to the second, would bracket the author's replies between them:
    every line of a hidden feedback's thread keeps only its day."""
    feedback = services.send(
        world["author"],
        receiver=world["r_d1"].pk,
        text="Có dấu hiệu tham nhũng ở xã",
        hide_identity=True,
    )
    services.clear_review(world["manager"], feedback)
    services.reply(world["handler"], feedback, "Đã nhận, đang xác minh.")
    services.author_reply(world["author"], feedback, "Xin bổ sung thêm địa điểm.")
    services.record_progress(world["handler"], feedback, "Đã liên hệ xã.")
    request = services.request_reveal(world["handler"], feedback, REASON)
    services.decide(world["custodian"], request, approve=True)
    services.close(world["handler"], feedback, "Đã xử lý xong.")
    kinds = set(Entry.objects.filter(feedback=feedback).values_list("kind", flat=True))
    assert {Entry.Kind.FLAGGED, Entry.Kind.AUTHOR, Entry.Kind.REPLY, Entry.Kind.REVEALED} <= kinds
    assert list(Entry.objects.filter(feedback=feedback, at__isnull=False)) == []
    # shown feedback keeps its times
    shown = services.send(world["author"], receiver=world["r_d1"].pk, text="Có tham nhũng")
    assert Entry.objects.get(feedback=shown, kind=Entry.Kind.FLAGGED).at is not None


def test_the_hidden_authors_notice_cannot_be_matched_to_the_escrow(
    world, hidden, django_capture_on_commit_callbacks
):
    """The notice to a hidden author is addressed to them (it must be), so nothing in it may
    match their escrow row: a notice key carrying the escrow's keyed tag would tie every hidden
    feedback of theirs to their name for anyone reading the notices, without the escrow key."""
    from sotay_plugins import signals

    seen = []

    def listener(**kwargs):
        seen.append(kwargs)

    signals.notice_requested.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.reply(world["handler"], hidden, "Đã nhận, đang xác minh.")
            services.close(world["handler"], hidden, "Đã xử lý xong.")
    finally:
        signals.notice_requested.disconnect(listener)
    notices = [n for n in seen if n["member_ids"] == [world["author"].pk]]
    assert len(notices) == 2
    sealed = IdentityEscrow.objects.get(feedback=hidden)
    for notice in notices:
        text = " ".join(str(notice[k]) for k in ("title", "body", "url", "dedupe_key"))
        for n in range(0, len(sealed.author_tag) - 8 + 1):
            assert sealed.author_tag[n : n + 8] not in text
        assert str(hidden.pk) not in text and hidden.public_ref not in text
    # still one notice a day for the author, whatever the number of updates
    assert len({n["dedupe_key"] for n in notices}) == 1


def test_the_reveal_log_refuses_the_orms_bulk_update_and_delete_on_every_database(world, hidden):
    """The model refuses ``save`` and ``delete`` of one row; a queryset's ``update`` and
    ``delete`` (and ``bulk_update``) go around them, and on SQLite (the embedded default) no
    trigger stands behind: they are refused by the queryset itself."""
    request = services.request_reveal(world["handler"], hidden, REASON)
    decision = services.decide(world["custodian"], request, approve=True)
    services.revealed_identity(world["custodian"], RevealRequest.objects.get(pk=request.pk))
    from django.utils import timezone

    for model in (RevealRequest, RevealDecision, RevealAccess):
        with pytest.raises(PermissionError), transaction.atomic():
            model.objects.all().update(at=timezone.now())
        with pytest.raises(PermissionError), transaction.atomic():
            model.objects.all().delete()
    request.reason = "đổi"
    with pytest.raises(PermissionError), transaction.atomic():
        RevealRequest.objects.bulk_update([request], ["reason"])
    assert RevealRequest.objects.get(pk=request.pk).reason == REASON
    assert RevealDecision.objects.filter(pk=decision.pk, approved=True).exists()
    assert RevealAccess.objects.filter(request=request).count() == 1


def test_a_forwarded_feedbacks_reveal_stays_with_the_unit_that_granted_it(world, hidden):
    """Once the feedback (and its escrow) has gone on to another unit, the old unit's custodian
    and the requester are a custodian and a handler of another unit: they see nothing more;
    and the new unit's custodian sees the name only on a request of their own unit's handler
    that they approved themselves, not through the old unit's approval."""
    request = services.request_reveal(world["handler"], hidden, REASON)
    services.decide(world["custodian"], request, approve=True, share_with_requester=True)
    request = RevealRequest.objects.get(pk=request.pk)
    assert services.revealed_identity(world["handler"], request) == world["author"]
    services.forward(world["handler"], hidden, world["r_d2"], "Đúng thẩm quyền huyện 2")
    request = RevealRequest.objects.get(pk=request.pk)
    for user in ("custodian", "handler", "other_custodian", "other_handler"):
        with pytest.raises(PermissionDenied):
            services.revealed_identity(world[user], request)
    fresh = services.request_reveal(world["other_handler"], hidden, REASON)
    services.decide(world["other_custodian"], fresh, approve=True)
    fresh = RevealRequest.objects.get(pk=fresh.pk)
    assert services.revealed_identity(world["other_custodian"], fresh) == world["author"]
    for user in ("custodian", "handler", "other_handler"):
        with pytest.raises(PermissionDenied):
            services.revealed_identity(world[user], fresh)


def test_a_request_written_before_a_forward_cannot_be_decided_by_the_new_unit(world, hidden):
    """A reveal needs a request of a handler of the unit that has the feedback: one written by
    the old unit's handler, still pending when the feedback moved on, is refused by the new
    unit's custodian (in Vietnamese), and nothing is recorded."""
    pending = services.request_reveal(world["handler"], hidden, REASON)
    services.forward(world["handler"], hidden, world["r_d2"], "Đúng thẩm quyền huyện 2")
    pending = RevealRequest.objects.get(pk=pending.pk)
    with pytest.raises(ValidationError) as refused:
        services.decide(world["other_custodian"], pending, approve=True)
    assert "đơn vị khác" in str(refused.value)
    assert not RevealDecision.objects.filter(request=pending).exists()
