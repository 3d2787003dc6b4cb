"""Logging filter: no CCCD in a log line (Decree 13/2023).

Any run of exactly 12 digits in a record's message or arguments is masked to its last three
digits. This is the last line of defence; code must not log CCCDs in the first place.
"""

import logging
import re

CCCD_RE = re.compile(r"(?<!\d)\d{9}(\d{3})(?!\d)")


def mask_cccd(text):
    return CCCD_RE.sub(r"*********\1", text)


class MaskCCCDFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        masked = mask_cccd(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
