"""Security and privacy headers: a Content-Security-Policy on every answer (no inline script or
style without the request's nonce; only the Wagtail admin runs inline code, its own), a
Permissions-Policy, and ``Cache-Control: no-store`` on pages and API answers with personal data."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token

from sotay_plugins.middleware import PrivateAnswersMiddleware
from tests.factories import MemberFactory, small_tree

ROOT = Path(__file__).resolve().parent.parent


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


class Inline(HTMLParser):
    """Inline scripts and styles, and style/event-handler attributes, of an HTML page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.found.append(("script", attrs.get("nonce")))
        if tag == "style":
            self.found.append(("style", attrs.get("nonce")))
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append((name, None))


def inline(response):
    parser = Inline()
    parser.feed(response.content.decode())
    return parser.found


@pytest.fixture
def member(db):
    tree = small_tree()
    return MemberFactory(cell=tree["c11"], full_name="Nguyễn Thị An")


@pytest.fixture
def client_of(member):
    client = Client()
    client.force_login(member.user)
    return client


MEMBER_PAGES = ["/", "/ho-so/", "/ma-qr/", "/thu-vien/", "/tin-tuc/", "/doc-sau/", "/sinh-hoat/"]


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_pages_have_a_strict_policy_and_are_not_stored(client_of, path):
    response = client_of.get(path)
    assert response.status_code == 200, path
    policy = directives(response)
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["default-src"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert "microphone=(self)" in response.headers["Permissions-Policy"]  # voice input
    assert "no-store" in response.headers["Cache-Control"]
    # Nothing inline (which the policy would block), not even with a nonce: the home page is
    # kept whole and served again, and a nonce must never be.
    assert not inline(response), inline(response)


def test_login_page_and_the_api_are_not_stored(member):
    anonymous = Client().get("/dang-nhap/")
    assert anonymous.status_code == 200 and "no-store" in anonymous.headers["Cache-Control"]
    assert "Content-Security-Policy" in anonymous.headers
    token = Token.objects.create(user=member.user)
    api = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.status_code == 200 and member.full_name in api.content.decode()
    assert "no-store" in api.headers["Cache-Control"]
    assert "Content-Security-Policy" in api.headers and "Permissions-Policy" in api.headers


def test_an_answer_with_its_own_cache_control_is_made_private_for_a_credential():
    factory = RequestFactory()

    def public(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=600"
        return response

    middleware = PrivateAnswersMiddleware(public)
    assert middleware(factory.get("/x/"))["Cache-Control"] == "public, max-age=600"
    signed_in = factory.get("/x/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc")
    value = middleware(signed_in)["Cache-Control"]
    assert "no-store" in value and "private" in value and "public" not in value
    with_token = middleware(factory.get("/x/", HTTP_AUTHORIZATION="Token abc"))["Cache-Control"]
    assert "no-store" in with_token


def test_a_nonce_lets_one_inline_script_through(rf, settings):
    """``{{ request.csp_nonce }}`` in a template puts the same nonce in the header."""
    from django.template import engines

    from sotay_plugins.middleware import ContentSecurityPolicyMiddleware

    template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}">1</script>')

    def view(request):
        return HttpResponse(template.render({}, request))

    request = rf.get("/")
    middleware = ContentSecurityPolicyMiddleware(view)
    response = middleware(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]


def test_the_admin_alone_may_run_its_inline_code_and_nothing_from_elsewhere(db, admin_client):
    response = admin_client.get("/quan-tri/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]  # Wagtail's own inline scripts
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'self'"]
    assert "no-store" in response.headers["Cache-Control"]
    # The looser policy stops at the admin's prefix.
    assert "'unsafe-inline'" not in directives(admin_client.get("/dang-nhap/"))["script-src"]


TEMPLATE_DIRS = [
    ROOT / "site" / "templates",
    *ROOT.glob("*/templates"),
    *ROOT.glob("*/*/templates"),
]


def test_no_template_has_inline_script_or_handler():
    """No inline script or event handler anywhere (the policy would block it); no inline style
    outside the admin's templates."""
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            if ".venv" in path.parts:
                continue
            text = path.read_text()
            for match in re.finditer(r"<script\b[^>]*>", text):
                tag = match.group(0)
                if "src=" not in tag and "nonce=" not in tag and "application/json" not in tag:
                    offenders.append((path, tag))
            if re.search(r"<[a-z][^>]*\son[a-z]+=", text):
                offenders.append((path, "event handler attribute"))
            # Wagtail admin templates: the admin's policy allows inline styles there.
            is_admin = "/admin/" in str(path) or '{% extends "wagtailadmin/' in text
            if not is_admin and re.search(r"<style\b(?![^>]*nonce=)", text):
                offenders.append((path, "<style>"))
            if not is_admin and re.search(r"<[a-z][^>]*\sstyle=", text):
                offenders.append((path, "style attribute"))
    assert not offenders, offenders
