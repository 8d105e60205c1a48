"""The demo reporting cycle (``is_demo``): 2026, deadline 23:59 on 1 December 2026, with a believable mix of
reports — approved, submitted, returned with a comment, drafts, not started — written through the same services as
real ones, at timestamps before today. A database that already holds the 2026 cycle is left as it is."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from treem.plans.models import Plan
from treem.reporting.models import ReportingCycle, Submission, TaskProgress, local_zone
from treem.reporting.rules import load_validation_rules
from treem.reporting.services import (
    approve_report,
    ensure_task_progress,
    open_reporting_cycle,
    return_report,
    submit_report,
)

YEAR = 2026
RESULTS = [
    "Đã ban hành kế hoạch triển khai và tổ chức {n} hội nghị, buổi truyền thông về quyền trẻ em.",
    "Phối hợp với các thôn, bản rà soát, cập nhật danh sách {n} trẻ em có hoàn cảnh đặc biệt.",
    "Tổ chức {n} lớp tập huấn kỹ năng bảo vệ trẻ em cho cán bộ cơ sở và cha mẹ.",
    "Duy trì {n} điểm vui chơi cho trẻ em; tổ chức hoạt động hè an toàn.",
]
DIFFICULTIES = ["Kinh phí bố trí còn hạn chế.", "Địa bàn rộng, giao thông đi lại khó khăn vào mùa mưa.",
                "Cán bộ làm công tác trẻ em kiêm nhiệm nhiều việc.", ""]
PROPOSALS = ["Đề nghị tỉnh bố trí kinh phí tập huấn cho cán bộ cấp xã.",
             "Đề nghị bổ sung tài liệu truyền thông bằng tiếng dân tộc.", ""]
# The demo accounts' own reports stay open so that they can be tried out.
KEEP_OPEN = {"SGDDT", "03390"}


def _moment(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() - timedelta(days=day_offset)
    return datetime.combine(day, time(hour, 15), tzinfo=local_zone())


def _fill(submission: Submission, generator: random.Random) -> None:
    for progress in ensure_task_progress(submission):
        progress.status = generator.choice([TaskProgress.Status.IN_PROGRESS, TaskProgress.Status.DONE])
        progress.results = generator.choice(RESULTS).format(n=generator.randint(2, 12))
        progress.difficulties = generator.choice(DIFFICULTIES)
        progress.proposals = generator.choice(PROPOSALS)
        progress.save()
    submission.narrative = (f"{submission.reporter_name} đã triển khai các nhiệm vụ được giao năm {YEAR}; "
                            "các chỉ tiêu cơ bản đạt theo tiến độ.")
    submission.status = Submission.Status.DRAFT
    submission.save()


def seed_demo_reporting(*, size: str, stdout: Callable[[str], None]) -> None:
    plan = Plan.objects.filter(is_active=True).first()
    if plan is None:
        stdout("  chưa nạp kế hoạch: bỏ qua kỳ báo cáo trình diễn.")
        return
    load_validation_rules(actor=None)
    if ReportingCycle.objects.filter(plan=plan, year=YEAR).exists():
        stdout(f"  kỳ báo cáo năm {YEAR} đã có: giữ nguyên.")
        return
    counts = _seed(plan)
    stdout("  kỳ báo cáo năm 2026 (trình diễn, hạn 01/12/2026): "
           + ", ".join(f"{count} {label.lower()}" for label, count in counts.items()))


@transaction.atomic
def _seed(plan: Plan) -> dict[str, int]:
    cycle = open_reporting_cycle(actor=None, plan=plan, year=YEAR, is_demo=True)
    generator = random.Random(2026)
    submissions = list(cycle.submissions.select_related("agency", "org_unit").order_by("kind", "org_unit__path",
                                                                                      "agency__code"))
    for index, submission in enumerate(submissions):
        key = submission.agency.code if submission.agency else submission.org_unit.code
        share = index % 10
        if key in KEEP_OPEN:
            _fill(submission, generator)
            continue
        if share == 9:
            continue  # not started
        _fill(submission, generator)
        if share == 8:
            continue  # a draft
        try:
            submit_report(actor=None, submission=submission,  # type: ignore[arg-type]
                          now=_moment(generator.randint(3, 20), generator.randint(7, 17)))
        except ValidationError:
            continue  # the demo figures break a rule: it stays a draft, as it would
        submission.refresh_from_db()
        reviewed = submission.submitted_at + timedelta(hours=generator.randint(2, 30))  # type: ignore[operator]
        reviewed = min(reviewed, timezone.now())
        if share in (0, 1, 2, 3):
            approve_report(actor=None, submission=submission, now=reviewed)  # type: ignore[arg-type]
        elif share == 4:
            return_report(actor=None, submission=submission, now=reviewed,  # type: ignore[arg-type]
                          comment="Đề nghị bổ sung số liệu minh chứng cho kết quả nhiệm vụ.")
    result: dict[str, int] = {}
    for status, label in Submission.Status.choices:
        result[str(label)] = cycle.submissions.filter(status=status).count()
    return result
