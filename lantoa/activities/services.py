"""Writes: activities, evidence, registrations (capacity, waiting list), attendance, retention."""

import logging
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from lantoa.activities import search
from lantoa.activities.models import (
    Activity,
    AudienceGroup,
    Evidence,
    EvidenceKind,
    LearningResource,
    Mode,
    Registration,
    RegistrationState,
    ResourceKind,
)
from lantoa.activities.permissions import can_create_activity, can_record_attendance
from lantoa.campaigns.models import ActivityType, Campaign
from lantoa.core.errors import Conflict, NotFound
from lantoa.core.publiccache import public_cache_invalidate
from lantoa.core.ratelimit import RateLimitUnavailable, rate_count
from lantoa.core.text import nfc
from lantoa.core.uploads import upload_accept
from lantoa.history.services import history_record
from lantoa.notifications.services import email_on_commit
from lantoa.units.models import Unit

logger = logging.getLogger(__name__)

EDITABLE = (
    "type",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "mode",
    "location",
    "online_url",
    "audience",
    "capacity",
    "public",
)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PHONE_RE = re.compile(r"^0(3|5|7|8|9)\d{8}$")
# Upper bounds: far above any real activity, far below what the columns and sums hold.
MAX_CAPACITY = 1_000_000
MAX_PARTICIPANTS = 100_000_000  # per audience group: more than the country's population
EVIDENCE_KINDS = frozenset({"image", "pdf", "docx", "xlsx", "pptx"})


class RateLimited(Exception):
    """Too many registrations from one address (429)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


# ---- validation ------------------------------------------------------------


def http_url_validate(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError({field: "Đường dẫn phải là địa chỉ http:// hoặc https:// hợp lệ."})
    return value


def phone_normalise(value: str) -> str:
    """Vietnamese mobile/landline: 0xxxxxxxxx or +84/84 xxxxxxxxx (spaces, dots, dashes ok)."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if PHONE_RE.match(digits) or re.match(r"^02\d{9}$", digits):
        return digits
    raise ValidationError(
        {"phone": "Số điện thoại không hợp lệ (ví dụ 0912345678 hoặc +84912345678)."}
    )


def _activity_clean(data: dict, *, campaign: Campaign) -> dict:
    errors: dict[str, str] = {}
    data["title"] = nfc(data.get("title"))
    data["description"] = (data.get("description") or "").strip()
    data["location"] = nfc(data.get("location"))
    if not data["title"]:
        errors["title"] = "Vui lòng nhập tên hoạt động."
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts, datetime):
        errors["starts_at"] = "Vui lòng nhập thời gian bắt đầu."
    if not isinstance(ends, datetime):
        errors["ends_at"] = "Vui lòng nhập thời gian kết thúc."
    elif isinstance(starts, datetime) and ends < starts:
        errors["ends_at"] = "Thời gian kết thúc phải sau thời gian bắt đầu."
    if data.get("mode") not in Mode.values:
        errors["mode"] = "Hình thức phải là trực tiếp, trực tuyến hoặc kết hợp."
    try:
        data["online_url"] = http_url_validate(data.get("online_url", ""), "online_url")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    mode = data.get("mode")
    if (
        mode in (Mode.ONLINE, Mode.HYBRID)
        and not data.get("online_url")
        and "online_url" not in errors
    ):
        errors["online_url"] = "Hoạt động trực tuyến cần đường dẫn tham gia (http/https)."
    if mode in (Mode.IN_PERSON, Mode.HYBRID) and not data["location"]:
        errors["location"] = "Hoạt động trực tiếp cần địa điểm."
    audience = data.get("audience") or []
    if any(a not in AudienceGroup.values for a in audience):
        errors["audience"] = "Đối tượng không hợp lệ."
    data["audience"] = list(dict.fromkeys(audience))
    capacity = data.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1):
        errors["capacity"] = "Số chỗ phải là số nguyên dương (để trống nếu không giới hạn)."
    elif capacity is not None and capacity > MAX_CAPACITY:
        errors["capacity"] = f"Số chỗ tối đa là {MAX_CAPACITY:,}.".replace(",", ".")
    activity_type = data.get("type")
    if isinstance(activity_type, str):
        activity_type = ActivityType.objects.filter(campaign=campaign, code=activity_type).first()
        data["type"] = activity_type
    if not isinstance(activity_type, ActivityType) or activity_type.campaign_id != campaign.pk:
        errors["type"] = "Loại hoạt động không có trong danh mục của Tuần lễ."
    if errors:
        raise ValidationError(errors)
    return data


