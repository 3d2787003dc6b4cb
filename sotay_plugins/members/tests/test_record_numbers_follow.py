"""Party-record numbers follow the tree (issue 17): they embed the district and base codes, so
a unit's move re-issues those of its members, the old ones kept in the history."""

import pytest

from sotay_plugins.members.models import Member, RecordNumberChange
from sotay_plugins.members.services import record_prefix
from sotay_plugins.orgtree import services
from tests.factories import MemberFactory, small_tree

pytestmark = pytest.mark.django_db


def test_a_moved_cells_members_get_numbers_of_their_new_base(django_assert_max_num_queries):
    t = small_tree()
    movers = [MemberFactory(cell=t["c11"]) for _ in range(3)]
    stay = MemberFactory(cell=t["c12"])
    old = {m.pk: Member.objects.get(pk=m.pk).party_record_no for m in movers}
    with django_assert_max_num_queries(40):  # bulk: not a query set per member
        services.move_org(t["c11"], t["b2"])
    cell = t["c11"].__class__.objects.get(pk=t["c11"].pk)
    prefix = record_prefix(cell)
    for m in movers:
        now = Member.objects.get(pk=m.pk).party_record_no
        assert now.startswith(prefix) and now != old[m.pk]
        change = RecordNumberChange.objects.get(member=m)
        assert (change.old_record_no, change.new_record_no) == (old[m.pk], now)
        assert "chuyển về" in change.reason
    numbers = list(Member.objects.values_list("party_record_no", flat=True))
    assert len(numbers) == len(set(numbers))
    assert not RecordNumberChange.objects.filter(member=stay).exists()


def test_a_district_move_renumbers_through_its_new_codes():
    t = small_tree()
    province2 = t["province"].__class__.objects.create(
        name="Tỉnh B", code="P2X", kind="province", parent=None
    )
    m = MemberFactory(cell=t["c21"])
    before = Member.objects.get(pk=m.pk).party_record_no
    services.move_org(t["d2"], province2)
    after = Member.objects.get(pk=m.pk).party_record_no
    cell = t["c21"].__class__.objects.get(pk=t["c21"].pk)
    assert cell.code.startswith("P2X.") and after.startswith(record_prefix(cell))
    if before.startswith(record_prefix(cell)):  # same district and base segments: kept
        assert after == before
