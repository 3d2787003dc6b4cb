"""/api/v1/ of the newsroom and the library (the routes are registered by ``editorial.apps``):

- ``views``: the scoped viewsets (documents, news, bookmarks) and the caller's read receipts;
- ``serializers``: what they answer (every scoped item carries ``issuer_org`` and
  ``audience_org``, CONTRACT.md).
"""
