"""The abstract receipt (``sotay_plugins.receipts.Receipt``): one row per member, target and
day, counted by one upsert; the library's read receipts and meetings' material opens are two."""

import pytest

from editorial.models import ReadReceipt
from sotay_plugins.meetings.models import MaterialOpen
from sotay_plugins.receipts import Receipt


def test_read_receipts_and_material_opens_are_receipts():
    assert issubclass(ReadReceipt, Receipt) and issubclass(MaterialOpen, Receipt)
    assert (ReadReceipt.RECEIPT_TARGET, MaterialOpen.RECEIPT_TARGET) == ("page", "material")
    for model in (ReadReceipt, MaterialOpen):
        unique = {tuple(c.fields) for c in model._meta.constraints}
        assert (model.RECEIPT_TARGET, "member", "day") in unique  # what ON CONFLICT names


def test_a_counter_the_receipt_does_not_have_is_refused():
    with pytest.raises(ValueError, match="no counter"):
        MaterialOpen.count_daily(1, 1, counters=("downloads",))
