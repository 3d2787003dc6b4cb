"""RFC 5545 (iCalendar) text of a member's calendar, written here (a few lines of the format
need no library): CRLF line ends, lines folded at 75 octets without splitting a UTF-8
character, TEXT values escaped (backslash, semicolon, comma, newline), times in UTC ("Z"),
deadline days as ``VALUE=DATE``. Each event's UID is its source's stable uid, so a phone's
calendar app updates what it already has."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

PRODID = "-//Sotay Dang vien//Lich ca nhan//VI"


def escape(text):
    return (
        str(text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line):
    """Fold one content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, chunk, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(chunk))
            chunk, size, limit = [], 0, 74  # continuation lines start with a space
        chunk.append(char)
        size += width
    parts.append("".join(chunk))
    return "\r\n ".join(parts)


def _utc(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _times(event):
    if event.all_day or not isinstance(event.starts_at, datetime):
        day = (
            event.starts_at
            if not isinstance(event.starts_at, datetime)
            else (timezone.localtime(event.starts_at).date())
        )
        end = event.ends_at if isinstance(event.ends_at, date) and event.ends_at > day else None
        return [
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{(end or day + timedelta(days=1)):%Y%m%d}",
        ]
    lines = [f"DTSTART:{_utc(event.starts_at)}"]
    if isinstance(event.ends_at, datetime) and event.ends_at > event.starts_at:
        lines.append(f"DTEND:{_utc(event.ends_at)}")
    return lines


def calendar(events, *, name, base_url, now=None):
    """The feed's text. ``base_url`` ("https://host") makes the events' URLs absolute."""
    stamp = _utc(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape(event.uid)}@sotay",
            f"DTSTAMP:{stamp}",
            *_times(event),
            f"SUMMARY:{escape(event.title)}",
        ]
        if event.place:
            lines.append(f"LOCATION:{escape(event.place)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.url:
            lines.append(f"URL:{base_url}{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
