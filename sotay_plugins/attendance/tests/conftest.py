"""Fixtures shared by the check-in tests (the service, the fast path, the front)."""

import pytest

from tests.factories import MemberFactory, UserFactory, grant

from .helpers import make_meeting


@pytest.fixture
def cell(tree):
    """A meeting of cell 1.1 with four members, its secretary, and cell 1.2's secretary."""
    members = MemberFactory.create_batch(4, cell=tree["c11"])
    secretary, other_secretary = UserFactory(), UserFactory()
    grant(secretary, "cell_secretary", tree["c11"])
    grant(other_secretary, "cell_secretary", tree["c12"])
    return {
        "members": members,
        "secretary": secretary,
        "other_secretary": other_secretary,
        "meeting": make_meeting(tree["c11"], members),
        "tree": tree,
    }
