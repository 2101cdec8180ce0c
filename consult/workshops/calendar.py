"""iCalendar files: one event, or an institution's agenda as a feed."""

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from consult.workshops.models import Event

PRODUCT_ID = "-//consult//Ministère ouvert//FR"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _entry(event: Event, url: str, domain: str) -> CalendarEvent:
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{domain}")
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("dtstamp", event.published_at or event.created_at)
    places = [p for p in (event.venue, event.online_url) if p]
    if places:
        entry.add("location", " — ".join(places))
    entry.add("url", url)
    description = [event.description or "", url]
    entry.add("description", "\n\n".join(d for d in description if d))
    entry.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    return entry


def event_ics(event: Event, url: str, domain: str) -> bytes:
    calendar = _calendar(event.title)
    calendar.add_component(_entry(event, url, domain))
    return calendar.to_ical()


def feed_ics(name: str, events_with_urls, domain: str) -> bytes:
    calendar = _calendar(name)
    for event, url in events_with_urls:
        calendar.add_component(_entry(event, url, domain))
    return calendar.to_ical()
