"""/api/v1/ of the newsroom and the library, scoped through ``reading.readable`` (the scope engine);
the routes are registered by ``editorial.apps``. One module per endpoint: ``documents``, ``news``,
``me`` (receipts, bookmarks), on what ``pages`` shares; ``serializers`` say what they answer.

- ``documents/``: the library the caller may read, newest first. Filters ``?kind=``, ``?issuer=``
  (organisation id), ``?year=``, ``?number=`` (part of the number, accents and case ignored),
  ``?q=`` (every word in the number, title or summary). ``documents/<id>/``: one document with
  its readable links and the caller's bookmark; reading it counts an open.
  ``documents/<id>/files/<file_id>/``: a file of that document, after the scope check; counts a
  download.
- ``news/``: news and bulletins the caller may read, newest first (``?category=``, ``?issuer=``,
  ``?featured=``, ``?q=``); ``news/<id>/`` (body and attachments; counts an open);
  ``news/<id>/files/<file_id>/``.
- ``me/receipts/``: the caller's own read receipts (one row per page and day).
- ``bookmarks/``: the caller's bookmarks of pages they may still read; POST ``{"page": id}``
  (201, or 200 when already kept); DELETE ``bookmarks/<page_id>/`` (204, also when not kept).

Bad filter values answer 400 with a Vietnamese ``detail`` and ``fields``; pages the caller may
not read answer 404, as if they did not exist.
"""
