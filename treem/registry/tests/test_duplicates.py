"""Duplicate detection: scored pairs with reasons, found through blocks, never proposed again once decided."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from treem.accounts.tests.factories import unit
from treem.hierarchy.models import OrgUnit
from treem.registry import services
from treem.registry.duplicates import Candidate, detect_duplicates, neighbouring_communes, score_pair
from treem.registry.models import DuplicateCandidate
from treem.registry.tests.factories import child_in

pytestmark = pytest.mark.django_db


def candidate(pk: int, name: str, born: dt.date, *, folded: str | None = None, precision: str = "day",
              sex: str = "M", commune: int = 1, village: int | None = None, personal_id: str = "") -> Candidate:
    from treem.core.intake.names import fold_name

    return Candidate(id=pk, full_name=name, name_folded=folded or fold_name(name), birth_date=born,
                     precision=precision, sex=sex, commune_id=commune, village_id=village, personal_id=personal_id)


def test_the_same_id_number_is_a_certain_pair() -> None:
    match = score_pair(candidate(2, "Lò Văn A", dt.date(2017, 1, 1), personal_id="012217000001"),
                       candidate(1, "Giàng A Páo", dt.date(2015, 1, 1), personal_id="012217000001"))
    assert match is not None and (match.low, match.high, match.score) == (1, 2, 1.0)
    assert match.reasons == ("Cùng số định danh cá nhân",)


def test_names_differing_only_by_accents_with_the_same_birth_date_are_a_pair() -> None:
    match = score_pair(candidate(1, "Lò Văn Sình", dt.date(2017, 5, 4), village=3),
                       candidate(2, "Lò Văn Sinh", dt.date(2017, 5, 4), village=3))
    assert match is not None and match.score >= 0.9
    assert match.reasons[0] == "Họ tên giống nhau khi bỏ dấu ('Lò Văn Sình' / 'Lò Văn Sinh')"
    assert "Cùng ngày sinh" in match.reasons and "Cùng thôn/bản" in match.reasons


@pytest.mark.parametrize(("other", "reason"), [
    (dt.date(2017, 4, 5), "Ngày và tháng sinh bị đảo"),
    (dt.date(2017, 5, 7), "Ngày sinh lệch một chữ số"),
    (dt.date(2016, 5, 4), "Ngày sinh lệch một chữ số"),
])
def test_nearly_the_same_birth_date_is_a_pair_with_its_reason(other: dt.date, reason: str) -> None:
    match = score_pair(candidate(1, "Lò Văn Sình", dt.date(2017, 5, 4)), candidate(2, "Lò Văn Sình", other))
    assert match is not None and reason in match.reasons


def test_a_year_only_birth_date_matches_a_full_date_of_that_year() -> None:
    match = score_pair(candidate(1, "Lý A Chừ", dt.date(2020, 7, 1), precision="year"),
                       candidate(2, "Lý A Chừ", dt.date(2020, 2, 14)))
    assert match is not None and "Cùng năm sinh (ngày sinh không đầy đủ)" in match.reasons


@pytest.mark.parametrize(("a", "b"), [
    (candidate(1, "Lò Văn Sình", dt.date(2017, 5, 4)), candidate(2, "Lò Văn Sình", dt.date(2013, 9, 21))),
    (candidate(1, "Lò Văn Sình", dt.date(2017, 5, 4)), candidate(2, "Giàng A Páo", dt.date(2017, 5, 4))),
    (candidate(1, "Lò Văn Sình", dt.date(2017, 5, 4), personal_id="012217000001"),
     candidate(2, "Lò Văn Sình", dt.date(2017, 5, 4), personal_id="012217555555")),
])
def test_different_children_are_not_a_pair(a: Candidate, b: Candidate) -> None:
    assert score_pair(a, b) is None


def test_communes_that_shared_a_district_are_neighbours() -> None:
    neighbours = neighbouring_communes(unit("03390"))
    assert unit("03390").pk in neighbours and unit("03408").pk in neighbours  # both took part of old Tam Đường
    assert len(neighbours) < 38


def test_detection_finds_pairs_across_neighbouring_communes_and_not_far_away() -> None:
    a = child_in("03390", full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    b = child_in("03408", full_name="Lo Van Sinh", birth_date=dt.date(2017, 4, 5))
    neighbours = neighbouring_communes(unit("03390"))
    far = OrgUnit.objects.valid_on(dt.date.today()).of_level("commune").exclude(pk__in=neighbours).first()
    assert far is not None
    c = child_in(far.code, full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    result = detect_duplicates()
    pairs = {(pair.child_a_id, pair.child_b_id) for pair in DuplicateCandidate.objects.all()}
    assert (a.pk, b.pk) in pairs
    assert (a.pk, c.pk) not in pairs
    assert result.created == len(pairs)


def test_a_pair_decided_not_the_same_is_never_proposed_again_and_reruns_add_nothing() -> None:
    a = child_in("03390", full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    child_in("03390", full_name="Lò Văn Sinh", birth_date=dt.date(2017, 5, 4))
    detect_duplicates()
    pair = DuplicateCandidate.objects.get()
    services.mark_not_same_child(actor=None, candidate=pair)
    again = detect_duplicates(commune=a.commune)
    assert (again.created, again.skipped_decided) == (0, 1)
    assert DuplicateCandidate.objects.count() == 1


def test_the_command_reports_in_json() -> None:
    child_in("03390", full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    child_in("03390", full_name="Lò Văn Sinh", birth_date=dt.date(2017, 5, 4))
    out = StringIO()
    call_command("find_duplicates", "--commune", "03390", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["children"] >= 2, result["pairs"], result["new"]) == (True, 1, 1)
