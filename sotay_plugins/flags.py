"""A set of codes from a fixed list, stored as a bit mask: positions, member groups, audiences.

Why a mask: "does this item's audience include any of my positions?" becomes one integer AND
in SQL, on SQLite and PostgreSQL alike, without a join or a JSON operator. In Python the value
is a ``frozenset`` of codes; in forms it is a multiple-choice field.

    positions = FlagSetField(choices=Position.choices)
    Member.objects.filter(positions__has_any={"bi_thu_chi_bo"})
    Document.objects.filter(Q(audience_positions=set()) | Q(audience_positions__has_any=mine))

The bit of a code is its index in ``choices``: append new codes, never reorder or remove.
"""

from django import forms
from django.core import checks, exceptions
from django.db import models
from django.db.models import Lookup
from django.utils.functional import cached_property
from django.utils.text import capfirst


class FlagSetField(models.PositiveBigIntegerField):
    def __init__(self, *args, choices=None, **kwargs):
        self.flag_choices = list(choices or [])
        if len(self.flag_choices) > 62:
            raise ValueError("FlagSetField holds at most 62 codes")
        self.bits = {code: 1 << index for index, (code, _label) in enumerate(self.flag_choices)}
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self):
        # The integer range validators of the parent field compare against a set: not ours.
        return list(self._validators)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.flag_choices:
            errors.append(checks.Error("FlagSetField needs choices.", obj=self, id="sotay.E001"))
        return errors

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choices"] = self.flag_choices
        if kwargs.get("default") == 0:
            del kwargs["default"]
        return name, path, args, kwargs

    # value conversions ---------------------------------------------------------------------
    def to_mask(self, value):
        if value is None:
            return 0
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            value = [value]
        mask = 0
        for code in value:
            try:
                mask |= self.bits[code]
            except KeyError:
                raise exceptions.ValidationError(
                    "Giá trị không hợp lệ: %(code)s", code="invalid_choice", params={"code": code}
                ) from None
        return mask

    def from_mask(self, mask):
        return frozenset(code for code, bit in self.bits.items() if mask & bit)

    def from_db_value(self, value, expression, connection):
        return None if value is None else self.from_mask(value)

    def to_python(self, value):
        if value is None:
            return frozenset()
        if isinstance(value, int):
            return self.from_mask(value)
        if isinstance(value, str):
            # value_to_string's form ("a,b", "" for the empty set): what fixtures hold.
            value = [code.strip() for code in value.split(",") if code.strip()]
        self.to_mask(value)  # validates
        return frozenset(value)

    def get_prep_value(self, value):
        return self.to_mask(value)

    def value_to_string(self, obj):
        return ",".join(sorted(self.value_from_object(obj)))

    def validate(self, value, model_instance):
        self.to_mask(value)
        if not self.blank and not value:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        return FlagSetFormField(
            choices=self.flag_choices,
            required=not self.blank,
            widget=kwargs.get("widget", forms.CheckboxSelectMultiple),
            label=kwargs.get("label", capfirst(self.verbose_name)),
            help_text=self.help_text,
        )


class FlagSetFormField(forms.MultipleChoiceField):
    def prepare_value(self, value):
        if isinstance(value, (set, frozenset)):
            return sorted(value)
        return value

    def clean(self, value):
        return frozenset(super().clean(value))

    def has_changed(self, initial, data):
        return set(initial or ()) != set(data or ())


@FlagSetField.register_lookup
class HasAny(Lookup):
    """``field__has_any=codes``: at least one of the codes is in the set."""

    lookup_name = "has_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) <> 0", [*lhs_params, *rhs_params]


@FlagSetField.register_lookup
class HasAll(Lookup):
    """``field__has_all=codes``: every one of the codes is in the set."""

    lookup_name = "has_all"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) = {rhs}", [*lhs_params, *rhs_params, *rhs_params]
