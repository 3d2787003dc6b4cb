"""The agenda's Wagtail permission policy (scope-checked); registered in ``apps.py``."""

from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

from .models import ASSIGN_TASK, VIEW_TASK, Task

task_policy = ScopePermissionPolicy(
    Task,
    {
        "view": VIEW_TASK,
        "add": ASSIGN_TASK,
        # no "change" or "delete" in the admin: a task stays as assigned, on record
    },
)

POLICIES = (task_policy,)
