"""Fixtures shared by the meetings tests."""

import pytest

from tests.factories import MemberFactory, UserFactory, grant


@pytest.fixture
def people(tree):
    secretary = MemberFactory(
        cell=tree["c11"], positions=frozenset({"bi_thu_chi_bo"}), full_name="Bí thư Một"
    )
    grant(secretary.user, "cell_secretary", tree["c11"])
    other_secretary = MemberFactory(cell=tree["c21"], positions=frozenset({"bi_thu_chi_bo"}))
    grant(other_secretary.user, "cell_secretary", tree["c21"])
    viewer = UserFactory()
    grant(viewer, "viewer", tree["d1"])
    return {
        "secretary": secretary,
        "a": MemberFactory(cell=tree["c11"], full_name="Đảng viên A"),
        "b": MemberFactory(cell=tree["c11"], full_name="Đảng viên B"),
        "exempt_status": MemberFactory(cell=tree["c11"], status="exempt"),
        "exempt_group": MemberFactory(cell=tree["c11"], group="exempt"),
        "gone": MemberFactory(cell=tree["c11"], status="transferred"),
        "neighbour": MemberFactory(cell=tree["c12"]),
        "far": MemberFactory(cell=tree["c21"]),
        "other_secretary": other_secretary,
        "viewer": viewer,
    }
