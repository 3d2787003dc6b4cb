"""The newsroom and the library: Wagtail pages, their admin, the member's reading and the API.

Layout (one subpackage per concern; the domain modules they share stay at the top):

- ``models``, ``choices``, ``forms`` (the page forms the models use), ``permissions`` (who may
  do what in the admin: Wagtail policies on the scope engine), ``services`` (the rules of who
  writes what), ``sections``, ``reading`` (what a user may read, read receipts), ``workflows``
  (the editorial board's step): the domain;
- ``views/``: the member's pages (library, news, bookmarks, files, home feed card, serving);
- ``api/``: /api/v1/ (viewsets and serializers);
- ``admin/``: the Wagtail admin (scope hooks, upload form, middleware, dashboard panel);
- ``publishing/``: what follows a publication (the pipeline, the scheduler and its health);
- ``demo/``: ``seed_demo``'s news and documents, reached only through its ``DemoSeeder``.

Wiring, each in one explicit place: ``apps`` (what the plugin needs and registers),
``urls`` (member routes), ``wagtail_hooks`` (Wagtail hooks), ``receivers`` (signals).
"""
