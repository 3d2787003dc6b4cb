"""sotay_plugins.uploads answers every multipart body as Django's own parser does: the same
fields, the same files (names, types, charsets, sizes, bytes), the same refusals; and it is the
one doing the work for an ordinary body (a photo and a few fields)."""

from unittest import mock

import pytest
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.test import RequestFactory, override_settings

from sotay_plugins import uploads

B = "xYzBoundary42"
CT = f"multipart/form-data; boundary={B}"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\r\n-" + b"\r\n--xY" + b"\xff\xd9"


def part(headers, data):
    head = "".join(f"{h}\r\n" for h in headers)
    return f"--{B}\r\n{head}\r\n".encode() + data + b"\r\n"


def body(*parts, end=True):
    return b"".join(parts) + (f"--{B}--\r\n".encode() if end else b"")


def field(name, value):
    return part([f'Content-Disposition: form-data; name="{name}"'], value.encode())


def upload(name, filename, data, content_type="image/jpeg", extra=()):
    headers = [f'Content-Disposition: form-data; name="{name}"; filename="{filename}"']
    if content_type is not None:
        headers.append(f"Content-Type: {content_type}")
    return part([*headers, *extra], data)


def parsed(raw, fast, content_type=CT):
    request = RequestFactory().generic("POST", "/", raw, content_type=content_type)
    if fast:
        uploads.parse_in_memory(request)
    try:
        post, files = request.POST, request.FILES
    except Exception as exc:  # noqa: BLE001 (the exception itself is compared)
        return type(exc).__name__
    return (
        sorted(post.lists()),
        sorted(
            (
                key,
                [
                    (
                        type(f).__name__,
                        f.name,
                        f.content_type,
                        f.charset,
                        f.content_type_extra,
                        f.size,
                        f.read(),
                    )
                    for f in values
                ],
            )
            for key, values in files.lists()
        ),
    )


CASES = {
    "a photo and fields": body(
        field("receiver", "12"),
        field("text", "Phản ánh: đường <b>hỏng</b>"),
        field("hide_identity", "true"),
        upload("files", "anh.jpg", JPEG),
    ),
    "two files, repeated field": body(
        field("a", "1"),
        field("a", "2"),
        upload("files", "x.jpg", JPEG),
        upload("files", "y.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png"),
    ),
    "path and markup in a file name": body(upload("files", "C:\\a\\..\\b/&lt;ảnh&gt;.jpg", JPEG)),
    "empty and dot file names": body(
        upload("files", "", b"abc"), upload("files", "..", JPEG), field("t", "x")
    ),
    "empty file": body(upload("files", "rong.jpg", b"")),
    "no content type, a charset": body(
        upload("f", "a.txt", b"hi", None),
        upload("g", "b.txt", "chữ".encode(), "text/plain; charset=utf-8"),
    ),
    "RFC 2231 file name": body(
        part(
            [
                "Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%E1%BA%A3nh.jpg",
                "Content-Type: image/jpeg",
            ],
            JPEG,
        )
    ),
    "no name, no disposition": body(
        part(["Content-Type: text/plain"], b"x"),
        part(["Content-Disposition: form-data"], b"y"),
        field("z", "1"),
    ),
    "header case and spacing": body(
        part(['content-disposition:form-data;name="a"', "CONTENT-TYPE:  Text/Plain "], b"v"),
        part(['Content-Disposition: form-data; name="f"; filename="a.JPG"'], JPEG),
    ),
    "invalid UTF-8 in a field": body(part(['Content-Disposition: form-data; name="t"'], b"\xff")),
    "base64 part": body(
        part(
            ['Content-Disposition: form-data; name="t"', "Content-Transfer-Encoding: base64"],
            b"aGVsbG8=",
        )
    ),
    "preamble": b"junk before\r\n" + body(field("a", "1")),
    "LF line endings": body(field("a", "1")).replace(b"\r\n", b"\n"),
    "no closing boundary": body(field("a", "1"), end=False),
    "long headers": body(
        part(['Content-Disposition: form-data; name="a"', "X-Long: " + "v" * 1100], b"1")
    ),
    "empty body": b"",
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_answer_as_django(name):
    assert parsed(CASES[name], fast=True) == parsed(CASES[name], fast=False)


def test_bad_content_types_are_refused_alike():
    raw = CASES["a photo and fields"]
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=ä"):
        assert parsed(raw, True, content_type) == parsed(raw, False, content_type)


@pytest.mark.parametrize(
    "settings_, expected",
    [
        ({"DATA_UPLOAD_MAX_NUMBER_FIELDS": 1}, TooManyFieldsSent),
        ({"DATA_UPLOAD_MAX_MEMORY_SIZE": 5}, RequestDataTooBig),
        ({"DATA_UPLOAD_MAX_NUMBER_FILES": 1}, TooManyFilesSent),
    ],
)
def test_django_limits_hold(settings_, expected):
    with override_settings(**settings_):
        fast = parsed(CASES["two files, repeated field"], fast=True)
        assert fast == parsed(CASES["two files, repeated field"], fast=False)
    assert fast == expected.__name__


def test_a_body_over_the_memory_limit_still_goes_to_a_temporary_file():
    raw = CASES["a photo and fields"]
    with override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1000):
        fast = parsed(raw, fast=True)
        assert fast == parsed(raw, fast=False)
    assert fast[1][0][1][0][0] == "TemporaryUploadedFile"


def test_an_ordinary_body_is_split_here_and_others_by_django():
    with mock.patch.object(uploads, "split", wraps=uploads.split) as split:
        parsed(CASES["a photo and fields"], fast=True)
        assert split.call_count == 1
        with mock.patch("django.http.multipartparser.Parser") as django_parser:
            parsed(CASES["two files, repeated field"], fast=True)
        assert not django_parser.called
    files = parsed(CASES["a photo and fields"], fast=True)[1]
    assert files[0][1][0][:2] == ("InMemoryUploadedFile", "anh.jpg")
    assert files[0][1][0][-1] == JPEG


def test_a_body_already_parsed_is_left_as_it_is():
    """The CSRF check of a session reads ``request.POST`` before the view: too late to choose
    the parser, and no error for it."""
    request = RequestFactory().generic("POST", "/", CASES["a photo and fields"], content_type=CT)
    assert request.POST["receiver"] == "12"
    uploads.parse_in_memory(request)
    assert request.FILES["files"].name == "anh.jpg"
