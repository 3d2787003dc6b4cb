"""Fixtures of the export tests: a small tree with members, staff of several reaches, and
private storage in a temporary folder."""

from datetime import date

import pytest

from tests.factories import MemberFactory, UserFactory, grant


@pytest.fixture(autouse=True)
def _private_exports(tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from sotay_plugins.reports.exports.models import Export

    field = Export._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=str(tmp_path / "private")))


@pytest.fixture
def world(tree):
    members = {
        "c11": [
            MemberFactory(
                cell=tree["c11"],
                full_name="Trần Thị Bích",
                gender="female",
                birth_date=date(1980, 3, 4),
                positions={"bi_thu_chi_bo"},
            ),
            MemberFactory(cell=tree["c11"], full_name="Lê Văn Đức"),
        ],
        "c12": [MemberFactory(cell=tree["c12"], full_name="Phạm Văn Hùng")],
        "c21": [
            MemberFactory(
                cell=tree["c21"],
                full_name="Ngô Thị Lan",
                gender="female",
                birth_date=date(1990, 1, 1),
            )
        ],
        "c22": [MemberFactory(cell=tree["c22"], full_name="Đỗ Văn Minh")],
    }
    users = {
        "updater_d1": UserFactory(username="capnhat.d1", first_name="Cập", last_name="Nhật"),
        "viewer_d1": UserFactory(username="xem.d1"),
        "viewer_b1": UserFactory(username="xem.b1"),
        "viewer_d2": UserFactory(username="xem.d2"),
        "viewer_province": UserFactory(username="xem.tinh"),
    }
    grant(users["updater_d1"], "member_updater", tree["d1"])
    grant(users["viewer_d1"], "viewer", tree["d1"])
    grant(users["viewer_b1"], "viewer", tree["b1"])
    grant(users["viewer_d2"], "viewer", tree["d2"])
    grant(users["viewer_province"], "viewer", tree["province"])
    return {**tree, **users, "members": members}
