"""Who may import where: the capability, and the batch's unit as stored now.

The batch's unit must be one where the user holds ``members.import_members`` (``scope.can``),
checked on upload and again when the job runs.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation

from .errors import ImportFileError

CAPABILITY = "members.import_members"


def fresh(org):
    """The unit as stored now: nested-set bounds held in memory go stale when the tree changes."""
    return Organisation.objects.get(pk=org.pk)


def authorise(user, org):
    """The batch's unit must be one where ``user`` may import (None: the shell, unrestricted)."""
    if user is not None and not scope.can(user, CAPABILITY, org):
        raise ImportFileError(
            _(
                "Bạn không có quyền nhập đảng viên vào %(org)s; chỉ được nhập vào các đơn vị thuộc "
                "phạm vi được giao."
            )
            % {"org": org.name}
        )
