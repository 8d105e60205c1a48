"""The steps of case management under Decree 56/2017/NĐ-CP, as data: steps, transitions and deadlines.

receive → verify (initial risk assessment; emergency measures within 12 hours when the child is in danger) →
detailed assessment → support and intervention plan (within 5 working days of the report, approved by the commune
chair) → services → review (risk Cao / Trung bình / Thấp) → close, or a new plan (back to *plan*).

A verification that finds the report unfounded goes straight to *close*. Each step has its structured form and its
printable form (Mẫu 01–06, numbered in the order of the steps). Deadlines are counted on the working-day calendar
(``treem.core.calendar``) except the 12 hours of an emergency, which are clock hours: danger does not wait for Monday.
The legal deadlines are the 12 hours and the 5 working days; the others are defaults of treem that keep every open
step dated, and are changed here, in one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from treem.core.calendar import WorkingCalendar, end_of_day


class StepKind(models.TextChoices):
    RECEIVE = "receive", _("Tiếp nhận thông tin, thông báo, tố giác")
    VERIFY = "verify", _("Xác minh, đánh giá nguy cơ ban đầu")
    ASSESS = "assess", _("Thu thập thông tin, đánh giá chi tiết")
    PLAN = "plan", _("Xây dựng, phê duyệt kế hoạch hỗ trợ, can thiệp")
    SERVICES = "services", _("Thực hiện kế hoạch hỗ trợ, can thiệp")
    REVIEW = "review", _("Theo dõi, đánh giá")
    CLOSE = "close", _("Kết thúc kế hoạch, đóng hồ sơ")


class Outcome(models.TextChoices):
    """How a step ended, when the next step depends on it."""

    DONE = "done", _("Hoàn thành")
    CONFIRMED = "confirmed", _("Thông tin được xác minh, cần hỗ trợ")
    UNFOUNDED = "unfounded", _("Không có căn cứ, không cần can thiệp")
    CLOSE = "close", _("Kết thúc kế hoạch, đóng hồ sơ")
    NEW_PLAN = "new_plan", _("Xây dựng kế hoạch mới")


class Anchor(models.TextChoices):
    REPORTED = "reported", _("kể từ khi nhận thông tin")
    OPENED = "opened", _("kể từ khi bắt đầu bước")
    PLAN_REVIEW = "plan_review", _("đến ngày đánh giá ghi trong kế hoạch")


@dataclass(frozen=True)
class Deadline:
    """How long a step may take: clock ``hours`` or ``working_days``, counted from ``anchor``."""

    anchor: str
    working_days: int | None = None
    hours: int | None = None
    basis: str = ""

    @property
    def label(self) -> str:
        if self.anchor == Anchor.PLAN_REVIEW:
            return "đến ngày đánh giá của kế hoạch"
        amount = f"{self.hours} giờ" if self.hours is not None else f"{self.working_days} ngày làm việc"
        return f"{amount} {Anchor(self.anchor).label}"


@dataclass(frozen=True)
class StepRule:
    kind: str
    form_number: str | None
    form_title: StrOrPromise
    deadline: Deadline
    deadline_in_danger: Deadline | None = None
    order: int = 0


STEP_RULES: dict[str, StepRule] = {
    StepKind.RECEIVE: StepRule(
        StepKind.RECEIVE, "01", _("Phiếu tiếp nhận thông tin, thông báo, tố giác về trẻ em bị xâm hại hoặc có nguy "
        "cơ bị xâm hại"), Deadline(Anchor.REPORTED, hours=0, basis="Ghi ngay khi tiếp nhận"), order=1),
    StepKind.VERIFY: StepRule(
        StepKind.VERIFY, "02", _("Phiếu xác minh thông tin và đánh giá nguy cơ ban đầu"),
        Deadline(Anchor.REPORTED, working_days=2, basis="Mặc định của hệ thống"),
        deadline_in_danger=Deadline(Anchor.REPORTED, hours=12,
                                    basis="NĐ 56/2017: biện pháp khẩn cấp trong 12 giờ khi trẻ đang gặp nguy hiểm"),
        order=2),
    StepKind.ASSESS: StepRule(
        StepKind.ASSESS, "03", _("Phiếu thu thập thông tin, đánh giá chi tiết nhu cầu của trẻ em"),
        Deadline(Anchor.REPORTED, working_days=3, basis="Mặc định của hệ thống (trước hạn lập kế hoạch)"), order=3),
    StepKind.PLAN: StepRule(
        StepKind.PLAN, "04", _("Kế hoạch hỗ trợ, can thiệp"),
        Deadline(Anchor.REPORTED, working_days=5,
                 basis="NĐ 56/2017: lập kế hoạch trong 05 ngày làm việc, trình Chủ tịch UBND xã phê duyệt"),
        order=4),
    StepKind.SERVICES: StepRule(
        StepKind.SERVICES, None, _("Thực hiện các dịch vụ hỗ trợ, can thiệp"),
        Deadline(Anchor.PLAN_REVIEW, basis="Theo kế hoạch đã phê duyệt"), order=5),
    StepKind.REVIEW: StepRule(
        StepKind.REVIEW, "05", _("Phiếu theo dõi, đánh giá việc thực hiện kế hoạch hỗ trợ, can thiệp"),
        Deadline(Anchor.OPENED, working_days=5, basis="Mặc định của hệ thống"), order=6),
    StepKind.CLOSE: StepRule(
        StepKind.CLOSE, "06", _("Biên bản kết thúc kế hoạch hỗ trợ, can thiệp và đóng hồ sơ"),
        Deadline(Anchor.OPENED, working_days=5, basis="Mặc định của hệ thống"), order=7),
}

# A new plan after a review is due 5 working days after the review, like the first one after the report.
NEW_PLAN_DEADLINE = Deadline(Anchor.OPENED, working_days=5, basis="Kế hoạch mới: 05 ngày làm việc sau đánh giá")

# (step, outcome) → next step; a missing pair is a transition that is not allowed. None ends the case.
TRANSITIONS: dict[tuple[str, str], str | None] = {
    (StepKind.RECEIVE, Outcome.DONE): StepKind.VERIFY,
    (StepKind.VERIFY, Outcome.CONFIRMED): StepKind.ASSESS,
    (StepKind.VERIFY, Outcome.UNFOUNDED): StepKind.CLOSE,
    (StepKind.ASSESS, Outcome.DONE): StepKind.PLAN,
    (StepKind.PLAN, Outcome.DONE): StepKind.SERVICES,
    (StepKind.SERVICES, Outcome.DONE): StepKind.REVIEW,
    (StepKind.REVIEW, Outcome.CLOSE): StepKind.CLOSE,
    (StepKind.REVIEW, Outcome.NEW_PLAN): StepKind.PLAN,
    (StepKind.CLOSE, Outcome.DONE): None,
}


class TransitionNotAllowed(ValueError):
    """The step cannot end with that outcome."""


def outcomes_of(kind: str) -> list[str]:
    """The outcomes a step of ``kind`` may end with."""
    return [outcome for (step, outcome) in TRANSITIONS if step == kind]


def next_step(kind: str, outcome: str) -> str | None:
    """The step that follows ``kind`` ended with ``outcome``; None when the case ends."""
    try:
        return TRANSITIONS[(kind, outcome)]
    except KeyError as error:
        raise TransitionNotAllowed(
            f"Bước “{StepKind(kind).label}” không thể kết thúc với kết quả “{Outcome(outcome).label}”."
        ) from error


def deadline_rule(kind: str, *, is_in_danger: bool = False, is_new_plan: bool = False) -> Deadline:
    rule = STEP_RULES[kind]
    if kind == StepKind.PLAN and is_new_plan:
        return NEW_PLAN_DEADLINE
    if is_in_danger and rule.deadline_in_danger is not None:
        return rule.deadline_in_danger
    return rule.deadline


def due_at(
    kind: str,
    *,
    reported_at: datetime,
    opened_at: datetime,
    calendar: WorkingCalendar,
    is_in_danger: bool = False,
    is_new_plan: bool = False,
    plan_review_on: date | None = None,
) -> datetime:
    """When a step opened at ``opened_at`` of a case reported at ``reported_at`` is due."""
    rule = deadline_rule(kind, is_in_danger=is_in_danger, is_new_plan=is_new_plan)
    if rule.anchor == Anchor.PLAN_REVIEW:
        if plan_review_on is None:
            raise ValueError("Kế hoạch chưa có ngày đánh giá.")
        return end_of_day(plan_review_on)
    start = reported_at if rule.anchor == Anchor.REPORTED else opened_at
    if rule.hours is not None:
        return start + timedelta(hours=rule.hours)
    return calendar.deadline_after(start, working_days=rule.working_days or 0)
