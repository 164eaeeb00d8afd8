import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.accounts.models import ApiToken, Membership, Role, User
from lantoa.accounts.permissions import can_manage_members
from lantoa.accounts.selectors import memberships_for_token
from lantoa.accounts.usernames import username_normalise, username_problem
from lantoa.core import prepared
from lantoa.core.errors import NotFound
from lantoa.core.ratelimit import RateLimitUnavailable, rate_count
from lantoa.core.spreadsheets import RowError, RowErrors, read_table
from lantoa.core.text import nfc
from lantoa.history.services import history_record
from lantoa.units.models import Unit

logger = logging.getLogger(__name__)


def token_create(*, user: User) -> tuple[str, ApiToken]:
    """A new API token (LANTOA_API_TOKEN_DAYS); only its digest is stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        expires_at=timezone.now() + timedelta(days=settings.LANTOA_API_TOKEN_DAYS),
    )
    return raw, token


def token_authenticate(*, raw: str) -> User | None:
    """The active user of a valid token, with the token as ``user.api_token``; the user's
    active memberships come in the same query (``memberships_for_token``)."""
    digest, now = ApiToken.digest_of(raw), timezone.now()
    memberships = memberships_for_token(digest=digest, now=now)
    if memberships:
        user = memberships[0].user
        token = ApiToken(
            pk=memberships[0].token_id,
            user=user,
            digest=digest,
            expires_at=memberships[0].token_expires_at,
            last_used_at=memberships[0].token_last_used_at,
        )
    else:  # a user without an active membership
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest, expires_at__gt=now, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        user = token.user
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        prepared.update(token, ["last_used_at"])
    user.api_token = token
    return user


def tokens_for_user(*, user: User):
    """The user's tokens still valid, newest first (digests are never shown)."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-id"
    )


def token_revoke(*, user: User, token_id) -> None:
    """The owner revokes one of their tokens; anyone else's is NotFound."""
    try:
        deleted, _ = ApiToken.objects.filter(user=user, pk=int(token_id)).delete()
    except (TypeError, ValueError, OverflowError):
        raise NotFound
    if not deleted:
        raise NotFound


def tokens_revoke_all(*, user: User) -> int:
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def token_renew(*, user: User, token: ApiToken) -> tuple[str, ApiToken]:
    """A fresh token for the one in use, which is revoked: lifetimes stay short."""
    ApiToken.objects.filter(pk=token.pk, user=user).delete()
    return token_create(user=user)


@transaction.atomic
def user_logout_everywhere(*, user: User) -> None:
    """End every session (the session hash covers ``session_epoch``) and revoke every token."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    tokens_revoke_all(user=user)
    history_record(
        actor=user, unit=None, obj=user, action="logout_everywhere", summary=user.username
    )


def user_password_changed(*, user: User) -> None:
    """After any password change (own, reset link, administrator): tokens stop working;
    sessions end through Django's session hash, which covers the password."""
    tokens_revoke_all(user=user)


def _membership_snapshot(m: Membership | None) -> dict | None:
    return (
        None
        if m is None
        else {
            "user": m.user.username,
            "unit": m.unit.name,
            "role": m.role,
            "is_active": m.is_active,
        }
    )


@transaction.atomic
def membership_set(*, user: User, unit: Unit, role: str, actor=None) -> Membership:
    if actor is not None and not can_manage_members(actor, unit):
        raise NotFound
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    existing = (
        Membership.objects.filter(user=user, unit=unit).select_related("user", "unit").first()
    )
    before = _membership_snapshot(existing)
    if existing:
        existing.role, existing.is_active = role, True
        existing.save(update_fields=["role", "is_active", "updated_at"])
        membership = existing
    else:
        membership = Membership.objects.create(user=user, unit=unit, role=role)
    history_record(
        actor=actor,
        unit=unit,
        obj=membership,
        action="membership",
        summary=f"Phân quyền {user.username}: {membership.get_role_display()} tại {unit.name}",
        before=before,
        after=_membership_snapshot(membership),
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor=None) -> None:
    before = _membership_snapshot(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    history_record(
        actor=actor,
        unit=membership.unit,
        obj=membership,
        action="membership_remove",
        summary=f"Thu hồi quyền của {membership.user.username} tại {membership.unit.name}",
        before=before,
        after=_membership_snapshot(membership),
    )


def _validate_user(username: str, email: str) -> None:
    errors = {}
    if problem := username_problem(username):
        errors["username"] = problem
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("Tên đăng nhập “%(username)s” đã tồn tại.") % {"username": username}
    if email and "@" not in email:
        errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    email: str,
    unit: Unit,
    role: str,
    password: str | None = None,
    actor=None,
) -> User:
    if actor is not None and not can_manage_members(actor, unit):
        raise NotFound
    username = username_normalise(username)
    _validate_user(username, email)
    user = User(username=username, full_name=nfc(full_name), email=email.strip())
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    membership_set(user=user, unit=unit, role=role, actor=actor)
    return user


