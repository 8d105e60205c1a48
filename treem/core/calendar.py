"""The working-day calendar on which legal deadlines are counted ("trong thời hạn 05 ngày làm việc").

A day is a working day when it is a weekday that is not one of Vietnam's public holidays — New Year, the Lunar New
Year (Tết, with the days the government adds around it), Hùng Kings' day, 30 April, 1 May, National Day and their
substitute days — taken from the maintained ``holidays`` package, which also knows the Saturdays worked in exchange
for a bridging day off. On top of that the province records its own days (``CalendarDay``): extra days off it
decides (a provincial holiday, a storm) and working days it swaps in.

Deadlines take the moment something happened and count whole working days after that day: a report received on
Tuesday 17/02/2026 (Tết) has its five-working-day plan due at the end of Friday 27/02/2026.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays
from django.utils import timezone

COUNTRY = "VN"
WEEKEND = frozenset({5, 6})  # Saturday, Sunday


@cache
def _public_holidays() -> holidays.HolidayBase:
    """Vietnam's public holidays with Vietnamese names; years are filled in on first use."""
    return holidays.country_holidays(COUNTRY, language="vi")


class WorkingCalendar:
    """Working days: weekdays that are neither a public holiday nor a day off of the province (swaps included)."""

    def __init__(self, *, days_off: Mapping[date, str] | None = None,
                 working_days: Mapping[date, str] | Iterable[date] = ()) -> None:
        self.days_off: dict[date, str] = dict(days_off or {})
        self.working_days: dict[date, str] = (
            dict(working_days) if isinstance(working_days, Mapping) else dict.fromkeys(working_days, "")
        )
        self._answers: dict[date, str | None] = {}

    def day_off_name(self, on: date) -> str | None:
        """Why ``on`` is not worked: the holiday's or the province's day-off name; None for a working day."""
        if on not in self._answers:
            self._answers[on] = self._day_off_name(on)
        return self._answers[on]

    def _day_off_name(self, on: date) -> str | None:
        if on in self.working_days:
            return None
        if on in self.days_off:
            return self.days_off[on]
        public = _public_holidays()
        name = public.get(on)
        if name:
            return str(name)
        if on.weekday() in WEEKEND and on not in public.weekend_workdays:
            return "Thứ Bảy" if on.weekday() == 5 else "Chủ nhật"
        return None

    def is_working_day(self, on: date) -> bool:
        return self.day_off_name(on) is None

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted); ``start`` when ``days`` is 0."""
        if days < 0:
            raise ValueError("Số ngày làm việc phải không âm.")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def days_off_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """The days that are not worked from ``start`` to ``end`` inclusive, with the reason."""
        found = []
        current = start
        while current <= end:
            name = self.day_off_name(current)
            if name is not None:
                found.append((current, name))
            current += timedelta(days=1)
        return found

    def deadline_after(self, moment: datetime, *, working_days: int) -> datetime:
        """The end (23:59:59, local time) of the ``working_days``-th working day after the day of ``moment``."""
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        due_on = self.add_working_days(local.date(), working_days)
        return end_of_day(due_on)


def end_of_day(on: date) -> datetime:
    """23:59:59 of ``on`` in the project's time zone."""
    return timezone.make_aware(datetime.combine(on, time(23, 59, 59)))


def working_calendar() -> WorkingCalendar:
    """The calendar in force: public holidays plus the province's recorded days off and swapped working days."""
    from treem.core.models import CalendarDay

    days_off: dict[date, str] = {}
    working_days: dict[date, str] = {}
    for day in CalendarDay.objects.all():
        if day.kind == CalendarDay.Kind.DAY_OFF:
            days_off[day.on] = day.name
        else:
            working_days[day.on] = day.name
    return WorkingCalendar(days_off=days_off, working_days=working_days)
