"""Codes follow the tree (issue 17): a unit moved to another parent gets a code under its new
parent, its sub-units with it; the old codes stay in the history and still find the unit."""

import pytest
from django.core.exceptions import ValidationError

from sotay_plugins.orgtree import services
from sotay_plugins.orgtree.models import Organisation, OrgCodeChange, OrgEvent
from tests.factories import small_tree

pytestmark = pytest.mark.django_db


def code(org):
    return Organisation.objects.get(pk=org.pk).code


def test_a_moved_base_and_its_cells_take_codes_under_the_new_district():
    t = small_tree()
    old = {k: code(t[k]) for k in ("b2", "c21", "c22")}
    services.move_org(t["b2"], t["d1"])
    new_base = code(t["b2"])
    assert new_base.startswith(code(t["d1"]) + ".") and new_base.count(".") == 2
    assert code(t["c21"]) == new_base + old["c21"][len(old["b2"]) :]
    assert code(t["c22"]).startswith(new_base + ".")
    history = {c.old_code: c.new_code for c in OrgCodeChange.objects.all()}
    assert history == {old[k]: code(t[k]) for k in old}
    event = OrgEvent.objects.get(org=t["b2"], kind=OrgEvent.Kind.MOVED)
    assert set(event.code_changes.values_list("org_id", flat=True)) == {
        t[k].pk for k in ("b2", "c21", "c22")
    }
    # the old code still finds the unit; every code is unique and names its parent
    assert services.org_by_code(old["c21"]) == t["c21"]
    for unit in Organisation.objects.exclude(parent=None).select_related("parent"):
        assert unit.code.startswith(unit.parent.code + "."), unit.code
    assert services.check_tree() == []


def test_a_taken_local_code_gets_the_next_free_one_and_old_codes_are_never_reused():
    t = small_tree()
    # b1's own segment is free under d2 only if no sibling holds it: make one that does
    b1_local = code(t["b1"]).rsplit(".", 1)[1]
    from tests.factories import org

    clash = org("base", t["d2"], "Xã trùng mã", code=f"{code(t['d2'])}.{b1_local}")
    old_b1 = code(t["b1"])
    services.move_org(t["b1"], t["d2"])
    assert code(t["b1"]) not in (code(clash), old_b1)
    assert code(t["b1"]).startswith(code(t["d2"]) + ".")
    # moved back: its old code is history now, and another unit never gets it by accident
    services.move_org(t["b1"], t["d1"])
    assert code(t["b1"]).startswith(code(t["d1"]) + ".")
    assert OrgCodeChange.objects.filter(org=t["b1"]).count() == 2


def test_a_refused_move_changes_no_code():
    t = small_tree()
    before = dict(Organisation.objects.values_list("pk", "code"))
    with pytest.raises(ValidationError):
        services.move_org(t["d1"], t["c11"])  # into its own sub-unit
    assert dict(Organisation.objects.values_list("pk", "code")) == before
    assert not OrgCodeChange.objects.exists()


def test_the_units_history_page_shows_its_former_codes(client):
    from django.urls import reverse

    from tests.factories import UserFactory

    t = small_tree()
    old = code(t["c21"])
    services.move_org(t["c21"], t["b1"])
    client.force_login(
        UserFactory(is_superuser=True, is_staff=True),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    html = client.get(reverse("orgtree_organisation:events", args=[t["c21"].pk])).content.decode()
    assert f"<strong>{old}</strong>" in html and f"đổi thành {code(t['c21'])}" in html
