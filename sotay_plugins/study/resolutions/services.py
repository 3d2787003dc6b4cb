"""Resolutions: the study index, a member's reading and study status (filled in below)."""

from django.utils.translation import gettext as _

from ..resolutions.models import AUDIO_EXTENSIONS

MAX_AUDIO_SIZE = 50 * 1024 * 1024


def audio_errors(field_file):
    """A Vietnamese message when an uploaded audio file is not one we take (None: fine)."""
    name = (getattr(field_file, "name", "") or "").lower()
    if not name.endswith(AUDIO_EXTENSIONS):
        return _("Chỉ nhận tệp âm thanh MP3, M4A hoặc OGG.")
    try:
        size = field_file.size
    except (OSError, ValueError):
        return None
    if size > MAX_AUDIO_SIZE:
        return _("Tệp âm thanh quá lớn (tối đa 50 MB).")
    if size == 0:
        return _("Tệp âm thanh rỗng.")
    return None
