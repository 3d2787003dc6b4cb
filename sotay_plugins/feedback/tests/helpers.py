"""Helpers shared by the feedback tests (plain functions; fixtures live in conftest.py)."""

import io
import struct

from django.core.files.uploadedfile import SimpleUploadedFile


def jpeg_with_gps(size=(64, 48), name="anh.jpg"):
    """A real JPEG carrying EXIF with a GPS position and a camera model."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "May anh thu"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (9.0, 56.0, 0.0)
    gps[3] = "E"
    gps[4] = (106.0, 20.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_with_text(name="anh.png"):
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 9.93 106.34")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "PNG", pnginfo=info)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def exe_as_jpg():
    return SimpleUploadedFile(
        "anh.jpg", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="image/jpeg"
    )


class HugeUpload:
    """An upload that says it is 500 MB and fails if anyone reads it."""

    name = "video.mp4"
    size = 500 * 1024 * 1024
    content_type = "video/mp4"

    def read(self, *args):
        raise AssertionError("the 500 MB video was read")

    def seek(self, *args):
        raise AssertionError("the 500 MB video was touched")

    def chunks(self, *args):
        raise AssertionError("the 500 MB video was read")


def jpeg_with_trailing_photo(name="anh.jpg"):
    """A JPEG as phones write them (Multi-Picture Format: Samsung, iPhone gain maps): a second
    JPEG after the first one's end, carrying its own EXIF (here a name and a GPS position)."""
    from PIL import Image

    def jpeg(size, exif=None):
        buffer = io.BytesIO()
        Image.new("RGB", size, (30, 30, 200)).save(
            buffer, "JPEG", **({"exif": exif} if exif else {})
        )
        return buffer.getvalue()

    exif = Image.Exif()
    exif[0x013B] = "Nguyen Van Gui"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (9.0, 56.0, 0.0)
    primary = jpeg((64, 48))
    trailing = jpeg((16, 12), exif=exif.tobytes())
    return SimpleUploadedFile(name, primary + trailing, content_type="image/jpeg")


def docx_by(author, name="bao-cao.docx"):
    """A Word file whose properties name its author (as Word writes them from the account)."""
    import docx

    document = docx.Document()
    document.add_paragraph("Nội dung phản ánh")
    document.core_properties.author = author
    document.core_properties.last_modified_by = author
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def xlsx_by(author, name="so-lieu.xlsx"):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Số liệu"
    workbook.properties.creator = author
    workbook.properties.lastModifiedBy = author
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def pdf_by(author, name="van-ban.pdf"):
    """A PDF as Word's "Save as PDF" writes it: the author and the time of writing in its
    information dictionary, and again in its XMP metadata."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": author, "/CreationDate": "D:20261207101530+07'00'"})
    xmp = DecodedStreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{author}</dc:creator></x:xmpmeta>".encode())
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def _box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4_with_place(name="video.mp4"):
    """A small MP4 as a phone writes it: its movie header dated (2026-12-07 03:15:30 UTC, in
    seconds since 1904), the place in user data (``©xyz``) and the device in Apple's keys."""
    when = 3_847_936_530
    mvhd = _box(b"mvhd", b"\x00\x00\x00\x00" + struct.pack(">II", when, when) + b"\x00" * 88)
    tkhd = _box(b"tkhd", b"\x00\x00\x00\x07" + struct.pack(">II", when, when) + b"\x00" * 72)
    mdhd = _box(b"mdhd", b"\x01\x00\x00\x00" + struct.pack(">QQ", when, when) + b"\x00" * 12)
    trak = _box(b"trak", tkhd + _box(b"mdia", mdhd))
    udta = _box(b"udta", _box(b"\xa9xyz", b"\x00\x12\x15\xc7+09.9300+106.3400/"))
    meta = _box(b"meta", b"\x00" * 4 + _box(b"keys", b"com.apple.quicktime.model iPhone 15"))
    moov = _box(b"moov", mvhd + trak + udta + meta)
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    data = ftyp + moov + _box(b"mdat", b"\x00" * 64)
    return SimpleUploadedFile(name, data, content_type="video/mp4")
