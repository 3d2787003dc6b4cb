"""A member's QR credentials, and the QR printed on the chip citizen ID card.

Two signed tokens (never the bare CCCD):
- the card token, printed on the member's card: long-lived, revoked by bumping
  ``Member.qr_version`` (a lost card);
- the app token, shown in the member's app page: valid ``APP_TOKEN_SECONDS``, so a screenshot
  cannot be reused later.

Other plugins reach this through ``registry.credential_resolver`` (:data:`RESOLVER`, the
``registry.CredentialResolver`` interface: the attendance plugin's check-in), never by importing
it. The SQL that reads members' columns for them is written here too (:meth:`Resolver.member_sql`).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from sotay_plugins.registry import Claims, MemberSql

from .cccd import CCCD_RE

SALT = "sotay.members.qr"
CARD, APP = "c", "a"
APP_TOKEN_SECONDS = 90


def card_token(member):
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"m": member.pk, "v": member.qr_version, "k": CARD}, compress=True
    )


def app_token(member):
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"m": member.pk, "v": member.qr_version, "k": APP}, compress=True
    )


def read_token(token):
    """``(member_id, qr_version, kind)`` of a valid token. Raises ValidationError (Vietnamese)."""
    token = (token or "").strip()
    if not token or len(token) > 300:
        raise ValidationError(_("Mã QR không hợp lệ."), code="invalid")
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token)  # the signature only; expiry depends on the kind
    except signing.BadSignature:
        raise ValidationError(_("Mã QR không hợp lệ hoặc đã bị sửa."), code="forged") from None
    if isinstance(data, dict) and data.get("k") == APP:
        try:
            signer.unsign_object(token, max_age=APP_TOKEN_SECONDS)
        except signing.SignatureExpired:
            raise ValidationError(
                _("Mã QR trên điện thoại đã hết hạn; xin mở lại trang mã QR để lấy mã mới."),
                code="expired",
            ) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("m"), int)
        or data.get("k") not in (CARD, APP)
    ):
        raise ValidationError(_("Mã QR không hợp lệ hoặc đã bị sửa."), code="forged")
    return data["m"], data.get("v"), data["k"]


@dataclass(frozen=True)
class ChipCard:
    cccd: str
    full_name: str
    birth_date: date
    gender: str  # "male" / "female"


CHIP_DATE_RE = re.compile(r"^\d{8}$")


def _chip_date(text, field):
    if not CHIP_DATE_RE.match(text or ""):
        raise ValidationError(
            _("Mã QR trên CCCD có %(field)s không đúng dạng ngày ddmmyyyy.") % {"field": field},
            code="date",
        )
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise ValidationError(
            _("Mã QR trên CCCD có %(field)s không phải ngày có thật.") % {"field": field},
            code="date",
        ) from None


def parse_chip_qr(text):
    """Parse ``CCCD|old ID|full name|ddmmyyyy|gender|address|issue date ddmmyyyy``."""
    parts = (text or "").strip().split("|")
    if len(parts) != 7:
        raise ValidationError(
            _("Mã QR trên CCCD phải có 7 trường ngăn bởi dấu |, mã này có %(n)d.")
            % {"n": len(parts)},
            code="fields",
        )
    cccd, _old, name, birth, gender, _address, issued = (p.strip() for p in parts)
    if not CCCD_RE.match(cccd):
        raise ValidationError(_("Số CCCD trong mã QR phải gồm 12 chữ số."), code="cccd")
    if not name:
        raise ValidationError(_("Mã QR trên CCCD thiếu họ tên."), code="name")
    genders = {"nam": "male", "nữ": "female", "nu": "female"}
    if gender.lower() not in genders:
        raise ValidationError(
            _("Giới tính trong mã QR trên CCCD phải là Nam hoặc Nữ."), code="gender"
        )
    card = ChipCard(
        cccd, " ".join(name.split()), _chip_date(birth, _("ngày sinh")), genders[gender.lower()]
    )
    _chip_date(issued, _("ngày cấp"))
    return card


def resolve(*, token=None, cccd_qr=None, among=None):
    """Who a scanned QR names: ``(member_id, method)`` with method "card", "app" or "cccd".

    A chip-card QR must match a member by CCCD *and* birth date, and the name must match too
    (case and spacing aside). With ``among`` (a queryset of member ids), a chip card is looked up
    among those members only: anyone else's card gets the answer an unknown CCCD gets, so a
    refusal never tells whether that CCCD belongs to a member elsewhere. Raises ValidationError
    with a Vietnamese message.
    """
    from .models import Member
    from .services import VISIBLE_STATUSES

    if token:
        member_id, version, kind = read_token(token)
        current = (
            Member.objects.filter(pk=member_id, status__in=VISIBLE_STATUSES)
            .values_list("qr_version", flat=True)
            .first()
        )
        if current is None:
            raise ValidationError(
                _("Mã QR không ứng với đảng viên nào đang sinh hoạt."), code="unknown"
            )
        if current != version:
            raise ValidationError(_("Thẻ QR này đã bị thu hồi; xin dùng thẻ mới."), code="revoked")
        return member_id, "card" if kind == CARD else "app"
    if cccd_qr:
        card = parse_chip_qr(cccd_qr)
        candidates = Member.objects.filter(cccd=card.cccd, status__in=VISIBLE_STATUSES)
        if among is not None:
            candidates = candidates.filter(pk__in=among)
        row = candidates.values_list("pk", "birth_date", "full_name").first()
        if row is None or row[1] != card.birth_date:
            raise ValidationError(
                _("Không tìm thấy đảng viên có số CCCD và ngày sinh này."), code="unknown"
            )
        if " ".join(row[2].split()).casefold() != card.full_name.casefold():
            raise ValidationError(
                _("Họ tên trên CCCD không khớp với hồ sơ đảng viên."), code="name_mismatch"
            )
        return row[0], "cccd"
    raise ValidationError(_("Chưa có mã QR."), code="required")


def token_claims(token):
    """What a member's signed token asserts, for a caller that checks the rest inside its own
    statement (check-in's one UPDATE): a ``registry.Claims``.

    The signature and, for an app token, its lifetime are checked here exactly as
    :func:`resolve` checks them; what :func:`resolve` would test with a query (the card not
    revoked: ``qr_version``; the member still active: ``status``) becomes the conditions of
    :func:`member_sql` (``shape``) with their values (``params``). A caller that finds no row
    meeting them must ask :func:`resolve` for the reason. Raises ValidationError (Vietnamese) as
    :func:`read_token` does.
    """
    from .services import VISIBLE_STATUSES

    member_id, version, kind = read_token(token)
    statuses = tuple(status.value for status in VISIBLE_STATUSES)
    params = {"c0": version, **{f"c{i}": value for i, value in enumerate(statuses, 1)}}
    return Claims(member_id, "card" if kind == CARD else "app", ("token", len(statuses)), params)


def member_sql(alias, member_id_sql, shape=None):
    """The members' table, the row ``member_id_sql`` names (with the conditions of a
    :func:`token_claims` ``shape``) and the member's name, as SQL for ``alias``."""
    from .models import Member

    q = connection.ops.quote_name
    meta = Member._meta

    def col(name):
        return f"{alias}.{q(meta.get_field(name).column)}"

    where = f"{alias}.{q(meta.pk.column)} = {member_id_sql}"
    if shape is not None:
        kind, statuses = shape
        if kind != "token":
            raise ValueError(f"unknown credential shape {shape!r}")
        placeholders = ", ".join(f"%(c{i})s" for i in range(1, statuses + 1)) or "NULL"
        where += f" AND {col('qr_version')} = %(c0)s AND {col('status')} IN ({placeholders})"
    return MemberSql(q(meta.db_table), where, col("full_name"))


class Resolver:
    """The members plugin's ``registry.CredentialResolver``."""

    resolve = staticmethod(resolve)
    claims = staticmethod(token_claims)
    member_sql = staticmethod(member_sql)


RESOLVER = Resolver()
