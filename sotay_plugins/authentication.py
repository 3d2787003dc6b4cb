"""Who may sign in, and for how long: API tokens, lockouts, attempt limits (apart from api.py:
DRF imports this while it starts up).

- **API tokens** (DRF's ``authtoken``) live ``SOTAY_TOKEN_DAYS`` days from their creation and die
  with every change of the account's password (a change, an activation, a reset). The rule is
  written once, here, in Python (:class:`TokenAuthentication`) and as one SQL condition
  (:func:`token_sql`) for code that checks a token inside its own statement (the check-in fast
  path), so both refuse the same tokens.
- **Lockouts** (django-axes, database handler, so every process sees the same counts): failures
  are counted per (account, address), per address across accounts and per account across
  addresses, each against its own limit (``SOTAY_LOCKOUT_LIMITS``, ``lockout.LockoutHandler``). The
  web login and ``POST /api/v1/auth/token/`` go through the same ``authenticate()``, so through
  the same lockout. Usernames are folded (:func:`normalise_username`) before they are counted, so
  a look-alike spelling of a CCCD (full-width or other Unicode digits) is the same account.
- **Attempt limits** for forms that are not a password login (account activation):
  :class:`AttemptLimit`, fixed windows counted in the shared cache (Redis in production).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

#: Default lifetime of an API token, in days (a phone signs in again once a month).
DEFAULT_TOKEN_DAYS = 30


# --- usernames -------------------------------------------------------------------------------


def normalise_username(value):
    """NFKC, trimmed; a string of Unicode digits (full-width, Arabic-Indic, …) becomes ASCII
    digits, so ``０３４…`` and ``034…`` are one CCCD to the login and to the lockout."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if text and all(ch.isdecimal() for ch in text):
        text = "".join(str(unicodedata.decimal(ch)) for ch in text)
    return text


def lockout_username(request, credentials=None):
    """``AXES_USERNAME_CALLABLE``: the folded username of the attempt."""
    if credentials and credentials.get("username") is not None:
        return normalise_username(credentials["username"])
    return normalise_username(getattr(request, "POST", {}).get("username", ""))


# --- attempt limits for other forms ----------------------------------------------------------


class AttemptLimit:
    """At most ``limit`` attempts per ``seconds`` for each key (an address, a CCCD), counted in
    the shared cache. Keys are hashed: no CCCD is written to Redis in clear."""

    def __init__(self, name, limit, seconds):
        self.name, self.limit, self.seconds = name, limit, seconds

    def _key(self, value):
        digest = hmac.new(
            settings.SECRET_KEY.encode(), str(value).encode(), hashlib.sha256
        ).hexdigest()[:32]
        window = int(timezone.now().timestamp()) // self.seconds
        return f"sotay:limit:{self.name}:{window}:{digest}"

    def hit(self, value):
        """Count one attempt; True while the key is within its limit (this attempt included)."""
        key = self._key(value)
        if cache.add(key, 1, self.seconds):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, self.seconds)
                count = 1
        return count <= self.limit


def client_address(request):
    """The caller's address as django-axes sees it (the same proxy settings)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


# --- API tokens ------------------------------------------------------------------------------


def token_days():
    return int(getattr(settings, "SOTAY_TOKEN_DAYS", DEFAULT_TOKEN_DAYS))


def tokens_valid_since(now=None):
    """Tokens created at or before this moment have expired."""
    return (now or timezone.now()) - timedelta(days=token_days())


def token_sql(t="t", u="u"):
    """The SQL condition for "the API token ``%(key)s`` is valid and names the active account
    ``u``", for a statement that joins the token table as ``t`` and the user table as ``u``.
    Its parameters come from :func:`token_sql_values`."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    qn = connection.ops.quote_name
    user_model = get_user_model()

    def column(model, name):
        return qn(model._meta.get_field(name).column)

    return (
        f"{t}.{column(Token, 'key')} = %(key)s "
        f"AND {u}.{qn(user_model._meta.pk.column)} = {t}.{column(Token, 'user')} "
        f"AND {u}.{column(user_model, 'is_active')} "
        f"AND {t}.{column(Token, 'created')} > %(token_since)s"
    )


def token_sql_values(key, now=None):
    return {"key": key, "token_since": tokens_valid_since(now)}


def token_is_valid(token, now=None):
    return token.created > tokens_valid_since(now)


def issue_token(user):
    """The account's API token: the current one while it is valid, else a new one."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.filter(user=user).first()
    if token is not None and token_is_valid(token):
        return token
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def forget_tokens(user_id):
    """Every API token of the account stops working (a password change, a reset)."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user_id=user_id).delete()


def note_password_change(sender, instance, update_fields=None, **kwargs):
    """pre_save of the user model: remember whether the stored password is about to change."""
    instance._sotay_password_changed = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    stored = stored.first()
    instance._sotay_password_changed = stored is not None and stored != instance.password


def drop_tokens_on_password_change(sender, instance, created=False, **kwargs):
    """post_save of the user model: a changed password ends every API token of the account
    (sessions end by themselves: Django's session hash is derived from the password)."""
    if not created and getattr(instance, "_sotay_password_changed", False):
        forget_tokens(instance.pk)
        instance._sotay_password_changed = False


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (the ``Authorization: Token <key>`` header only, never the
    query string), refusing expired tokens, answering in Vietnamese."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not token_is_valid(token):
            raise exceptions.AuthenticationFailed("expired")
        return user, token

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            raise exceptions.AuthenticationFailed(
                _("Mã xác thực không hợp lệ hoặc tài khoản đã bị khóa.")
            ) from None