def _search_text(activity: Activity, unit: Unit) -> str:
    """Title, place, type and the organiser's commune, district and province (one query)."""
    known = search.places_by_path(Unit, [unit.path])
    return search.activity_search_text(
        activity,
        unit=unit,
        type_name=activity.type.name,
        places=search.places_of(unit.path, known),
    )


def activities_search_reindex() -> int:
    """Rebuild the search text of every activity (after units or types were renamed)."""
    return search.reindex(Activity, Unit)


REINDEX_PREFIXES_PER_QUERY = 200


def activities_search_reindex_units(*, unit_ids: list[int]) -> int:
    """Rebuild the search text of the activities organised in these units' subtrees (their
    commune, district and province may have changed)."""
    paths = Unit.objects.filter(pk__in=unit_ids).values_list("path", flat=True)
    roots = search.subtree_roots(paths)
    done = 0
    for i in range(0, len(roots), REINDEX_PREFIXES_PER_QUERY):
        where = Q()
        for path in roots[i : i + REINDEX_PREFIXES_PER_QUERY]:
            where |= Q(unit__path__startswith=path)
        done += search.reindex(Activity, Unit, where=where)
    return done


def on_units_moved(*, unit_ids: list[int], old_paths: dict[int, str] | None = None) -> None:
    """Units moved (``units.paths.units_moved``): once the move commits, the worker gives the
    activities organised in their subtrees their new commune, district and province, so "long
    bien" stops finding a school moved under Phường Bồ Đề and "bo de" finds it. Off the move's
    transaction: a 10,000-row restructuring sheet keeps its fixed number of statements."""
    ids = list(unit_ids)

    def enqueue() -> None:
        from lantoa.activities.tasks import activities_reindex_units

        try:
            activities_reindex_units(ids)
        except Exception as exc:  # the task queue is down: do it here
            logger.warning("Search reindex task not enqueued (%s); done in the request", type(exc))
            activities_search_reindex_units(unit_ids=ids)

    transaction.on_commit(enqueue)


def _snapshot(activity: Activity) -> dict:
    return {
        "title": activity.title,
        "type": activity.type.code,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "mode": activity.mode,
        "location": activity.location,
        "online_url": activity.online_url,
        "capacity": activity.capacity,
        "public": activity.public,
        "cancelled": activity.cancelled,
        "participants": activity.participants,
    }


def _require_editor(user, unit: Unit) -> None:
    if not can_create_activity(user, unit):
        raise NotFound


# ---- activities ------------------------------------------------------------


@transaction.atomic
def activity_create(*, user, campaign: Campaign, unit: Unit, **fields) -> Activity:
    _require_editor(user, unit)
    data = _activity_clean({k: fields.get(k) for k in EDITABLE}, campaign=campaign)
    activity = Activity(campaign=campaign, unit=unit, created_by=user, **data)
    if data.get("public") is None:
        activity.public = True
    activity.search_text = _search_text(activity, unit)
    activity.full_clean(exclude=["search_text"])
    activity.save()
    history_record(
        actor=user,
        unit=unit,
        obj=activity,
        action="activity_create",
        summary=activity.title,
        after=_snapshot(activity),
    )
    public_cache_invalidate()
    return activity


@transaction.atomic
def activity_update(*, user, activity: Activity, **fields) -> Activity:
    _require_editor(user, activity.unit)
    before = _snapshot(activity)
    data = {k: getattr(activity, k) for k in EDITABLE}
    data.update({k: v for k, v in fields.items() if k in EDITABLE})
    data = _activity_clean(data, campaign=activity.campaign)
    for key, value in data.items():
        setattr(activity, key, value)
    activity.search_text = _search_text(activity, activity.unit)
    activity.full_clean(exclude=["search_text"])
    activity.save()
    history_record(
        actor=user,
        unit=activity.unit,
        obj=activity,
        action="activity_update",
        summary=activity.title,
        before=before,
        after=_snapshot(activity),
    )
    public_cache_invalidate()
    return activity


