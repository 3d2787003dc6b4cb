"""The demo and local development: the embedded defaults (SQLite, in-process jobs)."""

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)  # noqa: F405
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-5c1f0e2b9a7d4e3f8a6b"  # noqa: S105  # noqa: F405
