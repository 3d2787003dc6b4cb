"""Storages for files that must never be reachable by URL (Decree 13/2023 personal data)."""

from django.core.files.storage import storages


def private_storage():
    """Uploaded member spreadsheets and the like: outside MEDIA_ROOT, never served."""
    return storages["private"]