@transaction.atomic
def activity_cancel(*, user, activity: Activity) -> Activity:
    _require_editor(user, activity.unit)
    if activity.cancelled:
        raise Conflict("Hoạt động đã bị hủy trước đó.")
    activity.cancelled = True
    activity.save(update_fields=["cancelled", "updated_at"])
    recipients = list(
        activity.registrations.exclude(state=RegistrationState.CANCELLED)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    email_on_commit(
        to=recipients,
        subject=f"[Lantoa] Hoạt động đã bị hủy: {activity.title}",
        body=f"Rất tiếc, hoạt động «{activity.title}» đã bị đơn vị tổ chức hủy.\n\n— Lantoa",
        kind="activity_cancelled",
        sender=activity.unit,
    )
    history_record(
        actor=user,
        unit=activity.unit,
        obj=activity,
        action="activity_cancel",
        summary=activity.title,
    )
    public_cache_invalidate()
    return activity


@transaction.atomic
def activity_participants_set(*, user, activity: Activity, participants: dict) -> Activity:
    _require_editor(user, activity.unit)
    clean = {}
    errors = {}
    for key, value in (participants or {}).items():
        if key not in AudienceGroup.values:
            errors[f"participants.{key}"] = "Đối tượng không hợp lệ."
            continue
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            errors[f"participants.{key}"] = "Số người tham gia phải là số nguyên."
            continue
        try:
            number = int(value or 0)
        except (TypeError, ValueError, OverflowError):
            errors[f"participants.{key}"] = "Số người tham gia phải là số nguyên."
            continue
        if number < 0:
            errors[f"participants.{key}"] = "Số người tham gia không được âm."
            continue
        if number > MAX_PARTICIPANTS:
            errors[f"participants.{key}"] = (
                f"Số người tham gia tối đa là {MAX_PARTICIPANTS:,}.".replace(",", ".")
            )
            continue
        clean[key] = number
    if errors:
        raise ValidationError(errors)
    before = dict(activity.participants or {})
    activity.participants = clean
    activity.save(update_fields=["participants", "updated_at"])
    history_record(
        actor=user,
        unit=activity.unit,
        obj=activity,
        action="activity_participants",
        summary=activity.title,
        before={"participants": before},
        after={"participants": clean},
    )
    return activity


# ---- evidence --------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *, user, activity: Activity, title: str = "", url: str = "", upload=None
) -> Evidence:
    _require_editor(user, activity.unit)
    title = nfc(title)[:255]
    if upload is None:
        url = http_url_validate(url, "url")
        if not url:
            raise ValidationError({"url": "Vui lòng nhập đường dẫn hoặc chọn tệp."})
        evidence = Evidence(
            activity=activity, kind=EvidenceKind.LINK, title=title or url, url=url, created_by=user
        )
    else:
        accepted = upload_accept(upload, kinds=EVIDENCE_KINDS)
        kind = EvidenceKind.PHOTO if accepted.is_image else EvidenceKind.FILE
        original = Path(getattr(upload, "name", "") or accepted.name).name
        evidence = Evidence(
            activity=activity, kind=kind, title=title or nfc(original)[:255], created_by=user
        )
        evidence.file.save(accepted.name, accepted.as_file(), save=False)
    evidence.save()
    history_record(
        actor=user,
        unit=activity.unit,
        obj=activity,
        action="evidence_add",
        summary=evidence.title,
    )
    return evidence


# ---- registrations ---------------------------------------------------------


