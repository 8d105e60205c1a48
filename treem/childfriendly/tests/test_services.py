"""The assessment's services: what they refuse (with nothing half-saved), overrides, the workflow, and I01."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from treem.accounts.tests.factories import unit, user_with_role
from treem.childfriendly.models import Assessment, Evidence, Score, SubItem
from treem.childfriendly.selectors import recognition_of
from treem.childfriendly.services import (
    ScoreInput,
    review_assessment,
    save_scores,
    start_assessment,
    submit_assessment,
)
from treem.childfriendly.tests.factories import (
    BEFORE_REFORM,
    OLD_COMMUNE,
    OLD_DISTRICT,
    OWN,
    assigned,
    criterion_maxima,
    officer,
    pdf,
    points_for_total,
    scored_assessment,
    scoring_version,
    sub_item,
)
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.indicators.engine import Engine
from treem.indicators.models import DataValue
from treem.notices.models import Notice
from treem.plans.models import Indicator

pytestmark = pytest.mark.django_db


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {key: [message for item in values for message in item.messages]
            for key, values in error.value.error_dict.items()}


def test_an_assessment_for_a_unit_not_in_force_that_year_is_refused() -> None:
    old_commune = unit(OLD_COMMUNE, on=BEFORE_REFORM)
    with pytest.raises(ValidationError) as error:
        start_assessment(actor=None, org_unit=old_commune, year=2026)
    assert "không có hiệu lực vào ngày 31/12/2026" in messages_of(error)["org_unit"][0]
    assert not Assessment.objects.exists()


def test_a_second_assessment_for_the_same_year_is_refused() -> None:
    start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    with pytest.raises(ValidationError) as error:
        start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    assert messages_of(error)["year"] == ["Xã Bình Lư đã có bản đánh giá năm 2026; mỗi năm chỉ một bản."]
    assert Assessment.objects.count() == 1


def test_every_sub_item_of_the_version_gets_a_score_and_the_assessment_keeps_its_version() -> None:
    assessment = start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    assert assessment.version == scoring_version()
    assert assessment.scores.count() == SubItem.objects.filter(criterion__version=scoring_version()).count()
    assert AuditEvent.objects.filter(action="start_assessment", object_id=str(assessment.pk)).count() == 1


def test_points_above_a_sub_items_maximum_are_refused_and_nothing_is_saved() -> None:
    assessment = start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    supported = sub_item("6.1")
    assert supported.threshold is not None
    with pytest.raises(ValidationError) as error:
        save_scores(actor=None, assessment=assessment, entries=[
            ScoreInput(code="1.1", value=1),
            ScoreInput(code="6.1", value=supported.threshold + 1, points=supported.points + 1),
        ])
    assert messages_of(error) == {"points_6.1": [
        f"Mục 6.1: điểm {supported.points + 1} vượt quá điểm tối đa {supported.points} của mục."]}
    assert Score.objects.get(assessment=assessment, sub_item__code="1.1").value is None


def test_a_share_above_100_percent_is_refused() -> None:
    assessment = start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    with pytest.raises(ValidationError) as error:
        save_scores(actor=None, assessment=assessment, entries=[ScoreInput(code="7.1", value="100,5")])
    assert messages_of(error) == {"value_7.1": ["Mục 7.1: tỷ lệ không được quá 100 % (nhận được 100.5 %)."]}
    assert Score.objects.get(assessment=assessment, sub_item__code="7.1").value is None


def test_points_are_the_rules_unless_given_and_a_figure_below_the_threshold_earns_none() -> None:
    assessment = start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    immunised, check_ups, supported = sub_item("7.1"), sub_item("9.1"), sub_item("6.1")
    assert immunised.threshold is not None and check_ups.threshold is not None and supported.threshold is not None
    below = check_ups.threshold - 1
    save_scores(actor=None, assessment=assessment, entries=[
        ScoreInput(code="7.1", value=immunised.threshold), ScoreInput(code="9.1", value=below),
        ScoreInput(code="6.1", value=supported.threshold, points=supported.points - 10)])
    points = dict(Score.objects.filter(assessment=assessment, sub_item__code__in=["7.1", "9.1", "6.1"])
                  .values_list("sub_item__code", "points"))
    assert points == {"7.1": immunised.points, "9.1": 0, "6.1": supported.points - 10}
    with pytest.raises(ValidationError):
        save_scores(actor=None, assessment=assessment, entries=[ScoreInput(code="9.1", value=below, points=1)])


def test_changing_a_prefilled_figure_needs_a_reason_and_evidence_and_is_audited() -> None:
    assessment = start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    injuries = Score.objects.get(assessment=assessment, sub_item__code="5.1")
    assert injuries.prefilled_value == 0 and injuries.prefill_source.startswith("Sổ theo dõi tai nạn")
    user = officer()
    with pytest.raises(ValidationError) as error:
        save_scores(actor=user, assessment=assessment, entries=[ScoreInput(code="5.1", value=1)])
    assert set(messages_of(error)) == {"reason_5.1", "evidence_5.1"}
    save_scores(actor=user, assessment=assessment, entries=[
        ScoreInput(code="5.1", value=1, reason="Một trẻ bị bỏng chưa ghi sổ", evidence=pdf())])
    injuries.refresh_from_db()
    assert (injuries.value, injuries.points, injuries.is_override) == (Decimal(1), Decimal(0), True)
    kept = Evidence.objects.get(score=injuries)
    assert kept.content_type == "application/pdf" and kept.uploaded_by == user
    event = AuditEvent.objects.get(action="override_prefill", object_id=str(assessment.pk))
    assert event.actor == user and "Một trẻ bị bỏng chưa ghi sổ" in event.reason
    assert event.after["5.1"]["value"] == "1"


def test_an_evidence_file_that_is_not_a_document_is_refused() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    assessment = start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    script = SimpleUploadedFile("bien-ban.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        save_scores(actor=None, assessment=assessment, entries=[
            ScoreInput(code="5.1", value=1, reason="lý do", evidence=script)])
    assert "evidence_5.1" in messages_of(error)
    assert not Evidence.objects.exists()


def test_submitting_fixes_the_band_and_needs_every_figure() -> None:
    empty = start_assessment(actor=None, org_unit=unit("03408"), year=2026)
    with pytest.raises(ValidationError) as error:
        submit_assessment(actor=None, assessment=empty)
    assert "Còn mục chưa có số liệu" in messages_of(error)["scores"][0]
    assessment = submit_assessment(actor=None, assessment=scored_assessment())
    assert (assessment.status, assessment.band, assessment.threshold) == ("submitted", "mountainous", 800)


def i01_figure(year: int, code: str = OWN) -> tuple[Decimal | None, Decimal | None]:
    indicator = Indicator.objects.get(code="I01")
    commune = unit(code)
    figure = Engine().figures(indicator, years=[year], areas=[commune.id]).get((commune.id, year))
    return (figure.numerator, figure.denominator) if figure else (None, None)


def test_recognition_enters_the_child_friendly_value_through_the_engine_so_i01_counts_it() -> None:
    assert i01_figure(2026) == (None, None)
    assessment = submit_assessment(actor=None, assessment=scored_assessment())
    reviewer = user_with_role(Role.COORDINATOR, "12")
    recognised = review_assessment(actor=reviewer, assessment=assessment, decision="recognise")
    assert recognised.status == Assessment.Status.RECOGNISED
    value = DataValue.objects.get(data_element__code="DE_COMMUNE_CHILD_FRIENDLY", org_unit=unit(OWN), year=2026)
    assert value.value == 1 and recognised.recognised_value == value
    assert f"bản đánh giá số {assessment.pk}" in value.comment
    assert i01_figure(2026) == (Decimal(1), Decimal(1))
    assert recognised.reviewing_unit == unit("12")


def test_recognition_is_refused_below_the_band_total_and_nothing_is_entered() -> None:
    threshold = scoring_version().threshold_for("mountainous")
    assert threshold is not None
    assessment = scored_assessment(points=points_for_total(threshold - 145))
    assert recognition_of(assessment).total == threshold - 145
    submitted = submit_assessment(actor=None, assessment=assessment)
    with pytest.raises(ValidationError) as error:
        review_assessment(actor=None, assessment=submitted, decision="recognise")
    assert f"Tổng điểm {threshold - 145} thấp hơn điểm chuẩn {threshold}." in messages_of(error)["decision"]
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED
    assert not DataValue.objects.filter(data_element__code="DE_COMMUNE_CHILD_FRIENDLY").exists()


@pytest.mark.parametrize(("total", "is_recognised"), [(799, False), (800, True)])
def test_799_points_are_refused_and_800_recognised_for_a_mountainous_commune(total: int, is_recognised: bool) -> None:
    assert scoring_version().threshold_for("mountainous") == 800  # the decision's total for mountainous communes
    assessment = scored_assessment(points=points_for_total(total))
    submitted = submit_assessment(actor=None, assessment=assessment)
    assert submitted.total == total
    if is_recognised:
        assert review_assessment(actor=None, assessment=submitted, decision="recognise").status == "recognised"
    else:
        with pytest.raises(ValidationError) as error:
            review_assessment(actor=None, assessment=submitted, decision="recognise")
        assert messages_of(error)["decision"] == ["Chưa đủ điều kiện công nhận.",
                                                  "Tổng điểm 799 thấp hơn điểm chuẩn 800."]


def test_a_criterion_scored_zero_refuses_recognition_with_950_points() -> None:
    assert criterion_maxima()[7] <= scoring_version().max_total - 950  # room for 950 without criterion 7
    assessment = scored_assessment(points=points_for_total(950, zero=7))
    submitted = submit_assessment(actor=None, assessment=assessment)
    assert submitted.total == 950
    with pytest.raises(ValidationError) as error:
        review_assessment(actor=None, assessment=submitted, decision="recognise")
    assert "Tiêu chí 7 bị 0 điểm." in messages_of(error)["decision"]


def test_a_return_needs_a_comment_notifies_the_submitter_and_allows_submitting_again() -> None:
    user = officer()
    assessment = submit_assessment(actor=user, assessment=scored_assessment())
    with pytest.raises(ValidationError):
        review_assessment(actor=None, assessment=assessment, decision="return")
    returned = review_assessment(actor=None, assessment=assessment, decision="return",
                                 comment="Bổ sung biên bản mục 11.2")
    assert returned.status == Assessment.Status.RETURNED
    notice = Notice.objects.get(recipient=user)
    assert notice.body == "Bổ sung biên bản mục 11.2" and notice.url.endswith(f"/{assessment.pk}/")
    again = submit_assessment(actor=user, assessment=returned)
    assert again.status == Assessment.Status.SUBMITTED


def test_the_district_reviews_before_1_july_2025_and_the_province_after() -> None:
    district_coordinator = assigned(Role.COORDINATOR, OLD_DISTRICT, on=BEFORE_REFORM)
    assessment = submit_assessment(actor=None, assessment=scored_assessment(code=OLD_COMMUNE, year=2024,
                                                                            on=BEFORE_REFORM))
    assert assessment.threshold == 800
    after_reform = timezone.make_aware(timezone.datetime(2025, 8, 1, 9))
    with pytest.raises(PermissionDenied):
        review_assessment(actor=district_coordinator, assessment=assessment, decision="recognise",
                          now=after_reform)
    before_reform = timezone.make_aware(timezone.datetime(2025, 3, 1, 9))
    recognised = review_assessment(actor=district_coordinator, assessment=assessment, decision="recognise",
                                   now=before_reform)
    assert recognised.reviewing_unit == unit(OLD_DISTRICT, on=BEFORE_REFORM)
    assert DataValue.objects.get(data_element__code="DE_COMMUNE_CHILD_FRIENDLY", year=2024).org_unit == unit(
        OLD_COMMUNE, on=BEFORE_REFORM)


def test_a_recognised_assessment_cannot_be_scored_or_reviewed_again() -> None:
    assessment = submit_assessment(actor=None, assessment=scored_assessment())
    review_assessment(actor=None, assessment=assessment, decision="recognise")
    with pytest.raises(ValidationError):
        save_scores(actor=None, assessment=assessment, entries=[ScoreInput(code="1.1", value=0)])
    with pytest.raises(ValidationError):
        review_assessment(actor=None, assessment=assessment, decision="return", comment="x")
