"""Fixtures shared by the feedback tests: a small tree with receiving units, handlers,
custodians and members."""

import pytest

from sotay_plugins.feedback import services
from sotay_plugins.feedback.models import KeywordList, Receiver, Topic
from tests.factories import MemberFactory, UserFactory, grant


@pytest.fixture(autouse=True)
def _private_media(tmp_path, monkeypatch):
    """Attachments land in a temporary private folder."""
    from django.core.files.storage import FileSystemStorage

    from sotay_plugins.feedback.models import Attachment

    field = Attachment._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=str(tmp_path / "private")))


@pytest.fixture
def world(tree):
    d1 = Receiver.objects.create(org=tree["d1"], name="Ban Thường vụ Huyện 1", due_days=10)
    d2 = Receiver.objects.create(org=tree["d2"], name="Ban Thường vụ Huyện 2")
    province = Receiver.objects.create(org=tree["province"], name="Ban Thường vụ Tỉnh")
    topic = Topic.objects.create(org=tree["province"], name="Xây dựng Đảng")
    other_topic = Topic.objects.create(org=tree["d2"], name="Chỉ Huyện 2")
    KeywordList.objects.create(org=tree["province"], name="Nhạy cảm", terms="tham nhũng\nhối lộ")
    author = MemberFactory(cell=tree["c11"], full_name="Nguyễn Văn Gửi")
    for _ in range(5):
        MemberFactory(cell=tree["c11"])
    handler = UserFactory(username="xuly.d1")
    grant(handler, "feedback_handler", tree["d1"])
    handler2 = UserFactory(username="xuly2.d1")
    grant(handler2, "feedback_handler", tree["d1"])
    other_handler = UserFactory(username="xuly.d2")
    grant(other_handler, "feedback_handler", tree["d2"])
    province_handler = UserFactory(username="xuly.tinh")
    grant(province_handler, "feedback_handler", tree["province"])
    manager = UserFactory(username="sangloc.tinh")
    grant(manager, "feedback_screener", tree["province"])
    custodian = UserFactory(username="danhtinh.d1")
    services.appoint_custodian(manager, d1, custodian)
    other_custodian = UserFactory(username="danhtinh.d2")
    services.appoint_custodian(manager, d2, other_custodian)
    full_admin = UserFactory(username="vanphong.tinh")
    grant(full_admin, "full_admin", tree["province"])
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    return {
        **tree,
        "r_d1": d1,
        "r_d2": d2,
        "r_province": province,
        "topic": topic,
        "other_topic": other_topic,
        "author": author,
        "neighbour": MemberFactory(cell=tree["c12"]),
        "far": MemberFactory(cell=tree["c21"]),
        "handler": handler,
        "handler2": handler2,
        "other_handler": other_handler,
        "province_handler": province_handler,
        "manager": manager,
        "custodian": custodian,
        "other_custodian": other_custodian,
        "full_admin": full_admin,
        "superuser": superuser,
    }


@pytest.fixture
def hidden(world):
    return services.send(
        world["author"],
        receiver=world["r_d1"].pk,
        text="Phản ánh việc sửa đường chậm.",
        hide_identity=True,
        topic=world["topic"].pk,
    )