def registration_rate_check(*, address: str) -> None:
    """At most LANTOA_REGISTRATION_RATE_LIMIT attempts per address per window.

    ``address`` is REMOTE_ADDR: behind a reverse proxy that is the proxy's address, so the
    proxy must pass the client address in REMOTE_ADDR (see docs/portal.md).
    """
    limit = settings.LANTOA_REGISTRATION_RATE_LIMIT
    window = settings.LANTOA_REGISTRATION_RATE_WINDOW
    if not limit:
        return
    try:
        count = rate_count(key=f"registration:{address or '-'}", window=window)
    except RateLimitUnavailable:
        raise RateLimited(
            "Tạm thời không kiểm tra được giới hạn đăng ký (hệ thống đếm lượt không phản hồi). "
            "Vui lòng thử lại sau ít phút."
        )
    if count > limit:
        raise RateLimited(
            "Bạn đã gửi quá nhiều lượt đăng ký từ cùng một địa chỉ. Vui lòng thử lại sau ít phút."
        )


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _registration_clean(*, full_name: str, phone: str, email: str, consent: bool) -> dict:
    errors = {}
    full_name = nfc(full_name)
    phone = (phone or "").strip()
    email = (email or "").strip().lower()
    if not full_name:
        errors["full_name"] = "Vui lòng nhập họ và tên."
    elif len(full_name) > 150:
        errors["full_name"] = "Họ và tên quá dài."
    if phone:
        try:
            phone = phone_normalise(phone)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["email"] = "Địa chỉ thư điện tử không hợp lệ."
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors["phone"] = "Vui lòng nhập số điện thoại hoặc thư điện tử để nhận mã xác nhận."
    if consent is not True:
        errors["consent"] = (
            "Bạn cần đồng ý cho đơn vị tổ chức sử dụng thông tin cá nhân để đăng ký "
            "(Nghị định 13/2023/NĐ-CP)."
        )
    if errors:
        raise ValidationError(errors)
    return {"full_name": full_name, "phone": phone, "email": email}


def _lock_activity(activity_id: int) -> Activity:
    # PostgreSQL: the row lock serialises registrations to one activity. SQLite: the
    # settings make every transaction IMMEDIATE, so writers already queue at BEGIN.
    return Activity.objects.select_for_update().select_related("unit").get(pk=activity_id)


def _confirmed_count(activity: Activity) -> int:
    return activity.registrations.filter(state=RegistrationState.CONFIRMED).count()


def registration_create(
    *,
    activity: Activity,
    full_name: str,
    phone: str = "",
    email: str = "",
    consent: bool = False,
    waitlist: bool = False,
) -> Registration:
    """Register a citizen. Full → Conflict, unless ``waitlist`` (then state ``waiting``)."""
    data = _registration_clean(full_name=full_name, phone=phone, email=email, consent=consent)
    person_key = data["phone"] or data["email"]
    try:
        with transaction.atomic():
            activity = _lock_activity(activity.pk)
            if not activity.public or activity.cancelled:
                raise Conflict("Hoạt động đã bị hủy hoặc không mở đăng ký.")
            if activity.ends_at <= timezone.now():
                raise Conflict("Hoạt động đã kết thúc, không thể đăng ký.")
            same_person = Q(person_key=person_key)
            if data["phone"]:
                same_person |= Q(phone=data["phone"])
            if data["email"]:
                same_person |= Q(email=data["email"])
            if (
                Registration.objects.filter(same_person, activity=activity)
                .exclude(state=RegistrationState.CANCELLED)
                .exists()
            ):
                raise Conflict("Số điện thoại hoặc thư điện tử này đã đăng ký hoạt động này.")
            state = RegistrationState.CONFIRMED
            if activity.capacity is not None and _confirmed_count(activity) >= activity.capacity:
                if not waitlist:
                    raise Conflict("Hoạt động đã đủ chỗ. Bạn có thể đăng ký vào danh sách chờ.")
                state = RegistrationState.WAITING
            registration = Registration.objects.create(
                activity=activity,
                code=_new_code(),
                person_key=person_key,
                state=state,
                consent_at=timezone.now(),
                **data,
            )
            _registration_email(registration, activity)
            public_cache_invalidate()  # the home page's registration counter
            return registration
    except IntegrityError:
        raise Conflict("Số điện thoại hoặc thư điện tử này đã đăng ký hoạt động này.")


def _registration_email(registration: Registration, activity: Activity) -> None:
    if not registration.email:
        return
    when = timezone.localtime(activity.starts_at).strftime("%H:%M %d/%m/%Y")
    if registration.state == RegistrationState.CONFIRMED:
        head = f"Bạn đã đăng ký thành công hoạt động «{activity.title}» ({when})."
    else:
        head = (
            f"Hoạt động «{activity.title}» ({when}) đã đủ chỗ; bạn đang ở danh sách chờ "
            "và sẽ được báo khi có chỗ."
        )
    email_on_commit(
        to=[registration.email],
        subject=f"[Lantoa] Mã đăng ký {registration.code}",
        body=(
            f"{head}\n\nMã đăng ký: {registration.code}\n"
            f"Hủy đăng ký: {settings.BASE_URL}/cong-khai/dang-ky/?code={registration.code}\n\n— Lantoa"
        ),
        kind="registration",
        sender=activity.unit,
    )


