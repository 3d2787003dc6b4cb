"""The Wagtail admin under its own Content-Security-Policy: inline scripts and styles allowed
there (Wagtail writes its own), nothing from another origin, no eval. A superuser walks the main
screens, opens the page editor (StreamField, choosers) and the admin's own report and tree; the
browser reports no violation and no JavaScript error."""

import time

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import MemberFactory, document_page, ensure_site, small_tree

from .helpers import watch_csp

PASSWORD = "Sotay@2026"  # noqa: S105


@pytest.fixture
def admin_world(db):
    tree = small_tree()
    MemberFactory(cell=tree["c11"])
    ensure_site()
    page = document_page(tree["province"])
    admin = get_user_model().objects.create_superuser("quantri", password=PASSWORD)
    device = TOTPDevice.objects.create(user=admin, name="Điện thoại", confirmed=True)
    return {"page": page, "device": device}


def current_code(device):
    """What the staff member's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def test_admin_screens_keep_to_their_policy(live_server, browser, shot, admin_world):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(20_000)
    violations = watch_csp(context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.goto(f"{live_server.url}/quan-tri/login/")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # Staff prove the second factor before any admin page (members.twofactor).
    page.wait_for_url("**/xac-thuc-hai-buoc/**")
    page.fill("input[name=code]", current_code(admin_world["device"]))
    page.press("input[name=code]", "Enter")  # (the shell's header has buttons of its own)
    page.wait_for_url(f"{live_server.url}/quan-tri/")
    screens = [
        "/quan-tri/",
        "/quan-tri/pages/",
        f"/quan-tri/pages/{admin_world['page'].pk}/edit/",
        "/quan-tri/documents/",
        "/quan-tri/images/",
        "/quan-tri/dang-vien/",
        "/quan-tri/to-chuc/",
        "/quan-tri/sinh-hoat/",
        "/quan-tri/bao-cao-sinh-hoat/",
        "/quan-tri/users/",
    ]
    for path in screens:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        if path.endswith("/edit/"):
            shot(page, "admin-page-editor-under-csp")
            # The StreamField and the side panels are built by Wagtail's scripts.
            assert page.locator("[data-streamfield-stream-container], .w-form-width").count()
    shot(page, "admin-users-under-csp")
    context.close()
    assert errors == [], errors
    assert violations == [], "\n".join(violations)
