"""check_case_deadlines raises each alert once, however often it runs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from treem.notices.models import Notice
from treem.protection.tests.factories import aware, make_case, supervisor_of, worker

pytestmark = pytest.mark.django_db


def test_running_the_check_twice_a_day_notifies_once() -> None:
    assigned = worker()
    supervisor_of(assigned)
    make_case(assigned, reported_at=aware(2026, 3, 2, 9))
    out = StringIO()
    call_command("check_case_deadlines", at="2026-03-05T08:00", stdout=out)
    assert "1 bước quá hạn" in out.getvalue() and "2 thông báo mới" in out.getvalue()
    out = StringIO()
    call_command("check_case_deadlines", at="2026-03-05T17:00", stdout=out)
    assert "0 thông báo mới" in out.getvalue()
    assert Notice.objects.count() == 2


def test_an_unreadable_moment_is_refused_in_plain_words() -> None:
    with pytest.raises(CommandError, match="Không đọc được"):
        call_command("check_case_deadlines", at="hôm qua")
