"""Every Wagtail hook of the newsroom and the library, wired here (Wagtail imports each app's
``wagtail_hooks``); the functions live with their concern:

- ``admin.scope``: the admin shows an editor only what the scope engine lets them manage;
- ``admin.scheduler_panel``: the dashboard says whether the publishing scheduler runs;
- ``views.pages``: news and document pages are private answers, Wagtail's document view obeys
  the scope.

The scoped permission policies are registered by ``EditorialConfig.ready``.
"""

from wagtail import hooks

from .admin import scheduler_panel, scope
from .views import pages

hooks.register("construct_explorer_page_queryset", scope.explorer_in_scope)
hooks.register("construct_page_chooser_queryset", scope.page_chooser_in_scope)
hooks.register("construct_document_chooser_queryset", scope.document_chooser_in_scope)
hooks.register("construct_image_chooser_queryset", scope.image_chooser_in_scope)
hooks.register("before_create_page", scope.create_only_in_scope)
hooks.register("construct_reports_menu", scope.hide_unscoped_reports)
hooks.register("construct_homepage_panels", scheduler_panel.scheduler_panel)
hooks.register("on_serve_page", pages.scoped_pages_are_private)
hooks.register("before_serve_document", pages.only_readable_files)
