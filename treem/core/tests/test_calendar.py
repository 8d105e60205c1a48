"""Working days skip weekends, Vietnam's public holidays (Tết included) and the province's own days off."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from treem.core.calendar import WorkingCalendar, end_of_day, working_calendar
from treem.core.models import CalendarDay


def test_weekends_are_not_working_days() -> None:
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2026, 3, 6))  # Friday
    assert not calendar.is_working_day(date(2026, 3, 7))
    assert calendar.day_off_name(date(2026, 3, 8)) == "Chủ nhật"


def test_tet_2026_is_off_with_its_vietnamese_name() -> None:
    calendar = WorkingCalendar()
    for day in range(16, 21):
        assert not calendar.is_working_day(date(2026, 2, day))
    assert calendar.day_off_name(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_five_working_days_from_a_report_at_tet_end_ten_days_later() -> None:
    """Reported on Tuesday 17/02/2026 (first day of Tết): Tết to Friday 20, a weekend, then Monday 23 … Friday 27."""
    assert WorkingCalendar().add_working_days(date(2026, 2, 17), 5) == date(2026, 2, 27)


def test_five_working_days_from_a_wednesday_skip_one_weekend() -> None:
    assert WorkingCalendar().add_working_days(date(2026, 3, 4), 5) == date(2026, 3, 11)


def test_zero_working_days_is_the_same_day_and_negative_is_refused() -> None:
    calendar = WorkingCalendar()
    assert calendar.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 3, 7), -1)


def test_a_saturday_worked_in_exchange_for_a_bridge_day_counts() -> None:
    """26/04/2025 (Saturday) was worked so that Friday 02/05/2025 could be taken off."""
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2025, 4, 26))
    assert not calendar.is_working_day(date(2025, 5, 2))


def test_the_province_can_add_a_day_off_and_swap_in_a_working_day() -> None:
    calendar = WorkingCalendar(days_off={date(2026, 3, 9): "Nghỉ do lũ quét"}, working_days=[date(2026, 3, 7)])
    assert not calendar.is_working_day(date(2026, 3, 9))
    assert calendar.day_off_name(date(2026, 3, 9)) == "Nghỉ do lũ quét"
    assert calendar.is_working_day(date(2026, 3, 7))
    # Thursday 5, Friday 6, Saturday 7 (worked), Tuesday 10, Wednesday 11.
    assert calendar.add_working_days(date(2026, 3, 4), 5) == date(2026, 3, 11)


def test_working_days_between_counts_after_the_start_up_to_the_end() -> None:
    calendar = WorkingCalendar()
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert calendar.working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == 0


def test_days_off_between_lists_reasons() -> None:
    found = dict(WorkingCalendar().days_off_between(date(2026, 2, 14), date(2026, 2, 22)))
    assert len(found) == 9
    assert found[date(2026, 2, 16)] == "Giao thừa Tết Nguyên Đán"


def test_a_deadline_ends_at_the_end_of_the_last_working_day_in_local_time() -> None:
    reported_at = timezone.make_aware(datetime(2026, 2, 17, 9, 30))
    due = WorkingCalendar().deadline_after(reported_at, working_days=5)
    assert due == end_of_day(date(2026, 2, 27))
    assert timezone.localtime(due).hour == 23


@pytest.mark.django_db
def test_the_calendar_in_force_reads_the_provinces_recorded_days() -> None:
    CalendarDay.objects.create(on=date(2026, 3, 9), kind=CalendarDay.Kind.DAY_OFF, name="Ngày hội văn hóa tỉnh")
    CalendarDay.objects.create(on=date(2026, 3, 14), kind=CalendarDay.Kind.WORKING_DAY, name="Làm bù")
    calendar = working_calendar()
    assert calendar.day_off_name(date(2026, 3, 9)) == "Ngày hội văn hóa tỉnh"
    assert calendar.is_working_day(date(2026, 3, 14))
