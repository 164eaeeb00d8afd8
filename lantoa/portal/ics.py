"""iCalendar (.ics) for one activity and subscribable feeds: each entry links back to its page."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from lantoa.activities.models import Activity

PRODID = "-//Lantoa//Tuần lễ hưởng ứng học tập suốt đời//VI"


def activity_url(activity: Activity) -> str:
    return settings.BASE_URL + reverse("portal:activity", args=[activity.pk])


def calendar_of(activities, *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    host = settings.BASE_URL.split("://", 1)[-1].split("/")[0] or "lantoa"
    for a in activities:
        event = Event()
        url = activity_url(a)
        event.add("uid", f"activity-{a.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", a.starts_at)
        event.add("dtend", a.ends_at)
        event.add("summary", a.title)
        where = a.location or ""
        if a.online_url:
            where = f"{where} · {a.online_url}" if where else a.online_url
        if where:
            event.add("location", where)
        event.add("description", f"{a.unit.name}\n{a.description}\n\n{url}".strip())
        event.add("url", url)
        event.add("status", "CANCELLED" if a.cancelled else "CONFIRMED")
        event.add("last-modified", a.updated_at)
        cal.add_component(event)
    return cal.to_ical()
