"""The organisation tree's signal receivers, connected once from ``OrgTreeConfig.ready``.

- after every migrate: the built-in roles are written from the registry (``roles``);
- a role or a role assignment saved or deleted: everybody's cached grants are dropped;
- a unit saved or deleted: its version stamp moves (its name is shown on kept pages,
  ``sotay_plugins.pagecache``).
"""

from django.db.models.signals import post_delete, post_migrate, post_save

from sotay_plugins import versions

from .models import Organisation, Role, RoleAssignment, org_version_key
from .roles import sync_builtin_roles
from .scope import grants_changed


def sync_roles(**kwargs):
    sync_builtin_roles()
    grants_changed()


def rights_changed(**kwargs):
    grants_changed()


def org_changed(instance, **kwargs):
    versions.bump(org_version_key(instance.pk))


def connect(config):
    post_migrate.connect(sync_roles, sender=config, dispatch_uid="orgtree.sync_roles")
    for model in (Role, RoleAssignment):
        name = model.__name__
        post_save.connect(rights_changed, sender=model, dispatch_uid=f"grants.save.{name}")
        post_delete.connect(rights_changed, sender=model, dispatch_uid=f"grants.delete.{name}")
    post_save.connect(org_changed, sender=Organisation, dispatch_uid="orgtree.org_version.save")
    post_delete.connect(org_changed, sender=Organisation, dispatch_uid="orgtree.org_version.delete")
