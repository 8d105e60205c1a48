"""Small rules of the child record: age, birth-date labels, masked ID numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from treem.registry.models import Child, age_on, born_after_for_age, mask_personal_id


@pytest.mark.parametrize(("born", "on", "age"), [
    (dt.date(2010, 5, 1), dt.date(2026, 4, 30), 15),
    (dt.date(2010, 5, 1), dt.date(2026, 5, 1), 16),
    (dt.date(2012, 2, 29), dt.date(2026, 2, 28), 13),
    (dt.date(2012, 2, 29), dt.date(2026, 3, 1), 14),
])
def test_age_in_completed_years(born: dt.date, on: dt.date, age: int) -> None:
    assert age_on(born, on) == age


def test_the_latest_birth_date_for_an_age_handles_29_february() -> None:
    assert born_after_for_age(dt.date(2024, 2, 29), 15) == dt.date(2009, 2, 28)


def test_the_birth_date_is_shown_as_precisely_as_known() -> None:
    born = dt.date(2020, 7, 1)
    assert Child(birth_date=born, birth_date_precision="year").birth_date_label == "2020"
    assert Child(birth_date=born, birth_date_precision="month").birth_date_label == "07/2020"
    assert Child(birth_date=born, birth_date_precision="day").birth_date_label == "01/07/2020"


def test_an_id_number_is_masked_but_for_its_province_code_and_last_digits() -> None:
    assert mask_personal_id("012217000001") == "012••••••001"
    assert mask_personal_id("") == ""
