"""The newsroom and the library in the Wagtail admin (``editorial/wagtail_hooks.py`` wires it):

- ``scope``: what an editor may see and do there (explorer, choosers, page creation, reports),
  on top of the scoped permission policies of ``editorial.permissions``;
- ``documents``: the upload form of library files (``WAGTAILDOCS_DOCUMENT_FORM_BASE``);
- ``middleware``: out-of-scope admin page URLs answer 404 (settings ``MIDDLEWARE``);
- ``scheduler_panel``: the dashboard panel saying whether the publishing scheduler runs.
"""