def password_link_lifetime() -> str:
    """How long an e-mailed link works (PASSWORD_RESET_TIMEOUT), in words: "3 ngày"."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds >= 86400 and seconds % 86400 == 0:
        return _("%(n)s ngày") % {"n": seconds // 86400}
    if seconds >= 3600:
        return _("%(n)s giờ") % {"n": seconds // 3600}
    return _("%(n)s phút") % {"n": max(1, seconds // 60)}


def _password_link_email(*, user: User, template: str, kind: str) -> None:
    """Queue (lantoa.notifications, sent by the worker after commit) an e-mail carrying a
    one-time link to set the password. The link is built on LANTOA_BASE_URL, never on the
    request's Host header, which a client controls."""
    from django.contrib.auth.tokens import default_token_generator
    from django.template.loader import render_to_string
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from lantoa.notifications.services import email_on_commit

    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "protocol": "https" if settings.BASE_URL.startswith("https") else "http",
        "domain": settings.BASE_URL.split("://", 1)[-1],
        "lifetime": password_link_lifetime(),
    }
    subject = render_to_string(f"accounts/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/{template}_email.txt", context)
    email_on_commit(to=[user.email], subject=subject, body=body, kind=kind)


def user_invite(*, user: User, request=None) -> None:
    """E-mail a one-time link to set the password (after the transaction commits).

    Django's PasswordResetForm skips accounts without a usable password, which is
    exactly what a new invited account has, so the link is built here.
    """
    if not user.email:
        raise ValidationError({"email": _("Người dùng chưa có địa chỉ thư điện tử.")})
    _password_link_email(user=user, template="invite", kind="invite")


class PasswordResetThrottled(Exception):
    """Too many reset requests from one client address or for one e-mail address (429)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _password_reset_rate_check(*, client_address: str, email: str) -> None:
    """LANTOA_PASSWORD_RESET_ADDRESS_LIMIT per client address and
    LANTOA_PASSWORD_RESET_EMAIL_LIMIT per e-mail address per window, counted in the shared
    store (lantoa.core.ratelimit) whether or not the address belongs to an account, so the
    throttle reveals nothing either."""
    window = settings.LANTOA_PASSWORD_RESET_WINDOW
    limits = [
        (
            f"password_reset:ip:{client_address or '-'}",
            settings.LANTOA_PASSWORD_RESET_ADDRESS_LIMIT,
        ),
        # The counter store keeps a digest, not the address.
        (
            f"password_reset:email:{hashlib.sha256(email.encode()).hexdigest()[:32]}",
            settings.LANTOA_PASSWORD_RESET_EMAIL_LIMIT,
        ),
    ]
    try:
        over = [rate_count(key=key, window=window) > limit for key, limit in limits if limit]
    except RateLimitUnavailable:
        raise PasswordResetThrottled(
            _(
                "Tạm thời không kiểm tra được giới hạn yêu cầu (hệ thống đếm lượt không phản "
                "hồi). Vui lòng thử lại sau ít phút."
            )
        )
    if any(over):
        raise PasswordResetThrottled(
            _("Bạn đã yêu cầu đặt lại mật khẩu quá nhiều lần. Vui lòng thử lại sau.")
        )


def password_reset_users(*, email: str):
    """Active accounts with this e-mail address (any case). Accounts still waiting for
    their invitation (no password yet) count: the link is the same as the invitation's."""
    return User.objects.filter(email__iexact=email, is_active=True).order_by("pk")


def password_reset_request(*, email: str, client_address: str) -> None:
    """Self-service reset: throttle, then hand the address to the worker
    (``accounts.tasks.password_reset_links``), which queues one link per active account
    holding it. The request does the same work for an unknown or inactive address, and
    nothing tells the caller which it was."""
    from lantoa.accounts.tasks import password_reset_links

    email = (email or "").strip().lower()
    _password_reset_rate_check(client_address=client_address, email=email)
    if not email:
        return
    try:
        password_reset_links(email)
    except Exception as exc:  # the task queue is down: look up and queue here instead
        logger.warning("Reset link task not enqueued (%s); queued in the request", type(exc))
        password_reset_send(email=email)


@transaction.atomic
def password_reset_send(*, email: str) -> int:
    """Queue (EmailMessageLog, sent after commit) a reset link to each active account
    holding ``email``; nothing for an unknown address. Returns how many were queued."""
    users = list(password_reset_users(email=email))
    for user in users:
        _password_link_email(user=user, template="password_reset", kind="password_reset")
    return len(users)


def password_reset_user(*, user: User | None) -> User | None:
    """The account a reset link may set a password for: inactive accounts may not."""
    return user if user is not None and user.is_active else None


