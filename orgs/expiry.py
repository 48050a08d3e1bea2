"""Expiring access: the rules of an access grant's optional end, `until`.

`until` is an instant (a timezone-aware datetime) at which the grant stops counting: the
policy (orgs.permissions) treats a grant as gone from that instant on — `until <= now` is
expired, no grace window — and the scheduled job (orgs.access_expiry) later removes the row
through the normal services. None means the grant does not end.

People pick a *date*: access lasts through the whole of that day in settings.TIME_ZONE (the
deployment's time zone; orgs have none of their own), so the stored instant is the start of
the next day there (`end_of_day`), and the date shown is the last day included (`last_day`):
"Editor until 12 Jan" means access on 12 January, ended at 00:00 on 13 January.

Pure functions: no model imports (the policy module imports this one)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format


def is_current(until: datetime.datetime | None, now: datetime.datetime) -> bool:
    """Whether a grant ending at `until` (None: never) still counts at `now`."""
    return until is None or until > now


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The instant access picked "until `day`" ends: 00:00 of the next day in
    settings.TIME_ZONE, as an aware datetime."""
    next_day = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(next_day, timezone.get_default_timezone())


def last_day(until: datetime.datetime | None) -> datetime.date | None:
    """The last day (in settings.TIME_ZONE) on which a grant ending at `until` counts: the day
    a form shows and `set_role --until` takes."""
    if until is None:
        return None
    local = timezone.localtime(until, timezone.get_default_timezone())
    return (local - datetime.timedelta(microseconds=1)).date()


def short_label(until: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """ "12 Jan" (this year or next, within a year) or "12 Jan 2028"; "" for None."""
    day = last_day(until)
    if day is None:
        return ""
    today = timezone.localdate(now or timezone.now(), timezone.get_default_timezone())
    if abs((day - today).days) < 300:
        return date_format(day, "j M")
    return date_format(day, "j M Y")


def until_text(until: datetime.datetime | None) -> str:
    """ " until 12 Jan" for a grant ending at `until`, "" when it does not end: a role label
    followed by it reads "Editor until 12 Jan" (the `until` template filter)."""
    label = short_label(until)
    return f" until {label}" if label else ""


def earliest(*untils: datetime.datetime | None) -> datetime.datetime | None:
    """The first of several ends (None ones don't end): when a grant that needs all of them
    ends, e.g. a team member's access through a team's access."""
    ends = [u for u in untils if u is not None]
    return min(ends) if ends else None


def latest(untils) -> datetime.datetime | None:
    """When access given by any of several grants ends: None if one of them never ends."""
    untils = list(untils)
    if not untils or any(u is None for u in untils):
        return None
    return max(untils)


def parse_day(text: str) -> datetime.date:
    """A YYYY-MM-DD date (commands); ValueError with a one-line message otherwise."""
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD.") from None


class _Unchanged:
    """The default of a service's `until` argument: keep the grant's end as it is."""

    def __repr__(self):
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def from_picked_day(day: datetime.date | None, current: datetime.datetime | None):
    """What a form's end date means for a grant that now ends at `current`: None (no end) for
    an empty field, UNCHANGED when the day shown was left as it is (so an end set to another
    instant, e.g. by a command, is not moved), else the end of the picked day."""
    if day is None:
        return None
    if day == last_day(current):
        return UNCHANGED
    return end_of_day(day)
