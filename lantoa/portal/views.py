"""The public portal: no account, no personal data, small pages that work without JavaScript."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from lantoa.activities import selectors
from lantoa.activities.models import Registration, RegistrationState
from lantoa.activities.services import (
    RateLimited,
    registration_cancel,
    registration_create,
    registration_rate_check,
)
from lantoa.campaigns.models import ActivityType
from lantoa.campaigns.selectors import campaign_current, campaigns_list
from lantoa.core.dates import parse_vietnamese_date
from lantoa.core.errors import Conflict, error_messages
from lantoa.core.paging import counted_page
from lantoa.core.publiccache import public_fragment
from lantoa.honours.selectors import public_honours, with_province_names
from lantoa.portal.ics import calendar_of

ICS_MIME = "text/calendar; charset=utf-8"
FEED_LIMIT = 1000


def _home_body() -> str:
    campaign = campaign_current()
    counters = selectors.public_counters(campaign=campaign) if campaign else None
    upcoming = []
    if campaign:
        upcoming = list(
            selectors.public_activities(campaign=campaign, day_from=timezone.localdate())[:6]
        )
        left = selectors.places_left_map(upcoming)
        places = selectors.activity_places(upcoming)
        for a in upcoming:
            a.left, a.place = left[a.pk], places[a.pk]
    return render_to_string(
        "portal/_home_body.html", {"campaign": campaign, "counters": counters, "upcoming": upcoming}
    )


def home(request):
    """The same for every visitor: its body is cached until an activity, a registration or a
    campaign changes (lantoa.core.publiccache)."""
    body = mark_safe(public_fragment("home", _home_body))  # noqa: S308 (our own template)
    return render(request, "portal/home.html", {"body": body})


def _day(value: str) -> date | None:
    """dd/mm/yyyy as typed (ISO from old links); a wrong date is no filter."""
    try:
        return parse_vietnamese_date(value[:20])
    except ValidationError:
        return None


def _filters(request) -> dict:
    g = request.GET
    province = selectors.public_unit_get(g.get("province"))
    commune = selectors.public_unit_get(g.get("commune"))
    if commune and province and not commune.in_subtree_of(province):
        commune = None
    return {
        "q": g.get("q", "").strip()[:100],
        "province": province,
        "commune": commune,
        "type": g.get("type", "").strip()[:50],
        "online": g.get("online") == "1",
        "day": _day(g.get("day", "")),
        "past": g.get("past") == "1",
    }


def _filtered(filters: dict, campaign=None):
    """Upcoming and running activities by default; ``past=1`` shows earlier weeks too."""
    day_from = filters["day"]
    if day_from is None and not filters["past"]:
        day_from = timezone.localdate()
    return selectors.public_activities(
        q=filters["q"],
        unit=filters["commune"] or filters["province"],
        type_code=filters["type"],
        online_only=filters["online"],
        day_from=day_from,
        day_to=filters["day"],
        campaign=campaign,
    )


def calendar(request):
    filters = _filters(request)
    campaign = campaign_current()
    # The results count and the page in one statement (the search reads its matches once).
    page = counted_page(_filtered(filters), request.GET.get("page"), 30)
    left = selectors.places_left_map(list(page.object_list))
    places = selectors.activity_places(list(page.object_list))
    for a in page.object_list:
        a.left, a.place = left[a.pk], places[a.pk]
    query = request.GET.copy()
    query.pop("page", None)
    types = (
        ActivityType.objects.filter(campaign=campaign).order_by("position")
        if campaign
        else ActivityType.objects.none()
    )
    return render(
        request,
        "portal/calendar.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "provinces": selectors.provinces(),
            "communes": selectors.communes_of(filters["province"]),
            "types": types,
            "widen": _widen(query, filters) if not page.paginator.count else [],
            "feed_url": reverse("portal:feed") + (f"?{query.urlencode()}" if query else ""),
        },
    )


def _widen(query, filters: dict) -> list[tuple[str, str]]:
    """Nothing found: one link per active filter that shows the results without it."""
    drops = [
        ("commune", filters["commune"], _("Bỏ lọc xã, phường")),
        ("province", filters["province"], _("Tìm ở mọi tỉnh, thành phố")),
        ("type", filters["type"], _("Mọi loại hoạt động")),
        ("day", filters["day"], _("Mọi ngày")),
        ("online", filters["online"], _("Cả hoạt động trực tiếp")),
        ("q", filters["q"], _("Bỏ từ khóa tìm kiếm")),
    ]
    links = []
    for key, active, label in drops:
        if active:
            rest = query.copy()
            rest.pop(key, None)
            if key == "province":
                rest.pop("commune", None)
            links.append((label, "?" + rest.urlencode()))
    if not filters["past"]:
        rest = query.copy()
        rest["past"] = "1"
        links.append((_("Xem cả hoạt động đã qua"), "?" + rest.urlencode()))
    return links


@cache_control(public=True, max_age=3600)
def communes(request):
    """The commune picker's choices for a province (the calendar fills it without reload)."""
    province = selectors.public_unit_get(request.GET.get("province"))
    if province is None or province.kind != "ubnd_tinh":
        return JsonResponse({"communes": []})
    return JsonResponse({"communes": selectors.communes_of(province)})


