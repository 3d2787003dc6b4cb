"""Shared pieces of the points tests (imported by the test modules, never a test module)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import MemberFactory, UserFactory, grant, small_tree


def make_world():
    """The small tree (province → 2 districts → 1 base each → 2 cells each), members in cells
    c11, c12 and c21, a points manager of district 1, one of district 2, a viewer of the
    province and a secretary of c11."""
    t = small_tree()
    people = {
        "a": MemberFactory(cell=t["c11"], full_name="Nguyễn Văn An"),
        "b": MemberFactory(cell=t["c11"], full_name="Trần Thị Bình"),
        "c": MemberFactory(cell=t["c11"], full_name="Lê Văn Cường"),
        "n": MemberFactory(cell=t["c12"], full_name="Phạm Văn Nam"),
        "far": MemberFactory(cell=t["c21"], full_name="Hoàng Thị Xa"),
        "manager1": UserFactory(),
        "manager2": UserFactory(),
        "viewer": UserFactory(),
        "province_manager": UserFactory(),
    }
    grant(people["manager1"], "points_manager", t["d1"])
    grant(people["manager2"], "points_manager", t["d2"])
    grant(people["viewer"], "viewer", t["province"])
    grant(people["province_manager"], "points_manager", t["province"])
    return {"tree": t, **people}


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)
