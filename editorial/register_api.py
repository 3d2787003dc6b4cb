"""What the API part of the newsroom and library adds to the registry: /api/v1/documents/,
/api/v1/news/ (with their scope-checked files), /api/v1/me/receipts/ and /api/v1/bookmarks/."""


def register(registry):
    from .api import BookmarkViewSet, DocumentViewSet, NewsViewSet, ReceiptListView

    registry.add_api_route("documents", DocumentViewSet, "document")
    registry.add_api_route("news", NewsViewSet, "news")
    registry.add_api_route("bookmarks", BookmarkViewSet, "bookmark")
    registry.add_api_path("me/receipts/", ReceiptListView, "me-receipts")