def registration_cancel(*, code: str) -> Registration:
    """Cancel by confirmation code; the first on the waiting list moves up and is told."""
    code = (code or "").strip().upper()
    with transaction.atomic():
        registration = Registration.objects.filter(code=code).select_related("activity").first()
        if registration is None or registration.anonymised_at:
            raise NotFound
        activity = _lock_activity(registration.activity_id)
        registration.refresh_from_db()
        if registration.state == RegistrationState.CANCELLED:
            raise Conflict("Đăng ký này đã được hủy trước đó.")
        was_confirmed = registration.state == RegistrationState.CONFIRMED
        registration.state = RegistrationState.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["state", "cancelled_at", "updated_at"])
        if was_confirmed:
            _waiting_list_move_up(activity)
        public_cache_invalidate()
        return registration


def _waiting_list_move_up(activity: Activity) -> list[Registration]:
    if activity.capacity is None:
        free = None
    else:
        free = activity.capacity - _confirmed_count(activity)
        if free <= 0:
            return []
    waiting = activity.registrations.filter(state=RegistrationState.WAITING).order_by(
        "created_at", "id"
    )
    moved = list(waiting if free is None else waiting[:free])
    now = timezone.now()
    for registration in moved:
        registration.state = RegistrationState.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["state", "promoted_at", "updated_at"])
        if registration.email:
            email_on_commit(
                to=[registration.email],
                subject=f"[Lantoa] Bạn đã có chỗ: {activity.title}",
                body=(
                    f"Đã có chỗ trống: đăng ký {registration.code} của bạn cho hoạt động "
                    f"«{activity.title}» đã được xác nhận.\n\n— Lantoa"
                ),
            )
    return moved


@transaction.atomic
def attendance_record(*, user, activity: Activity, attended_ids: set[int]) -> int:
    """Mark who came (``attended_ids``) among the confirmed registrations; others: absent."""
    if not can_record_attendance(user, activity):
        raise NotFound
    confirmed = activity.registrations.filter(state=RegistrationState.CONFIRMED)
    present = confirmed.filter(pk__in=attended_ids).update(attended=True)
    confirmed.exclude(pk__in=attended_ids).update(attended=False)
    history_record(
        actor=user,
        unit=activity.unit,
        obj=activity,
        action="attendance_record",
        summary=f"{present} người có mặt",
    )
    return present


def registrations_anonymise(*, today=None) -> int:
    """Erase registrants' personal data LANTOA_REGISTRATION_RETENTION_DAYS after their campaign."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.LANTOA_REGISTRATION_RETENTION_DAYS)
    due = Registration.objects.filter(
        anonymised_at__isnull=True, activity__campaign__ends_on__lt=cutoff
    )
    with transaction.atomic():
        ids = list(due.values_list("pk", flat=True))
        Registration.objects.filter(pk__in=ids).update(
            full_name="(đã ẩn danh)",
            phone="",
            email="",
            person_key=Concat(Value("anon:"), Cast("pk", output_field=CharField())),
            anonymised_at=timezone.now(),
        )
    return len(ids)


# ---- open learning resources -----------------------------------------------


@transaction.atomic
def resource_create(
    *, user, campaign: Campaign, unit: Unit, kind: str, title: str, url: str, description: str = ""
) -> LearningResource:
    _require_editor(user, unit)
    errors = {}
    if kind not in ResourceKind.values:
        errors["kind"] = "Loại học liệu không hợp lệ."
    if not nfc(title):
        errors["title"] = "Vui lòng nhập tên học liệu."
    try:
        url = http_url_validate(url, "url")
        if not url:
            errors["url"] = "Vui lòng nhập đường dẫn http(s)."
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    resource = LearningResource(
        campaign=campaign,
        unit=unit,
        kind=kind,
        title=nfc(title),
        url=url,
        description=(description or "").strip(),
    )
    resource.full_clean()
    resource.save()
    history_record(actor=user, unit=unit, obj=resource, action="resource_create", summary=title)
    return resource