@transaction.atomic
def user_password_reset_done(*, user: User) -> None:
    """A password set through an e-mailed link (reset or invitation): every API token is
    revoked; other sessions end through the session hash, which covers the password. The
    account's login lockout is lifted (whoever set it proved they hold its mailbox), so a
    user locked out by forgetting can log in at once."""
    from axes.utils import reset as axes_reset

    user_password_changed(user=user)
    axes_reset(username=user.username)
    history_record(
        actor=user,
        unit=None,
        obj=user,
        action="password_reset_self",
        summary=f"Tự đặt lại mật khẩu: {user.username}",
    )


@transaction.atomic
def user_set_password(*, user: User, actor=None) -> str:
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    user.save(update_fields=["password"])
    ApiToken.objects.filter(user=user).delete()
    history_record(
        actor=actor,
        unit=None,
        obj=user,
        action="password_reset",
        summary=f"Đặt lại mật khẩu cho {user.username}",
    )
    return password


@transaction.atomic
def user_deactivate(*, user: User, actor=None) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user).delete()
    history_record(
        actor=actor,
        unit=None,
        obj=user,
        action="deactivate",
        summary=f"Khóa tài khoản {user.username}",
        before={"is_active": True},
        after={"is_active": False},
    )


def user_manageable_by(*, user: User, admin_unit: Unit) -> bool:
    """An admin of ``admin_unit`` may reset or lock ``user`` only if every active
    membership of ``user`` lies inside that subtree (no reaching up or sideways)."""
    if user.is_superuser:
        return False
    paths = Membership.objects.filter(user=user, is_active=True).values_list(
        "unit__path", flat=True
    )
    return all(p.startswith(admin_unit.path) for p in paths)


USER_COLUMNS = {
    "username": ["Tên đăng nhập", "username"],
    "full_name": ["Họ và tên", "full_name", "ho ten"],
    "email": ["Thư điện tử", "email"],
    "unit_code": ["Mã đơn vị", "unit_code"],
    "role": ["Vai trò", "role"],
}


def users_import(*, root: Unit, upload, actor=None) -> list[User]:
    rows = read_table(upload, columns=USER_COLUMNS, optional={"email"})
    errors = []
    units: dict[str, int | None] = {}
    for unit_code, pk in root.subtree().exclude(code="").values_list("code", "pk"):
        # A commune and a province may share a code: such a code is ambiguous.
        units[unit_code] = None if unit_code in units else pk
    wanted = {str(r["username"]).strip().lower() for r in rows}
    existing = set(
        User.objects.annotate(key=Lower("username"))
        .filter(key__in=wanted)
        .values_list("key", flat=True)
    )
    seen = set()
    role_names = {r.value: r.value for r in Role} | {
        str(r.label).split(" ")[0].lower(): r.value for r in Role
    }
    for row in rows:
        name = str(row["username"]).strip().lower()
        code = str(row["unit_code"]).strip()
        if isinstance(row["unit_code"], float) and row["unit_code"].is_integer():
            code = str(int(row["unit_code"]))
        row["unit_code"] = code
        if not name:
            errors.append(RowError(row["_row"], "Tên đăng nhập", _("không được để trống")))
        elif name in existing or name in seen:
            errors.append(
                RowError(
                    row["_row"],
                    "Tên đăng nhập",
                    _("“%(username)s” đã tồn tại") % {"username": name},
                )
            )
        seen.add(name)
        if units.get(code, 0) is None:
            errors.append(
                RowError(
                    row["_row"],
                    "Mã đơn vị",
                    _("mã “%(code)s” trùng ở nhiều đơn vị (một tỉnh và một xã)") % {"code": code},
                )
            )
        elif code not in units:
            errors.append(
                RowError(
                    row["_row"],
                    "Mã đơn vị",
                    _("không tìm thấy đơn vị “%(code)s” trong phạm vi của bạn") % {"code": code},
                )
            )
        role = role_names.get(str(row["role"]).strip().lower())
        if not role:
            errors.append(
                RowError(
                    row["_row"],
                    "Vai trò",
                    _("vai trò “%(role)s” không hợp lệ (viewer, editor, approver, admin)")
                    % {"role": row["role"]},
                )
            )
        row["role"] = role
        email = str(row["email"]).strip()
        if email and "@" not in email:
            errors.append(RowError(row["_row"], "Thư điện tử", _("địa chỉ không hợp lệ")))
    if errors:
        raise RowErrors(errors)
    with transaction.atomic():
        return [
            user_create(
                username=str(r["username"]),
                full_name=str(r["full_name"]),
                email=str(r["email"]),
                unit=Unit.objects.get(pk=units[r["unit_code"]]),
                role=r["role"],
                actor=actor,
            )
            for r in rows
        ]
