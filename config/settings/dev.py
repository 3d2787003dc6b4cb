"""The demo and local development: the embedded defaults (SQLite, in-process jobs).

SECRET_KEY signs sessions, activation codes and the members' check-in QR tokens. A key written
in the repository would let anyone forge check-ins on a demo left on a network, so each install
makes its own once, in an ignored file (``var/dev-secret``, or ``SOTAY_DEV_SECRET_FILE``), unless
the environment gives one.
"""

import os
import secrets
import time
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)  # noqa: F405


def install_secret(path):
    """The key kept in ``path``, made (random, readable by the owner only) the first time."""
    path = Path(path)
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:  # O_EXCL: of two processes starting at once, one writes and both read its key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # the other one may not have written it yet
        for _attempt in range(50):
            if key := path.read_text().strip():
                return key
            time.sleep(0.1)
        raise
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


SECRET_KEY = SECRET_KEY or install_secret(  # noqa: F405
    os.environ.get("SOTAY_DEV_SECRET_FILE") or BASE_DIR / "var" / "dev-secret"  # noqa: F405
)
