from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from sotay_plugins.members import services
from sotay_plugins.members.cccd import make_cccd
from sotay_plugins.members.models import Member, MemberTransfer
from sotay_plugins.orgtree.models import RoleAssignment
from tests.factories import MemberFactory

User = get_user_model()


def fields(cell, **extra):
    birth = extra.pop("birth_date", date(1968, 4, 12))
    return {
        "full_name": "Trần Thị Hoa",
        "birth_date": birth,
        "gender": "female",
        "cell": cell,
        "cccd": make_cccd("034", birth, "female", 4242),
        "joined_on": date(1995, 5, 19),
        "official_on": date(1996, 5, 19),
        **extra,
    }


def test_create_member_makes_an_inactive_account_and_a_record_number(tree):
    member = services.create_member(**fields(tree["c11"]))
    assert member.user.username == member.cccd
    assert not member.user.is_active and not member.user.has_usable_password()
    b1, d1 = tree["b1"], tree["d1"]
    assert member.party_record_no == f"{d1.local_code}.{b1.local_code}.000001"
    second = services.create_member(
        **fields(tree["c12"], cccd=make_cccd("034", date(1968, 4, 12), "female", 4243))
    )
    assert second.party_record_no.endswith(".000002")


@pytest.mark.parametrize(
    ("bad", "field", "fragment"),
    [
        ({"cccd": "12345"}, "cccd", "12 chữ số"),
        ({"cccd": "034070004242"}, "cccd", "Chữ số thứ 4"),  # male/1900s digit for a woman
        (
            {
                "birth_date": date(2090, 1, 1),
                "cccd": make_cccd("034", date(2090, 1, 1), "female", 1),
            },
            "birth_date",
            "tương lai",
        ),
    ],
)
def test_bad_member_data_is_refused_and_nothing_is_written(tree, bad, field, fragment):
    with pytest.raises(ValidationError) as exc:
        services.create_member(**fields(tree["c11"], **bad))
    assert fragment in " ".join(exc.value.message_dict[field])
    assert Member.objects.count() == 0 and User.objects.count() == 0


def test_member_on_a_non_cell_unit_is_refused(tree):
    with pytest.raises(ValidationError) as exc:
        services.create_member(**fields(tree["b1"]))
    assert "phải sinh hoạt tại một chi bộ" in exc.value.message_dict["cell"][0]
    assert Member.objects.count() == 0


def test_duplicate_cccd_is_refused(tree):
    services.create_member(**fields(tree["c11"]))
    with pytest.raises(ValidationError) as exc:
        services.create_member(**fields(tree["c21"], full_name="Người khác"))
    assert "đã thuộc về một đảng viên khác" in exc.value.message_dict["cccd"][0]
    assert Member.objects.count() == 1


def test_transfer_reissues_the_record_number_and_keeps_history(tree):
    member = MemberFactory(cell=tree["c11"])
    old = member.party_record_no
    moved = services.transfer_member(member, tree["c21"])
    assert moved.cell_id == tree["c21"].pk
    assert moved.party_record_no.startswith(f"{tree['d2'].local_code}.{tree['b2'].local_code}.")
    transfer = MemberTransfer.objects.get(member=member)
    assert (transfer.from_cell_id, transfer.to_cell_id, transfer.old_record_no) == (
        tree["c11"].pk,
        tree["c21"].pk,
        old,
    )


def test_transfer_to_a_non_cell_changes_nothing(tree):
    member = MemberFactory(cell=tree["c11"])
    with pytest.raises(ValidationError):
        services.transfer_member(member, tree["b2"])
    member.refresh_from_db()
    assert member.cell_id == tree["c11"].pk and not MemberTransfer.objects.exists()


def test_secretary_position_grants_the_cell_secretary_role_and_follows_changes(tree):
    member = MemberFactory(cell=tree["c11"])
    services.update_member(member, {"positions": frozenset({"bi_thu_chi_bo"})})
    assert RoleAssignment.objects.filter(
        user=member.user, role__code="cell_secretary", org=tree["c11"]
    ).exists()
    services.transfer_member(member, tree["c12"])
    assert list(
        RoleAssignment.objects.filter(user=member.user).values_list("org_id", flat=True)
    ) == [tree["c12"].pk]
    services.update_member(member, {"positions": frozenset({"dang_vien"})})
    assert not RoleAssignment.objects.filter(user=member.user).exists()


def test_update_logs_field_names_not_values(tree):
    from wagtail.models import ModelLogEntry

    member = MemberFactory(cell=tree["c11"])
    services.update_member(member, {"phone": "0912345678", "home_town": "Vũ Thư"})
    entry = ModelLogEntry.objects.get(action="wagtail.edit")
    assert sorted(entry.data["fields"]) == ["home_town", "phone"]
    assert "0912345678" not in str(entry.data)
