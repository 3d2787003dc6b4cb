"""FlagSetField: a set of codes stored as a bit mask, queried with has_any / has_all.

Runs on whichever database DATABASE_URL names (SQLite by default, PostgreSQL in CI).
"""

import itertools

import pytest
from django import forms
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from sotay_plugins.flags import FlagSetField, FlagSetFormField
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind, Position
from tests.factories import MemberFactory, org
from tests.scopeapp.models import ScopedItem

POSITIONS = ScopedItem._meta.get_field("audience_positions")
INVALID = "Giá trị không hợp lệ: thu_ky"


@pytest.fixture
def unit(db):
    return org(OrgKind.PROVINCE)


def make(unit, positions=(), groups=()):
    return ScopedItem.objects.create(
        title="Mục",
        issuer_org=unit,
        audience_org=unit,
        audience_positions=set(positions),
        audience_groups=set(groups),
    )


def raw_mask(item):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT audience_positions FROM {ScopedItem._meta.db_table} WHERE id = %s",  # noqa: S608
            [item.pk],
        )
        return cursor.fetchone()[0]


# --- values --------------------------------------------------------------------------------------


@given(st.frozensets(st.sampled_from(Position.values)))
def test_mask_round_trip(codes):
    mask = POSITIONS.to_mask(codes)
    assert POSITIONS.from_mask(mask) == codes
    assert mask == sum(1 << Position.values.index(code) for code in codes)
    assert POSITIONS.to_python(mask) == codes
    assert POSITIONS.to_python(",".join(sorted(codes))) == codes  # value_to_string's form


def test_bits_follow_the_order_of_choices():
    assert POSITIONS.to_mask({Position.BI_THU_CHI_BO}) == 1
    assert POSITIONS.to_mask({Position.DANG_VIEN}) == 1 << 7
    assert POSITIONS.to_mask(Position.PHO_BI_THU_CHI_BO) == 2  # a single code as a string
    assert POSITIONS.to_mask(None) == 0 and POSITIONS.to_mask(set()) == 0


def test_database_round_trip(unit):
    item = make(unit, [Position.DANG_VIEN, Position.BI_THU_CHI_BO], [MemberGroup.HAMLET])
    assert raw_mask(item) == 1 | 1 << 7
    item = ScopedItem.objects.get(pk=item.pk)
    assert item.audience_positions == frozenset({Position.DANG_VIEN, Position.BI_THU_CHI_BO})
    assert item.audience_groups == frozenset({MemberGroup.HAMLET})
    empty = ScopedItem.objects.get(pk=make(unit).pk)
    assert empty.audience_positions == frozenset() and raw_mask(empty) == 0
    # values_list gives sets too: the scope engine reads a member's positions this way.
    member = MemberFactory(cell=org(OrgKind.CELL, unit), positions={Position.CHI_UY_VIEN})
    assert Member.objects.filter(pk=member.pk).values_list("positions", flat=True).get() == {
        Position.CHI_UY_VIEN
    }


@pytest.mark.parametrize(
    "codes", [set(), {Position.DANG_VIEN}, {Position.CHI_UY_VIEN, Position.UY_VIEN_BTV}]
)
def test_serializer_round_trip(unit, codes):
    """dumpdata/loaddata: value_to_string writes "a,b", to_python must read it back."""
    item = make(unit, codes)
    data = serializers.serialize("json", [item])
    ScopedItem.objects.all().delete()
    for obj in serializers.deserialize("json", data):
        obj.save()
    assert ScopedItem.objects.get(pk=item.pk).audience_positions == codes


# --- lookups -------------------------------------------------------------------------------------

UNIVERSE = [Position.BI_THU_CHI_BO, Position.CHI_UY_VIEN, Position.DANG_VIEN]
SUBSETS = [
    frozenset(c) for n in range(len(UNIVERSE) + 1) for c in itertools.combinations(UNIVERSE, n)
]


