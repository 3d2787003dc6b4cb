"""The demo's notices (``seed_demo``): every province committee's notice to its whole
province, sent through the real fan-out, and a few more to a sample of members; about half of
them read. Idempotent: a second run adds nothing (the dedupe keys)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models.functions import Mod
from django.utils import timezone

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.models import Organisation

from .. import services
from ..models import ANNOUNCEMENT_KIND, Announcement, Notice, NoticeRequest

TEXTS = [
    (
        "Thông báo: học tập, quán triệt Nghị quyết Đại hội",
        "Các chi bộ tổ chức cho đảng viên học tập chuyên đề năm nay trước ngày 30.",
    ),
    (
        "Nhắc đóng đảng phí quý này",
        "Đề nghị đảng viên hoàn thành đảng phí trước kỳ sinh hoạt thường kỳ.",
    ),
    (
        "Lấy ý kiến góp ý dự thảo văn kiện",
        "Đảng viên góp ý trên Sổ tay trong mục Góp ý trước cuối tháng.",
    ),
]
SAMPLE = {"tiny": 1.0, "small": 0.5, "province": 0.05}


def _deliver(kind, ids, title, body, key, when):
    req = NoticeRequest.objects.create(
        kind=kind,
        title=title,
        body=body,
        dedupe_key=key,
        member_ids=ids,
        send_at=when,
        state=NoticeRequest.State.QUEUED,
    )
    return services.fan_out(request_id=req.pk)["written"]


def seed_demo(*, scale, seed, stdout=None):
    rng = random.Random(f"notices:{seed}")
    now = timezone.now()
    written = 0
    for province in Organisation.objects.filter(parent__isnull=True, is_active=True):
        title, body = TEXTS[0]
        announcement = Announcement.objects.filter(
            issuer_org=province, title=title, created_by__isnull=True
        ).first()
        if announcement is None:
            with transaction.atomic():
                announcement = Announcement.objects.create(
                    issuer_org=province,
                    audience_org=province,
                    title=title,
                    body=body,
                    state=Announcement.State.SENT,
                    sent_at=now - timedelta(days=2),
                )
                ids = list(services.recipients(announcement))
                written += _deliver(
                    ANNOUNCEMENT_KIND,
                    ids,
                    title,
                    body,
                    announcement.dedupe_key,
                    announcement.sent_at,
                )
                Announcement.objects.filter(pk=announcement.pk).update(recipients=len(ids))
        members = list(
            Member.objects.filter(cell__tree_id=province.tree_id).values_list("pk", flat=True)
        )
        sample = [pk for pk in members if rng.random() < SAMPLE.get(scale, 0.05)]
        for n, (title, body) in enumerate(TEXTS[1:], start=1):
            written += _deliver(
                ANNOUNCEMENT_KIND,
                sample,
                title,
                body,
                f"notices.demo:{province.pk}:{n}",
                now - timedelta(hours=n * 5),
            )
        # About half of what is older than a day has been read.
        Notice.objects.annotate(parity=Mod("member_id", 2)).filter(
            member__cell__tree_id=province.tree_id,
            read_at__isnull=True,
            created_at__lt=now - timedelta(days=1),
            parity=0,
        ).update(read_at=now - timedelta(hours=12))
    if stdout is not None:
        stdout.write(f"Thông báo: {written} thông báo trong hộp thư của đảng viên.")
    return written
