"""The demo seeder writes clearly-labelled assessments through the services and is idempotent."""

from __future__ import annotations

import pytest

from treem.childfriendly.demo import seed_assessments
from treem.childfriendly.models import Assessment

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_five_labelled_assessments_once() -> None:
    lines: list[str] = []
    seed_assessments(size="small", stdout=lines.append)
    seed_assessments(size="small", stdout=lines.append)
    statuses = sorted(Assessment.objects.values_list("status", flat=True))
    assert statuses == ["draft", "recognised", "recognised", "returned", "submitted"]
    assert all(Assessment.objects.values_list("is_demo", flat=True))
    assert lines[-1] == "Đánh giá xã phù hợp với trẻ em (trình diễn): 0 bản, năm 2026."
