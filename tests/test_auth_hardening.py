"""Issue 12, accounts: rights follow positions only within what the actor may grant, activation
codes only for accounts never activated (a reset is its own right), tokens that expire and die
with the password, lockouts per account, per address and per both, and no answer that tells
whether a CCCD or an account exists outside the caller's scope."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from wagtail.models import ModelLogEntry

from sotay_plugins.members import importing as importer
from sotay_plugins.members import services
from sotay_plugins.members.cccd import make_cccd
from sotay_plugins.members.models import ActivationCode, ImportBatch, Member
from sotay_plugins.members.tests.helpers import edit_data
from sotay_plugins.orgtree.models import RoleAssignment
from sotay_plugins.orgtree.roles import CELL_SECRETARY, FULL_ADMIN, MEMBER_UPDATER
from tests.factories import MemberFactory, UserFactory, login, staff

PASSWORD = "Matkhau@123"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def secretary_rights(member):
    return set(
        RoleAssignment.objects.filter(
            user_id=member.user_id, role__code=CELL_SECRETARY
        ).values_list("org_id", flat=True)
    )


def never_activated(member):
    member.user.set_unusable_password()
    member.user.is_active = False
    member.user.save()
    return member


def token_for(api, username, password=PASSWORD, **extra):
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra
    )


def web_login(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        "/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- positions → cell-secretary rights, within what the actor may grant ---------------------


@pytest.mark.parametrize("role, granted", [(MEMBER_UPDATER, False), (FULL_ADMIN, True)])
def test_admin_edit_of_a_position_grants_only_what_the_editor_may(client, tree, role, granted):
    member = MemberFactory(cell=tree["c11"])
    editor = staff(role, tree["d1"])
    login(client, editor)
    response = client.post(
        reverse("members_member:edit", args=[member.pk]),
        edit_data(member, positions=["bi_thu_chi_bo"]),
        follow=True,
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.positions == {"bi_thu_chi_bo"}  # the position is saved either way
    assert secretary_rights(member) == ({tree["c11"].pk} if granted else set())
    notice = [m for m in messages_of(response) if "chưa giao quyền Bí thư chi bộ" in m]
    assert bool(notice) is not granted


@pytest.mark.parametrize("role, granted", [(MEMBER_UPDATER, False), (FULL_ADMIN, True)])
def test_a_transfer_moves_the_secretary_right_only_within_what_the_actor_may_grant(
    client, tree, role, granted
):
    member = MemberFactory(cell=tree["c11"], positions={"bi_thu_chi_bo"})
    services.sync_position_roles(member)  # the system's own grant at the first cell
    assert secretary_rights(member) == {tree["c11"].pk}
    actor = staff(role, tree["d1"])
    login(client, actor)
    response = client.post(
        reverse("members_member:transfer", args=[member.pk]),
        {"to_cell": tree["c12"].pk, "kind": "official", "on": "2026-01-02"},
        follow=True,
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.cell_id == tree["c12"].pk and member.positions == {"bi_thu_chi_bo"}
    assert secretary_rights(member) == ({tree["c12"].pk} if granted else set())
    assert any("chưa giao quyền" in m for m in messages_of(response)) is not granted


def test_an_import_by_someone_who_may_grant_creates_the_right(tree):
    from sotay_plugins.members.tests.helpers import rows_for, xlsx

    admin = staff(FULL_ADMIN, tree["d1"])
    rows = rows_for(tree, 1)
    rows[0]["positions"] = "Bí thư chi bộ"
    report = importer.run(xlsx(rows), tree["d1"], user=admin)
    assert report.applied and not report.notes
    member = Member.objects.get(cccd=rows[0]["cccd"])
    assert secretary_rights(member) == {tree["c11"].pk}


def test_an_import_batch_keeps_the_notice_of_rights_not_given(tree):
    from sotay_plugins.members.tests.helpers import rows_for, xlsx

    updater = staff(MEMBER_UPDATER, tree["d1"])
    rows = rows_for(tree, 1)
    rows[0]["positions"] = "Phó Bí thư chi bộ"
    batch = ImportBatch.objects.create(org=tree["d1"], original_name="x.xlsx", created_by=updater)
    importer.run(xlsx(rows), tree["d1"], user=updater, batch=batch)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DONE
    assert len(batch.notes) == 1 and "Chi bộ 1.1" in batch.notes[0]
    assert secretary_rights(Member.objects.get(cccd=rows[0]["cccd"])) == set()


# --- activation codes: only for accounts never activated; a reset is its own right ----------


def test_no_activation_code_for_an_activated_account(client, tree):
    member = MemberFactory(cell=tree["c11"])  # active, with a password
    secretary = staff(CELL_SECRETARY, tree["c11"])
    updater = staff(MEMBER_UPDATER, tree["d1"])
    for user in (secretary, updater):
        login(client, user)
        url = reverse("members_member:issue_activation", args=[member.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    with pytest.raises(services.ValidationError):
        services.issue_activation_code(member, actor=updater)
    assert not ActivationCode.objects.filter(member=member).exists()
    # and a data updater cannot reset it either: that right is the full administrator's
    assert client.post(reverse("members_member:reset_account", args=[member.pk])).status_code == 404
    member.user.refresh_from_db()
    assert member.user.is_active and member.user.check_password(PASSWORD)


def test_a_reset_by_a_full_admin_is_audited_ends_sessions_and_tokens(client, api, tree):
    from django.test import Client

    member = MemberFactory(cell=tree["c11"])
    phone = Client()
    login(phone, member.user)
    assert phone.get("/ho-so/").status_code == 200
    key = token_for(api, member.cccd).json()["token"]
    admin = staff(FULL_ADMIN, tree["d1"])
    login(client, admin)
    response = client.post(reverse("members_member:reset_account", args=[member.pk]))
    assert response.status_code == 200
    code = response.context["code"].replace(" ", "")
    member.user.refresh_from_db()
    assert not member.user.is_active and not member.user.has_usable_password()
    assert not Token.objects.filter(user=member.user).exists()
    assert phone.get("/ho-so/").status_code == 302  # the session died with the password
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    entry = ModelLogEntry.objects.get(
        object_id=str(member.pk), action="sotay_members.reset_account"
    )
    assert entry.user_id == admin.pk
    services.activate_account(member.cccd, code, "Binh-minh-2026")
    member.user.refresh_from_db()
    assert member.user.is_active and member.user.check_password("Binh-minh-2026")


def test_an_account_reactivated_by_code_keeps_no_old_code(tree):
    member = never_activated(MemberFactory(cell=tree["c11"]))
    code = services.issue_activation_code(member)
    services.activate_account(member.cccd, code, "Binh-minh-2026")
    with pytest.raises(services.ValidationError):
        services.issue_activation_code(member)
    with pytest.raises(services.ValidationError):
        services.activate_account(member.cccd, code, "Khac-hoan-toan-9")


# --- API tokens: expiry, death with the password, never from the query string ---------------


def test_an_expired_token_is_refused_and_a_new_login_gives_a_fresh_one(api, tree, settings):
    settings.SOTAY_TOKEN_DAYS = 30
    member = MemberFactory(cell=tree["c11"])
    key = token_for(api, member.cccd).json()["token"]
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=30, seconds=1))
    refused = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert refused.status_code == 401 and "không hợp lệ" in refused.json()["detail"]
    fresh = token_for(api, member.cccd).json()["token"]
    assert fresh != key
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {fresh}").status_code == 200


def test_a_password_change_ends_every_token(api, tree):
    member = MemberFactory(cell=tree["c11"])
    key = token_for(api, member.cccd).json()["token"]
    member.user.last_login = timezone.now()
    member.user.save(update_fields=["last_login"])  # not a password change
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    member.user.set_password("Doi-mat-khau-2026")
    member.user.save()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert token_for(api, member.cccd, "Doi-mat-khau-2026").status_code == 200


@pytest.mark.parametrize("name", ["token", "auth_token", "key", "Authorization"])
def test_a_token_in_the_query_string_does_not_authenticate(api, tree, name):
    member = MemberFactory(cell=tree["c11"])
    key = token_for(api, member.cccd).json()["token"]
    value = f"Token {key}" if name == "Authorization" else key
    assert api.get("/api/v1/me/", {name: value}).status_code == 401


def test_a_session_cookie_replayed_after_logout_is_refused(client, tree):
    from django.conf import settings
    from django.test import Client

    member = MemberFactory(cell=tree["c11"])
    assert web_login(client, member.cccd).status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/ho-so/").status_code == 200
    client.post("/dang-xuat/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replay.get("/ho-so/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    api = Client()
    api.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert api.get("/api/v1/me/").status_code == 401


# --- lockouts: per (account, address), per address, per account; web and API alike ----------


def test_one_address_trying_many_accounts_is_locked_out(client, api, tree, settings):
    settings.SOTAY_LOCKOUT_LIMITS = [5, 6, 50]
    victim = MemberFactory(cell=tree["c11"])
    statuses = [  # one wrong password on each of six accounts (real or not)
        web_login(client, make_cccd("034", date(1970, 5, 2), "male", 900 + i), "sai", "10.0.0.9")
        for i in range(6)
    ]
    assert [r.status_code for r in statuses] == [200] * 5 + [429]  # the sixth failure locks
    assert web_login(client, victim.cccd, PASSWORD, "10.0.0.9").status_code == 429
    locked = token_for(api, victim.cccd, REMOTE_ADDR="10.0.0.9")
    assert locked.status_code == 429 and "tạm khóa" in locked.json()["detail"]
    assert web_login(client, victim.cccd, PASSWORD, "10.0.0.10").status_code == 302


def test_one_account_tried_from_many_addresses_is_locked_out(client, tree, settings):
    settings.SOTAY_LOCKOUT_LIMITS = [5, 30, 8]
    victim = MemberFactory(cell=tree["c11"])
    statuses = [web_login(client, victim.cccd, "sai", f"10.1.0.{i}") for i in range(8)]
    assert [r.status_code for r in statuses] == [200] * 7 + [429]  # the eighth failure locks
    assert web_login(client, victim.cccd, PASSWORD, "10.1.0.99").status_code == 429


def test_failures_through_the_api_lock_the_web_login(client, api, tree):
    member = MemberFactory(cell=tree["c11"])
    for _ in range(5):
        token_for(api, member.cccd, "sai", REMOTE_ADDR="10.2.0.1")
    assert token_for(api, member.cccd, REMOTE_ADDR="10.2.0.1").status_code == 429
    assert web_login(client, member.cccd, PASSWORD, "10.2.0.1").status_code == 429


@pytest.mark.parametrize("lookalike", [FULLWIDTH, ARABIC_INDIC])
def test_lookalike_digits_are_the_same_account_to_the_login_and_the_lockout(
    client, api, tree, lookalike
):
    member = MemberFactory(cell=tree["c11"])
    disguised = member.cccd.translate(lookalike)
    assert token_for(api, disguised).status_code == 200  # the same account
    for _ in range(5):
        web_login(client, disguised, "sai", "10.3.0.1")
    assert web_login(client, member.cccd, PASSWORD, "10.3.0.1").status_code == 429


def test_the_token_endpoint_gives_one_answer_for_unknown_inactive_and_wrong(api, tree):
    active = MemberFactory(cell=tree["c11"])
    inactive = never_activated(MemberFactory(cell=tree["c11"]))
    unknown = make_cccd("034", date(1970, 5, 2), "male", 777)
    answers = {
        (r.status_code, r.json()["detail"])
        for r in (
            token_for(api, active.cccd, "sai", REMOTE_ADDR="10.4.0.1"),
            token_for(api, inactive.cccd, "sai", REMOTE_ADDR="10.4.0.2"),
            token_for(api, unknown, "sai", REMOTE_ADDR="10.4.0.3"),
        )
    }
    assert len(answers) == 1


# --- activation attempts -------------------------------------------------------------------


def activation_post(client, cccd, code, address):
    return client.post(
        "/kich-hoat/",
        {"cccd": cccd, "code": code, "password1": "Binh-minh-2026", "password2": "Binh-minh-2026"},
        REMOTE_ADDR=address,
    )


def test_activation_attempts_are_limited_per_cccd(client, tree, settings):
    settings.SOTAY_ACTIVATION_LIMITS = {"address": 100, "cccd": 5}
    member = never_activated(MemberFactory(cell=tree["c11"]))
    code = services.issue_activation_code(member)
    for i in range(5):
        assert activation_post(client, member.cccd, "AAAAAAAA", f"10.5.0.{i}").status_code == 200
    # the right code, from yet another address, in a look-alike spelling: still the same CCCD
    refused = activation_post(client, member.cccd.translate(FULLWIDTH), code, "10.5.0.50")
    assert refused.status_code == 429
    member.user.refresh_from_db()
    assert not member.user.is_active


def test_activation_attempts_are_limited_per_address(client, tree, settings):
    settings.SOTAY_ACTIVATION_LIMITS = {"address": 4, "cccd": 100}
    member = never_activated(MemberFactory(cell=tree["c11"]))
    code = services.issue_activation_code(member)
    for i in range(4):
        other = make_cccd("034", date(1970, 5, 2), "male", 800 + i)
        assert activation_post(client, other, "AAAAAAAA", "10.6.0.1").status_code == 200
    assert activation_post(client, member.cccd, code, "10.6.0.1").status_code == 429
    assert activation_post(client, member.cccd, code, "10.6.0.2").status_code == 302


# --- no answer about what lies outside the caller's scope -----------------------------------


def test_member_edit_does_not_say_a_cccd_exists_outside_the_scope(client, tree):
    mine = MemberFactory(cell=tree["c11"])
    neighbour = MemberFactory(cell=tree["c12"])  # in the updater's district
    elsewhere = MemberFactory(cell=tree["c21"])  # in another district
    staff_account = UserFactory(username=make_cccd("034", date(1970, 5, 2), "male", 4444))
    login(client, staff(MEMBER_UPDATER, tree["d1"]))
    url = reverse("members_member:edit", args=[mine.pk])

    def errors(cccd):
        response = client.post(url, edit_data(mine, cccd=cccd))
        assert response.status_code == 200
        return response.context["form"].errors["cccd"]

    assert errors(neighbour.cccd) == ["Số CCCD này đã thuộc về một đảng viên khác."]
    hidden = errors(elsewhere.cccd)
    assert "đảng viên" not in hidden[0] and hidden == errors(staff_account.username)
    assert errors(elsewhere.cccd.translate(FULLWIDTH)) == hidden  # a look-alike is the same number
    mine.refresh_from_db()
    assert Member.objects.filter(cccd=elsewhere.cccd).count() == 1


def test_role_grant_does_not_say_an_account_exists_outside_the_scope(client, tree):
    from sotay_plugins.orgtree.models import Role
    from sotay_plugins.orgtree.roles import VIEWER

    inside = MemberFactory(cell=tree["c11"])
    outside = MemberFactory(cell=tree["c21"])
    login(client, staff(FULL_ADMIN, tree["d1"]))

    def grant_to(username):
        return client.post(
            reverse("orgtree_roleassignment:add"),
            {
                "username": username,
                "role": Role.objects.get(code=VIEWER).pk,
                "org": tree["c11"].pk,
                "valid_from": "2026-01-01",
            },
        )

    unknown = grant_to("034070999999").context["form"].errors["username"]
    hidden = grant_to(outside.cccd).context["form"].errors["username"]
    assert [m.replace(outside.cccd, "X") for m in hidden] == [
        m.replace("034070999999", "X") for m in unknown
    ]
    assert not RoleAssignment.objects.filter(user=outside.user).exists()
    assert grant_to(inside.cccd).status_code == 302
