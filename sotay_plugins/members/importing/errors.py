"""The one error that stops an import before any row is looked at."""

from __future__ import annotations


class ImportFileError(Exception):
    """The file as a whole cannot be used (too big, not an .xlsx, wrong columns, no right)."""

    def __init__(self, messages):
        self.messages = [str(m) for m in ([messages] if isinstance(messages, str) else messages)]
        super().__init__("; ".join(self.messages))
