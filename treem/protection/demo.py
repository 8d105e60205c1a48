"""Demo data of the protection domain, clearly marked (``is_demo``): a handful of cases at different steps in the
demo commune, worked by the demo case worker under the demo supervisor (two of them about children of the registry's
demo data, when it is there), and a year of incidents in every commune.

Idempotent: nothing is added when demo cases (or demo incidents) already exist. Cases go through the same services
as real ones, so their steps, deadlines and audit trail are real; incidents are bulk-inserted for speed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from treem.accounts.models import User
from treem.core.models import EthnicGroup
from treem.hierarchy.models import OrgUnit, Village
from treem.protection import services
from treem.protection.models import (
    Case,
    CaseStep,
    HarmKind,
    Incident,
    IncidentKind,
    IncidentOutcome,
    PerpetratorRelation,
    ReportChannel,
    RiskLevel,
    ServiceKind,
    Supervision,
)
from treem.protection.workflow import Outcome, StepKind
from treem.registry.models import Child

DEMO_COMMUNE_CODE = "03390"
DEMO_WORKER = "demo_caseworker"
DEMO_SUPERVISOR = "demo_supervisor"
DEMO_COMMUNE_WEIGHT = 10
INCIDENTS_PER_SIZE = {"small": 150, "medium": 600, "full": 2400}

# Lai Châu's largest groups: HMông, Thái, Dao, Kinh, Hà Nhì, Giáy, Lự, Cống, Si La, Mảng, La Hủ.
ETHNIC_WEIGHTS = {"08": 40, "03": 30, "09": 14, "01": 8, "35": 3, "25": 2, "42": 1, "48": 1, "50": 0.5, "45": 0.5,
                  "41": 0.5}

KIND_WEIGHTS = {IncidentKind.DROWNING: 18, IncidentKind.TRAFFIC: 16, IncidentKind.FALL: 22, IncidentKind.BURN: 10,
                IncidentKind.POISONING: 6, IncidentKind.ANIMAL_BITE: 12, IncidentKind.OTHER_INJURY: 8,
                IncidentKind.ABUSE: 8}
DEATH_SHARE = {IncidentKind.DROWNING: 0.45, IncidentKind.TRAFFIC: 0.12, IncidentKind.FALL: 0.03,
               IncidentKind.BURN: 0.02, IncidentKind.POISONING: 0.05}
# Drowning peaks in the rainy summer months, burns in the cold months.
MONTH_WEIGHTS: dict[str, list[int]] = {IncidentKind.DROWNING: [1, 1, 2, 3, 6, 9, 10, 9, 5, 2, 1, 1],
                 IncidentKind.BURN: [6, 5, 3, 2, 1, 1, 1, 1, 1, 2, 4, 6]}


def seed_demo_protection(*, size: str, stdout: Callable[[str], None]) -> None:
    seed_demo_cases(stdout=stdout)
    seed_demo_incidents(size=size, stdout=stdout)


def _at(today: date, days_ago: int, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), datetime.min.time())
                               + timedelta(hours=hour))


@transaction.atomic
def seed_demo_cases(*, stdout: Callable[[str], None], today: date | None = None) -> int:
    """Eight demo cases in the demo commune, one at each point of the workflow. Returns how many were created."""
    if Case.objects.filter(is_demo=True).exists():
        stdout("  các trường hợp trình diễn đã có, bỏ qua.")
        return 0
    today = today or timezone.localdate()
    commune = OrgUnit.objects.valid_on(today).filter(code=DEMO_COMMUNE_CODE).first()
    worker = User.objects.filter(username=DEMO_WORKER).first()
    supervisor = User.objects.filter(username=DEMO_SUPERVISOR).first()
    if commune is None or worker is None:
        stdout("  chưa có xã hoặc tài khoản cán bộ trình diễn, bỏ qua các trường hợp.")
        return 0
    if supervisor is not None:
        Supervision.objects.get_or_create(supervisor=supervisor, worker=worker)
    village = Village.objects.filter(org_unit=commune).order_by("name").first()
    hmong = EthnicGroup.objects.filter(code="08").first()
    # Two of the cases concern children already in the registry's demo data (when it was seeded first).
    registry_children = list(Child.objects.active().filter(
        is_demo=True, commune=commune, birth_date__lte=today - timedelta(days=7 * 366),
        birth_date__gt=today - timedelta(days=15 * 365)).order_by("pk")[:2])
    linked = iter(registry_children)
    thai = EthnicGroup.objects.filter(code="03").first()
    dao = EthnicGroup.objects.filter(code="09").first()

    def report(days_ago: int, name: str, sex: str, age: int, harm: str, *, hour: int = 9, danger: bool = False,
               via: str = ReportChannel.SCHOOL, relation: str = PerpetratorRelation.UNKNOWN,
               ethnic: EthnicGroup | None = hmong, summary: str = "", child: Child | None = None) -> Case:
        if child is not None:  # a child already in the registry: the case takes its identity from there
            name, sex, ethnic = child.full_name, child.sex, child.ethnic_group
        return services.report_case(
            actor=None, workers=[worker], org_unit=commune, village=child.village if child else village,
            reported_via=via, reported_at=_at(today, days_ago, hour), child=child, child_full_name=name,
            child_sex=sex, child_age_years=None if child else age, child_ethnic_group=ethnic, harm_kind=harm,
            perpetrator_relation=relation, is_in_danger=danger,
            summary=summary or "Dữ liệu trình diễn: nội dung sự việc do cán bộ ghi khi tiếp nhận.",
            reporter_name="Người báo tin (trình diễn)", is_demo=True,
        )

    def finish(case: Case, kind: str, days_ago: int, outcome: str = Outcome.DONE, **data: object) -> None:
        step = case.steps.get(kind=kind, status=CaseStep.Status.OPEN)
        services.complete_step(actor=worker, step=step, outcome=outcome, data=data,
                               completed_at=_at(today, days_ago, 15))

    def verify(case: Case, days_ago: int, *, risk: str = RiskLevel.MEDIUM) -> None:
        finish(case, StepKind.VERIFY, days_ago, Outcome.CONFIRMED, findings="Đã xác minh cùng công an xã.",
               risk_level=risk, is_in_danger=case.is_in_danger,
               emergency_measures=["safe_place"] if case.is_in_danger else [])

    def assess(case: Case, days_ago: int, *, risk: str = RiskLevel.MEDIUM) -> None:
        finish(case, StepKind.ASSESS, days_ago, needs=[ServiceKind.PSYCHOLOGICAL, ServiceKind.EDUCATION],
               child_situation="Trẻ lo sợ, ít nói.", family_situation="Hộ nghèo, cha mẹ đi làm xa.",
               risk_factors="Thiếu người chăm sóc ban ngày.", risk_level=risk)

    def plan(case: Case, days_ago: int, *, approve: bool, deliver: bool = False) -> None:
        starts_on = today - timedelta(days=days_ago)
        draft = services.save_plan(actor=worker, case=case, goals="Trẻ được an toàn và trở lại trường.",
                                   measures="Tư vấn tâm lý; hỗ trợ học tập; theo dõi tại gia đình.",
                                   starts_on=starts_on, review_on=starts_on + timedelta(days=30))
        psychological = services.add_service(
            actor=worker, plan=draft, kind=ServiceKind.PSYCHOLOGICAL, description="Tư vấn tâm lý 4 buổi",
            provider_name="Trạm Y tế xã", planned_on=starts_on + timedelta(days=3))
        services.add_service(actor=worker, plan=draft, kind=ServiceKind.EDUCATION,
                             description="Hỗ trợ sách vở, học phụ đạo", provider_name="Trường PTDTBT THCS",
                             planned_on=starts_on + timedelta(days=7))
        if approve:
            services.approve_plan(actor=worker, plan=draft, approved_on=starts_on,
                                  approver_name="Chủ tịch UBND xã (trình diễn)", decision_number="12/QĐ-UBND",
                                  completed_at=_at(today, days_ago, 16))
        if approve and deliver:
            services.record_service_delivery(actor=worker, service=psychological,
                                             delivered_on=min(starts_on + timedelta(days=3), today),
                                             result="Trẻ đã ổn định hơn.")

    created = []
    # 1. Just received, the child in danger: verification due within 12 hours.
    hour = max(timezone.localtime().hour - 2, 0)
    created.append(report(0, "Giàng Thị Mai", "F", 9, HarmKind.PHYSICAL_VIOLENCE, hour=hour, danger=True,
                          via=ReportChannel.HOTLINE_111, relation=PerpetratorRelation.STEP_PARENT))
    # 2. Verification overdue (reported a week ago, nobody verified): raises an alert.
    created.append(report(7, "Lò Văn Tú", "M", 12, HarmKind.CHILD_LABOUR, via=ReportChannel.NEIGHBOUR,
                          relation=PerpetratorRelation.EMPLOYER, ethnic=thai))
    # 3. Verified, detailed assessment open.
    case = report(2, "Tẩn Thị Mẩy", "F", 14, HarmKind.SEXUAL_ABUSE, via=ReportChannel.HEALTH_FACILITY,
                  relation=PerpetratorRelation.ACQUAINTANCE, ethnic=dao)
    verify(case, 1, risk=RiskLevel.HIGH)
    created.append(case)
    # 4. Plan drafted, waiting for the commune chair's approval.
    case = report(4, "Sùng A Páo", "M", 7, HarmKind.ABANDONMENT_NEGLECT, via=ReportChannel.FAMILY,
                  relation=PerpetratorRelation.PARENT, child=next(linked, None))
    verify(case, 4)
    assess(case, 3)
    plan(case, 1, approve=False)
    created.append(case)
    # 5. Plan approved, services under way (one delivered).
    case = report(20, "Lù Thị Hoa", "F", 11, HarmKind.EMOTIONAL_VIOLENCE, relation=PerpetratorRelation.RELATIVE,
                  ethnic=thai, child=next(linked, None))
    verify(case, 20)
    assess(case, 19)
    plan(case, 17, approve=True, deliver=True)
    created.append(case)
    # 6. Services done, review open.
    case = report(45, "Vàng A Sử", "M", 13, HarmKind.PHYSICAL_VIOLENCE, via=ReportChannel.POLICE,
                  relation=PerpetratorRelation.PARENT)
    verify(case, 45)
    assess(case, 44)
    plan(case, 42, approve=True, deliver=True)
    finish(case, StepKind.SERVICES, 5, summary="Các dịch vụ đã thực hiện theo kế hoạch.")
    created.append(case)
    # 7. Closed after one plan.
    case = report(90, "Chảo Thị Lan", "F", 15, HarmKind.TRAFFICKING, via=ReportChannel.POLICE,
                  relation=PerpetratorRelation.STRANGER, ethnic=dao)
    verify(case, 90, risk=RiskLevel.HIGH)
    assess(case, 89, risk=RiskLevel.HIGH)
    plan(case, 86, approve=True, deliver=True)
    finish(case, StepKind.SERVICES, 50, summary="Hoàn thành hỗ trợ tâm lý và học tập.")
    finish(case, StepKind.REVIEW, 48, Outcome.CLOSE, risk_level=RiskLevel.LOW, progress="Đạt mục tiêu.",
           child_situation="Trẻ an toàn, đi học đều.", decision=Outcome.CLOSE)
    finish(case, StepKind.CLOSE, 47, reason="goals_met", child_situation="Trẻ an toàn, đi học đều.")
    created.append(case)
    # 8. Closed: the report was unfounded.
    case = report(30, "Hờ A Dính", "M", 6, HarmKind.OTHER, via=ReportChannel.NEIGHBOUR)
    finish(case, StepKind.VERIFY, 29, Outcome.UNFOUNDED, findings="Không có căn cứ.", risk_level=RiskLevel.LOW)
    finish(case, StepKind.CLOSE, 28, reason="unfounded", child_situation="Trẻ bình thường.")
    created.append(case)
    stdout(f"  {len(created)} trường hợp trình diễn tại {commune.name}.")
    return len(created)


def seed_demo_incidents(*, size: str, stdout: Callable[[str], None], today: date | None = None) -> int:
    """A year of demo incidents spread over the communes valid today. Returns how many were created."""
    if Incident.objects.filter(is_demo=True).exists():
        stdout("  sổ theo dõi trình diễn đã có, bỏ qua.")
        return 0
    today = today or timezone.localdate()
    communes = list(OrgUnit.objects.valid_on(today).of_level("commune").order_by("code"))
    if not communes:
        return 0
    groups = {group.code: group for group in EthnicGroup.objects.filter(code__in=ETHNIC_WEIGHTS)}
    ethnic_codes = [code for code in ETHNIC_WEIGHTS if code in groups]
    villages: dict[int, list[Village]] = {}
    for village in Village.objects.filter(org_unit__in=communes):
        villages.setdefault(village.org_unit_id, []).append(village)
    rng = random.Random(20240)
    # The demo commune gets a larger share, so that its officer's tables and charts have something to show.
    commune_weights = [DEMO_COMMUNE_WEIGHT if commune.code == DEMO_COMMUNE_CODE else 1 for commune in communes]
    kinds = list(KIND_WEIGHTS)
    start = today - timedelta(days=364)
    rows = []
    for _ in range(INCIDENTS_PER_SIZE.get(size, INCIDENTS_PER_SIZE["small"])):
        kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
        occurred_on = _demo_day(rng, kind, start, today)
        commune = rng.choices(communes, weights=commune_weights)[0]
        age = rng.choice(range(0, 16))
        outcome = (IncidentOutcome.DEATH if rng.random() < DEATH_SHARE.get(kind, 0.0)
                   else IncidentOutcome.NONE if kind == IncidentKind.ABUSE and rng.random() < 0.5
                   else IncidentOutcome.INJURY)
        code = rng.choices(ethnic_codes, weights=[ETHNIC_WEIGHTS[c] for c in ethnic_codes])[0] if ethnic_codes \
            else None
        rows.append(Incident(
            org_unit=commune, village=rng.choice(villages[commune.pk]) if villages.get(commune.pk) else None,
            place="Suối đầu bản" if kind == IncidentKind.DROWNING else "", occurred_on=occurred_on, kind=kind,
            harm_kind=rng.choice(HarmKind.values) if kind == IncidentKind.ABUSE else "", child_age_years=age,
            child_sex=rng.choice(["M", "F"]), child_ethnic_group=groups.get(code) if code else None,
            outcome=outcome, actions_taken="Sơ cứu, đưa đến trạm y tế; tuyên truyền tại bản (trình diễn).",
            is_demo=True,
        ))
    Incident.objects.bulk_create(rows, batch_size=1000)
    stdout(f"  {len(rows)} vụ tai nạn, thương tích, xâm hại trình diễn trong 12 tháng qua.")
    return len(rows)


def _demo_day(rng: random.Random, kind: str, start: date, today: date) -> date:
    weights = MONTH_WEIGHTS.get(kind)
    for _ in range(20):
        day = start + timedelta(days=rng.randrange((today - start).days + 1))
        if weights is None or rng.random() < weights[day.month - 1] / max(weights):
            return day
    return day