@cache_control(public=True, max_age=300)
def feed(request):
    """A subscribable calendar for any filter of the calendar page."""
    filters = _filters(request)
    activities = list(_filtered(filters)[:FEED_LIMIT])
    body = calendar_of(activities, name="Tuần lễ học tập suốt đời – lịch hoạt động")
    response = HttpResponse(body, content_type=ICS_MIME)
    response["Content-Disposition"] = 'inline; filename="lich-hoat-dong.ics"'
    return response


def _public_activity(activity_id):
    return selectors.public_activity_get(activity_id)


@require_http_methods(["GET", "POST"])
def activity(request, activity_id):
    activity = _public_activity(activity_id)
    errors: dict[str, str] = {}
    form = {"full_name": "", "phone": "", "email": "", "consent": False, "waitlist": False}
    if request.method == "POST":
        form = {
            "full_name": request.POST.get("full_name", ""),
            "phone": request.POST.get("phone", ""),
            "email": request.POST.get("email", ""),
            "consent": request.POST.get("consent") == "1",
            "waitlist": request.POST.get("waitlist") == "1",
        }
        try:
            registration_rate_check(address=request.META.get("REMOTE_ADDR", ""))
            registration = registration_create(activity=activity, **form)
        except RateLimited as exc:
            errors[""] = exc.detail
        except Conflict as exc:
            errors[""] = exc.detail
        except ValidationError as exc:
            errors = {e["field"]: e["message"] for e in error_messages(exc)}
        else:
            request.session["lantoa_registration_code"] = registration.code
            return redirect("portal:registered", activity_id=activity.pk)
    status = 400 if errors else 200
    return render(
        request,
        "portal/activity.html",
        {
            "activity": activity,
            "left": selectors.places_left(activity),
            "open": activity.public
            and not activity.cancelled
            and activity.ends_at > timezone.now(),
            "errors": errors,
            "form": form,
            "place": selectors.activity_places([activity])[activity.pk],
        },
        status=status,
    )


def registered(request, activity_id):
    """After a registration: show the code (kept in the session only, never in the URL)."""
    activity = _public_activity(activity_id)
    code = request.session.get("lantoa_registration_code", "")
    registration = (
        Registration.objects.filter(code=code, activity=activity).only("code", "state").first()
        if code
        else None
    )
    if registration is None:
        return redirect("portal:activity", activity_id=activity.pk)
    return render(
        request,
        "portal/registered.html",
        {"activity": activity, "code": registration.code, "state": registration.state},
    )


@cache_control(public=True, max_age=300)
def activity_ics(request, activity_id):
    activity = _public_activity(activity_id)
    response = HttpResponse(calendar_of([activity], name=activity.title), content_type=ICS_MIME)
    response["Content-Disposition"] = f'attachment; filename="hoat-dong-{activity.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
def registration_lookup(request):
    """Check or cancel a registration with its code. Shows the state only, no personal data."""
    code = (request.POST.get("code") or request.GET.get("code") or "").strip().upper()[:12]
    registration = None
    error = ""
    if code:
        registration = (
            Registration.objects.filter(code=code, anonymised_at__isnull=True)
            .select_related("activity")
            .only("code", "state", "activity__id", "activity__title", "activity__starts_at")
            .first()
        )
        if registration is None:
            error = _("Không tìm thấy đăng ký với mã này.")
    if request.method == "POST" and registration is not None:
        try:
            registration_rate_check(address=request.META.get("REMOTE_ADDR", ""))
            registration_cancel(code=code)
        except (RateLimited, Conflict) as exc:
            error = exc.detail
        else:
            messages.success(request, _("Đã hủy đăng ký. Cảm ơn bạn đã báo trước."))
            return redirect(reverse("portal:registration") + f"?code={code}")
    return render(
        request,
        "portal/registration.html",
        {
            "code": code,
            "registration": registration,
            "error": error,
            "cancellable": registration is not None
            and registration.state != RegistrationState.CANCELLED,
        },
    )


def honours(request):
    campaigns = list(campaigns_list())
    campaign = None
    wanted = request.GET.get("campaign")
    if wanted:
        campaign = next((c for c in campaigns if str(c.pk) == wanted), None)
    rows = with_province_names(public_honours(campaign=campaign)[:2000])
    return render(
        request,
        "portal/honours.html",
        {"campaigns": campaigns, "campaign": campaign, "honours": rows},
    )


def resources(request):
    campaign = campaign_current()
    return render(
        request,
        "portal/resources.html",
        {"resources": selectors.public_resources()[:500], "campaign": campaign},
    )
