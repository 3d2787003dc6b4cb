"""The organisation tree's Wagtail admin.

- ``scoped``: the scoped admin layer every plugin's admin builds on (permission policies that
  answer from the scope engine, scoped viewsets, object-action views);
- ``chooser``: the organisation chooser (a modal picker of the units in the user's reach);
- ``organisations``: the tree browser and the unit's life (found, edit, move, merge, dissolve,
  history);
- ``bodies``: advisory bodies;
- ``assignments``: role assignments.

Registered in ``orgtree.wagtail_hooks``; the policies in ``OrgTreeConfig.register``.
"""
