"""Languages: the member site in English on request, the language switch in the footer, the
English catalogue complete and its placeholders intact, and the Wagtail admin in Vietnamese.

The .mo files are not committed: a session fixture compiles every catalogue first, as the install
step does (``manage.py compile_catalogues``), then drops Django's cached translations.
"""

import re
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.signals import setting_changed
from django.urls import reverse
from django.utils import translation

from tests.factories import MemberFactory, UserFactory

LOCALE = Path(settings.LOCALE_PATHS[0])
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
VI_PO = LOCALE / "vi" / "LC_MESSAGES" / "django.po"
VI_JS_PO = LOCALE / "vi" / "LC_MESSAGES" / "djangojs.po"
BACKEND = "django.contrib.auth.backends.ModelBackend"

#: %(name)s / %(n)d style, a literal %%, {name} style, and HTML tags: all must survive translation.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%|\{\w*\}|</?[a-zA-Z][^>]*>"
)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    call_command("compile_catalogues", stdout=StringIO())
    # Translations already loaded in this process predate the .mo files: have Django forget
    # them, as it does when LOCALE_PATHS changes under override_settings.
    setting_changed.send(
        sender=settings._wrapped.__class__,
        setting="LOCALE_PATHS",
        value=settings.LOCALE_PATHS,
        enter=False,
    )
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def live_entries(path):
    return [e for e in polib.pofile(str(path)) if not e.obsolete]


def forms(entry):
    """(source, translation) pairs: the plural source goes with every plural translation but the
    first."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    return [
        (entry.msgid if i == 0 and len(entry.msgstr_plural) > 1 else entry.msgid_plural, text)
        for i, text in sorted(entry.msgstr_plural.items())
    ]


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


# --- the member site ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_vietnamese_by_default(client):
    html = client.get(reverse("members:login")).content.decode()
    assert '<html lang="vi"' in html
    assert "Số CCCD" in html and "Đăng nhập" in html
    assert "Citizen ID" not in html


@pytest.mark.django_db
def test_login_page_in_english_once_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the footer's switch sets
    html = client.get(reverse("members:login")).content.decode()
    assert '<html lang="en"' in html
    assert "Citizen ID (CCCD)" in html
    assert "Log in" in html and "Electronic Party Member Handbook" in html
    assert "Số CCCD" not in html and "Đăng nhập" not in html


@pytest.mark.django_db
def test_footer_offers_both_languages_and_returns_to_the_same_page(client):
    html = client.get(reverse("members:login") + "?next=/ho-so/").content.decode()
    footer = html[html.index("<footer>") : html.index("</footer>")]
    assert f'action="{reverse("set_language")}"' in footer and 'method="post"' in footer
    assert 'name="csrfmiddlewaretoken"' in footer
    assert '<input type="hidden" name="next" value="/dang-nhap/?next=/ho-so/">' in footer
    assert (
        '<button type="submit" name="language" value="vi" lang="vi" '
        'aria-pressed="true">Tiếng Việt</button>' in footer
    )
    assert (
        '<button type="submit" name="language" value="en" lang="en" '
        'aria-pressed="false">English</button>' in footer
    )
    # The footer comes before the fixed bottom tab bar in the page, never inside <main>.
    assert html.index("</main>") < html.index("<footer>")


@pytest.mark.django_db
def test_language_switch_sets_english_then_back_to_vietnamese(client):
    login = reverse("members:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302 and response["Location"] == login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(login).content.decode()  # the test client keeps the cookie
    assert '<html lang="en"' in html and "Citizen ID (CCCD)" in html
    assert 'value="en" lang="en" aria-pressed="true"' in html

    response = client.post(reverse("set_language"), {"language": "vi", "next": login})
    assert response.status_code == 302
    html = client.get(login).content.decode()
    assert '<html lang="vi"' in html and "Số CCCD" in html


@pytest.mark.django_db
def test_language_switch_refuses_a_foreign_next(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://example.com/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


# --- the catalogues -----------------------------------------------------------------------------


def test_english_catalogue_is_complete():
    catalogue = polib.pofile(str(EN_PO))
    assert not catalogue.metadata_is_fuzzy
    entries = live_entries(EN_PO)
    assert len(entries) > 400
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == [] and fuzzy == []
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert all(len(e.msgstr_plural) == 2 for e in entries if e.msgid_plural)


@pytest.mark.parametrize("path", [EN_PO, VI_PO, VI_JS_PO], ids=["en", "vi", "vi-js"])
def test_every_placeholder_survives_translation(path):
    broken = []
    for entry in live_entries(path):
        for source, text in forms(entry):
            if text and placeholders(source) != placeholders(text):
                broken.append((source, text))
    assert broken == []


@pytest.mark.parametrize("path", [EN_PO, VI_PO], ids=["en", "vi"])
def test_python_format_entries_are_flagged_and_really_format(path):
    for entry in live_entries(path):
        names = set(re.findall(r"%\((\w+)\)", entry.msgid + entry.msgid_plural))
        if not names:
            continue
        assert "python-format" in entry.flags, entry.msgid
        values = {name: 1 for name in names}
        for _source, text in forms(entry):
            text % values  # raises on a broken or extra placeholder


def test_vietnamese_admin_catalogue_only_holds_wagtail_and_django_msgids():
    """Every msgid in locale/vi is copied exactly from Wagtail's (or Django's) own catalogues."""
    wagtail = Path(__import__("wagtail").__file__).parent
    django_en = (
        Path(__import__("django").__file__).parent
        / "conf"
        / "locale"
        / "en"
        / "LC_MESSAGES"
        / "django.po"
    )
    known = {}
    for po in [*wagtail.glob("**/locale/en/LC_MESSAGES/django*.po"), django_en]:
        for entry in polib.pofile(str(po)):
            known[(entry.msgctxt, entry.msgid)] = entry.msgid_plural
    entries = live_entries(VI_PO) + live_entries(VI_JS_PO)
    assert len(entries) > 300
    strays = [
        e.msgid for e in entries if known.get((e.msgctxt, e.msgid), "missing") != e.msgid_plural
    ]
    assert strays == []
    assert all(e.translated() and "fuzzy" not in e.flags for e in entries)
    assert polib.pofile(str(VI_PO)).metadata["Plural-Forms"] == "nplurals=1; plural=0;"


# --- the Wagtail admin in Vietnamese ------------------------------------------------------------


@pytest.mark.django_db
def test_admin_dashboard_and_chrome_are_vietnamese_for_a_superuser(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True), backend=BACKEND)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    # Wagtail's own vi catalogue says "Trang tổng quan" and has no "Site summary": these come
    # from locale/vi, which takes precedence.
    assert "<title>Bảng điều khiển" in html
    assert "Tổng quan hệ thống" in html
    assert "Dashboard" not in html and "Site summary" not in html
    with translation.override("vi"):
        assert translation.gettext("Log out") == "Đăng xuất"
        assert translation.gettext("Filter by") == "Lọc theo"
        assert (
            translation.gettext("Page %(page_num)s of %(total_pages)s")
            == "Trang %(page_num)s/%(total_pages)s"
        )
        assert translation.gettext("There are no results.") == "Không có kết quả nào."


@pytest.mark.django_db
def test_admin_member_listing_chrome_is_vietnamese(client, tree):
    MemberFactory(cell=tree["c11"])
    client.force_login(UserFactory(is_superuser=True, is_staff=True), backend=BACKEND)
    html = client.get(reverse("members_member:index")).content.decode()
    assert "Lọc theo" in html and "Trang 1/1" in html
    for english in ("Filter by", "Page 1 of 1", "Show filters", "Pagination"):
        assert english not in html, english