def test_has_any_has_all_and_exact_match_python_sets(unit):
    stored = {make(unit, codes).pk: codes for codes in SUBSETS}
    for wanted in SUBSETS:
        any_ids = set(
            ScopedItem.objects.filter(audience_positions__has_any=wanted).values_list(
                "pk", flat=True
            )
        )
        all_ids = set(
            ScopedItem.objects.filter(audience_positions__has_all=wanted).values_list(
                "pk", flat=True
            )
        )
        exact = set(
            ScopedItem.objects.filter(audience_positions=wanted).values_list("pk", flat=True)
        )
        assert any_ids == {pk for pk, codes in stored.items() if codes & wanted}, wanted
        assert all_ids == {pk for pk, codes in stored.items() if wanted <= codes}, wanted
        assert exact == {pk for pk, codes in stored.items() if codes == wanted}, wanted
    # Negated and combined, as the scope engine writes them.
    none_of = set(
        ScopedItem.objects.exclude(audience_positions__has_any={Position.DANG_VIEN}).values_list(
            "pk", flat=True
        )
    )
    assert none_of == {pk for pk, codes in stored.items() if Position.DANG_VIEN not in codes}


def test_lookups_take_a_single_code_and_the_biggest_bit(unit):
    last = Position.values[-1]
    big = make(unit, [last])
    assert list(ScopedItem.objects.filter(audience_positions__has_any=last)) == [big]
    assert list(ScopedItem.objects.filter(audience_positions__has_all=[last])) == [big]


def test_unknown_code_in_a_query_is_refused(unit):
    with pytest.raises(ValidationError) as exc_info:
        ScopedItem.objects.filter(audience_positions__has_any={"thu_ky"})
    assert exc_info.value.messages == [INVALID]


# --- validation -----------------------------------------------------------------------------------


def test_unknown_code_is_a_vietnamese_validation_error(unit):
    with pytest.raises(ValidationError) as exc_info:
        POSITIONS.to_python(["thu_ky"])
    assert exc_info.value.messages == [INVALID]
    assert exc_info.value.error_list[0].code == "invalid_choice"
    item = ScopedItem(
        title="Mục", issuer_org=unit, audience_org=unit, audience_positions={"thu_ky"}
    )
    with pytest.raises(ValidationError) as exc_info:
        item.full_clean()
    assert exc_info.value.message_dict["audience_positions"] == [INVALID]
    with pytest.raises(ValidationError):
        item.save()  # never stored


def test_required_flag_set_refuses_the_empty_set():
    field = FlagSetField(choices=Position.choices)
    with pytest.raises(ValidationError) as exc_info:
        field.clean(frozenset(), None)
    assert exc_info.value.error_list[0].code == "blank"
    assert field.clean([Position.DANG_VIEN], None) == {Position.DANG_VIEN}


def test_field_declaration_rules():
    assert (
        FlagSetField(choices=[]).check() and FlagSetField(choices=[]).check()[0].id == "sotay.E001"
    )
    with pytest.raises(ValueError, match="62"):
        FlagSetField(choices=[(f"c{n}", str(n)) for n in range(63)])
    _name, _path, _args, kwargs = POSITIONS.deconstruct()
    assert kwargs["choices"] == Position.choices and "default" not in kwargs


# --- forms ---------------------------------------------------------------------------------------


class ItemForm(forms.ModelForm):
    class Meta:
        model = ScopedItem
        fields = ["title", "audience_positions", "audience_groups"]


def test_form_field_is_a_checkbox_list_of_the_codes():
    field = ItemForm().fields["audience_positions"]
    assert isinstance(field, FlagSetFormField)
    assert isinstance(field.widget, forms.CheckboxSelectMultiple)
    assert list(field.choices) == list(Position.choices)
    assert str(field.label) == "Chức vụ" and not field.required


def test_form_cleans_to_a_set_and_saves(unit):
    form = ItemForm(
        data={"title": "Mục", "audience_positions": [Position.DANG_VIEN, Position.CHI_UY_VIEN]}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["audience_positions"] == {Position.DANG_VIEN, Position.CHI_UY_VIEN}
    assert form.cleaned_data["audience_groups"] == frozenset()
    item = form.save(commit=False)
    item.issuer_org = item.audience_org = unit
    item.save()
    assert ScopedItem.objects.get(pk=item.pk).audience_positions == {
        Position.DANG_VIEN,
        Position.CHI_UY_VIEN,
    }

    bound = ItemForm(
        instance=item,
        data={"title": "Mục", "audience_positions": [Position.CHI_UY_VIEN, Position.DANG_VIEN]},
    )
    assert bound.is_valid() and not bound.has_changed()
    html = str(ItemForm(instance=item)["audience_positions"])
    assert html.count("checked") == 2 and 'value="dang_vien"' in html


def test_form_refuses_an_unknown_code():
    form = ItemForm(data={"title": "Mục", "audience_positions": ["thu_ky"]})
    assert not form.is_valid()
    assert form.errors.as_data()["audience_positions"][0].code == "invalid_choice"
