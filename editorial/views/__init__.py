"""The member's side of the newsroom and the library: the pages a member reads.

One module per page or concept, wired by ``editorial/urls.py`` (routes) and
``editorial/wagtail_hooks.py`` (Wagtail's serving hooks):

- ``library``: the library with its filters (/thu-vien/);
- ``news``: the news list (/tin-tuc/);
- ``bookmarks``: "Đọc sau" (/doc-sau/) and adding or removing a bookmark;
- ``files``: the scoped file download (/tep/<id>/);
- ``feed``: the home card of news and documents (registered as a ``HomeCard`` by ``apps``);
- ``pages``: how Wagtail serves the news and document pages and its own document view.

Every list and every object goes through ``editorial.reading`` (the scope engine): an object
the user may not read answers 404, never 403. The news and document pages themselves are
Wagtail pages (``ScopedPage.serve`` checks scope and records the open).
"""
