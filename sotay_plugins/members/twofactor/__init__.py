"""Two-factor authentication for staff (django-otp: a TOTP authenticator and recovery codes).

Who: every account that holds a right over other people's data, i.e. any role assignment in
force (``scope.grants``) or a superuser (:func:`needs_two_factor`). A plain member has no
right over anyone else and keeps the password-only member shell.

Where: the Wagtail admin (/quan-tri/). ``middleware.StaffTwoFactorGate`` sends a staff session
that has not proved a second factor to enrolment (no confirmed authenticator yet) or to
verification (once per session: ``django_otp.login`` keeps the device in the session), before
any admin page, login/logout and password reset excepted. Enrolment shows a QR code rendered
here (SVG, no outside call) and the key in text, checks one code, then shows ten single-use
recovery codes once.

The API (/api/v1/) stays token-based without a second factor: a token is issued on a password
(CONTRACT.md), the phones of cell secretaries use it for check-in and their meetings; it opens the
API's endpoints (scoped by the same engine), never the admin's views, which need a session. A
code at token issue for staff would change CONTRACT.md's token endpoint. See README ("Staff
two-factor").

A lost device: :func:`reset` deletes the user's devices (they enrol again at their next admin
visit) and writes ``sotay_members.twofactor_reset`` to the audit log; :func:`may_reset` says
who may: a superuser, or a full administrator of a unit strictly above every unit where the
user holds a role (never themselves).
"""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotay_plugins.orgtree import scope

RESET_ACTION = "sotay_members.twofactor_reset"
RECOVERY_CODES = 10
DEVICE_NAME = "default"


def needs_two_factor(user):
    """Must this account prove a second factor before the admin? (staff: any role, superuser)"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or scope.grants(user))


def authenticator(user, confirmed=True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def is_enrolled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user):
    """The unconfirmed authenticator being enrolled (made on the first visit of enrolment)."""
    device = authenticator(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm(device):
    """Confirm an enrolled authenticator and issue fresh recovery codes (returned, shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user_id).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user_id).delete()
    static = StaticDevice.objects.create(user_id=device.user_id, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def _full_admin_grants(user):
    return [g for g in scope.grants(user) if scope.ALL in g.capabilities]


def may_reset(actor, user):
    """May ``actor`` reset ``user``'s second factor? A superuser may (anyone but themselves); a
    full administrator may for a non-superuser whose every role is held at units strictly
    below one where the actor is full administrator."""
    if not needs_two_factor(actor) or actor.pk == user.pk:
        return False
    if actor.is_superuser:
        return True
    if user.is_superuser:
        return False
    held = _full_admin_grants(actor)
    targets = scope.grants(user) if user.is_active else []
    if not held or not targets:
        return False
    return all(
        any(
            g.tree_id == t.tree_id and g.lft < t.lft and t.rght < g.rght and g.org_id != t.org_id
            for g in held
        )
        for t in targets
    )


@transaction.atomic
def reset(actor, user):
    """Delete ``user``'s authenticator and recovery codes (they enrol again) and record it."""
    from wagtail.log_actions import log

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log(instance=user, action=RESET_ACTION, user=actor)
