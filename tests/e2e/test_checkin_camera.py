"""The secretary's check-in page scanning a member's card with the phone camera, in a real
browser. Chromium is given a fake camera that films the member's QR card (a Y4M video made from
the card's QR image), so the page's whole camera path runs: getUserMedia, the decoder (the
browser's BarcodeDetector where it exists, else the vendored jsQR — desktop Linux Chromium has
none, so this test drives jsQR, the path Safari and Firefox take), the POST and the roll."""

from datetime import timedelta

import pytest
import qrcode
from django.utils import timezone
from PIL import Image

from sotay_plugins.meetings.models import Attendance, Meeting
from sotay_plugins.members import credentials
from tests.factories import MemberFactory, grant, small_tree

from .helpers import PASSWORD, log_in, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def write_y4m(path, image, frames=30):
    """A short 640×480 YUV 4:2:0 video of ``image`` (Chromium's fake camera file format)."""
    frame = Image.new("RGB", (640, 480), "white")
    image = image.convert("RGB").resize((400, 400), Image.NEAREST)
    frame.paste(image, (120, 40))
    y, u, v = frame.convert("YCbCr").split()
    u, v = u.resize((320, 240)), v.resize((320, 240))
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes())


def test_the_secretary_checks_a_member_in_with_the_camera(live_server, browser, shot, tmp_path):
    tree = small_tree()
    secretary, member = (
        MemberFactory(cell=tree["c11"]),
        MemberFactory(cell=tree["c11"], full_name="Trần Thị Camera"),
    )
    grant(secretary.user, "cell_secretary", tree["c11"])
    meeting = Meeting.objects.create(
        title="Sinh hoạt thường kỳ",
        issuer_org=tree["c11"],
        audience_org=tree["c11"],
        state=Meeting.State.SCHEDULED,
        starts_at=timezone.now() - timedelta(minutes=1),
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m) for m in (secretary, member)]
    )
    video = tmp_path / "card.y4m"
    write_y4m(video, qrcode.make(credentials.card_token(member), border=4).get_image())

    camera_browser = browser.browser_type.launch(
        executable_path="/usr/bin/chromium",
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            *FAKE_CAMERA,
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(
            viewport={"width": 360, "height": 640}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.grant_permissions(["camera"], origin=live_server.url)
        violations = watch_csp(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, live_server.url, secretary.cccd, PASSWORD)
        page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/diem-danh/")
        page.get_by_role("button", name="Quét bằng camera").click()
        page.get_by_text("Đã điểm danh: Trần Thị Camera").first.wait_for(timeout=20_000)
        shot(page, "checkin-camera")
        assert errors == [] and violations == []
    finally:
        camera_browser.close()
    row = Attendance.objects.get(meeting=meeting, member=member)
    assert (
        row.status in (Attendance.Status.PRESENT, Attendance.Status.LATE) and row.method == "card"
    )
    assert (
        Attendance.objects.filter(meeting=meeting, status__in=("present", "late")).count() == 1
    )  # held up: once
