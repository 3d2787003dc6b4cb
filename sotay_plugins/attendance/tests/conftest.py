"""Fixtures shared by the check-in tests (the service, the fast path, the front)."""

import pytest

from .helpers import cell_people, make_meeting


@pytest.fixture
def cell(tree):
    """A meeting of cell 1.1 with four members, its secretary, and cell 1.2's secretary."""
    people = cell_people(tree, 4)
    return {**people, "meeting": make_meeting(tree["c11"], people["members"])}
