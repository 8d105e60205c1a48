"""A plan as data: its identity, reporting rule, task groups and tasks, assignments, funding, data elements,
indicators and their targets.

Rows are created and updated only by ``load_plan`` from a plan file (``docs/plan-format.md``), matched by their
permanent ``code``. A row that disappears from the file is *retired* (``is_active=False``), never deleted, because
data values, task progress and reports point to it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.effective import in_force_on
from treem.core.models import BaseModel
from treem.hierarchy.models import Agency


class Plan(BaseModel):
    """A signed plan of the provincial People's Committee, with the reporting rule of its §VI."""

    class Frequency(models.TextChoices):
        YEARLY = "yearly", _("Hằng năm")
        HALF_YEARLY = "half_yearly", _("6 tháng")
        QUARTERLY = "quarterly", _("Hằng quý")
        MONTHLY = "monthly", _("Hằng tháng")

    class DeadlineRule(models.TextChoices):
        BEFORE = "before", _("trước ngày")
        ON_OR_BEFORE = "on_or_before", _("chậm nhất ngày")

    code = models.CharField(_("mã"), max_length=64, unique=True)
    document_type = models.CharField(_("loại văn bản"), max_length=64)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    number_as_printed = models.CharField(_("số (như in)"), max_length=64, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=64)
    year = models.PositiveSmallIntegerField(_("năm ban hành"))
    date_as_printed = models.CharField(_("ngày (như in)"), max_length=128, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("nơi ban hành"), max_length=128, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255)
    issuer_agency = models.ForeignKey(Agency, verbose_name=_("cơ quan ban hành (mã)"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    signer = models.JSONField(_("người ký"), default=dict, blank=True)
    title = models.TextField(_("trích yếu"))
    start_year = models.PositiveSmallIntegerField(_("từ năm"))
    end_year = models.PositiveSmallIntegerField(_("đến năm"))
    legal_bases = models.JSONField(_("căn cứ"), default=list, blank=True)
    referenced_documents = models.JSONField(_("văn bản dẫn chiếu"), default=list, blank=True)
    preamble = models.TextField(_("phần mở đầu"), blank=True)
    purposes = models.JSONField(_("mục đích"), default=list, blank=True)
    requirements = models.JSONField(_("yêu cầu"), default=list, blank=True)
    general_objective = models.TextField(_("mục tiêu chung"), blank=True)
    objectives_intro = models.TextField(_("mục tiêu cụ thể (dẫn)"), blank=True)
    objective_items = models.JSONField(_("mục tiêu cụ thể"), default=list, blank=True)

    reporting_frequency = models.CharField(_("kỳ báo cáo"), max_length=16, choices=Frequency.choices,
                                           default=Frequency.YEARLY)
    reporting_deadline_month = models.PositiveSmallIntegerField(_("hạn báo cáo (tháng)"), default=12)
    reporting_deadline_day = models.PositiveSmallIntegerField(_("hạn báo cáo (ngày)"), default=1)
    reporting_deadline_rule = models.CharField(_("cách tính hạn"), max_length=16, choices=DeadlineRule.choices,
                                               default=DeadlineRule.BEFORE)
    reporting_through = models.CharField(_("báo cáo qua"), max_length=32, default="coordinator",
                                         help_text=_("coordinator: cơ quan thường trực về trẻ em vào ngày báo cáo; "
                                                   "hoặc mã một cơ quan."))
    reporting_to = models.CharField(_("báo cáo lên"), max_length=255, blank=True)
    reporting_to_agency = models.ForeignKey(Agency, verbose_name=_("báo cáo lên (mã)"), null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    reporting_reporters = models.JSONField(_("đối tượng báo cáo"), default=list, blank=True)
    reporting_text = models.TextField(_("quy định báo cáo (nguyên văn)"), blank=True)

    source_file = models.CharField(_("tệp nguồn"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.document_type} {self.label_number}"

    @property
    def label_number(self) -> str:
        """"123/KH-UBND", or "…/KH-UBND" while the number is left blank on the signed copy."""
        return f"{self.number if self.number is not None else '…'}/{self.symbol}"

    def last_day_to_report(self, year: int) -> date:
        """The last day a yearly report for ``year`` is on time ("trước ngày 01/12" → 30 November)."""
        deadline = date(year, self.reporting_deadline_month, self.reporting_deadline_day)
        if self.reporting_deadline_rule == self.DeadlineRule.BEFORE:
            return date.fromordinal(deadline.toordinal() - 1)
        return deadline


class TaskGroup(BaseModel):
    """One of the groups of tasks of the plan's §III."""

    plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="task_groups")
    code = models.CharField(_("mã"), max_length=16)
    section = models.CharField(_("mục"), max_length=32)
    title = models.TextField(_("tên nhóm (nguyên văn)"))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "nhóm nhiệm vụ"
        verbose_name_plural = "nhóm nhiệm vụ"
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="task_group_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title[:80]}"


class Task(BaseModel):
    """One paragraph of a task group: a task of the plan, its text verbatim."""

    plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="tasks")
    group = models.ForeignKey(TaskGroup, verbose_name=_("nhóm"), on_delete=models.PROTECT, related_name="tasks")
    code = models.CharField(_("mã"), max_length=16)
    title = models.CharField(_("tên ngắn"), max_length=255)
    text = models.TextField(_("nội dung (nguyên văn)"))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="task_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AssigneeKind(models.TextChoices):
    AGENCY = "agency", _("Cơ quan")
    LOCALITY = "locality", _("UBND cấp huyện/xã")
    ALL_AGENCIES = "all_agencies", _("Các sở, ban, ngành liên quan")


class DutyRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    COOPERATE = "cooperate", _("Phối hợp")


class PlanAssignment(BaseModel):
    """One duty the plan's §V gives to an agency, to the localities or to every agency, its text verbatim.

    ``reassignments`` record that, after a reorganisation, another agency carries the duty from a date (the text
    stays as signed); ``agency_on(day)`` answers who carries it on a day.
    """

    plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="assignments")
    code = models.CharField(_("mã"), max_length=32)
    section = models.CharField(_("mục"), max_length=16)
    heading = models.CharField(_("tiêu đề mục (nguyên văn)"), max_length=255)
    assignee_kind = models.CharField(_("đối tượng được giao"), max_length=16, choices=AssigneeKind.choices)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="plan_assignments")
    is_request = models.BooleanField(_("là đề nghị (không phải giao)"), default=False)
    role = models.CharField(_("vai trò"), max_length=16, choices=DutyRole.choices)
    title = models.CharField(_("tên ngắn"), max_length=255)
    text = models.TextField(_("nội dung (nguyên văn)"))
    serves_tasks = models.ManyToManyField(Task, verbose_name=_("phục vụ nhiệm vụ"), blank=True, related_name="duties")
    serves_groups = models.ManyToManyField(TaskGroup, verbose_name=_("phục vụ nhóm nhiệm vụ"), blank=True,
                                           related_name="duties")
    partners = models.ManyToManyField(Agency, verbose_name=_("cơ quan phối hợp"), blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "phân công nhiệm vụ"
        verbose_name_plural = "phân công nhiệm vụ"
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_assignment_code_unique"),
            models.CheckConstraint(
                condition=(Q(assignee_kind="agency") & Q(agency__isnull=False))
                | (~Q(assignee_kind="agency") & Q(agency__isnull=True)),
                name="plan_assignment_agency_iff_kind_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def agency_on(self, day: date) -> Agency | None:
        """The agency carrying the duty on ``day`` after reassignments (prefetch ``reassignments``)."""
        reassignment = in_force_on(self.reassignments.all(), day, starts=lambda row: row.effective_on)
        return reassignment.agency if reassignment is not None else self.agency


class Reassignment(BaseModel):
    """From ``effective_on`` the duty ``assignment`` is carried by ``agency``."""

    assignment = models.ForeignKey(PlanAssignment, verbose_name=_("phân công"), on_delete=models.CASCADE,
                                   related_name="reassignments")
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan tiếp nhận"), on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("từ ngày"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = "chuyển giao nhiệm vụ"
        verbose_name_plural = "chuyển giao nhiệm vụ"
        ordering = ["assignment", "effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "effective_on"], name="reassignment_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment.code} → {self.agency} ({self.effective_on:%d/%m/%Y})"


class FundingSource(BaseModel):
    """A source of funds named by the plan's §IV."""

    plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT,
                             related_name="funding_sources")
    code = models.CharField(_("mã"), max_length=32)
    name = models.CharField(_("tên"), max_length=255)
    text = models.TextField(_("nội dung (nguyên văn)"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "nguồn kinh phí"
        verbose_name_plural = "nguồn kinh phí"
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="funding_source_code_unique")]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    COMMUNE = "commune", _("Xã")
    DISTRICT = "district", _("Huyện")
    PROVINCE = "province", _("Tỉnh")


class DataElement(BaseModel):
    """A countable thing that indicators divide: entered by a reporter, or derived from records.

    The code is unique across plans: a data value means the same thing whatever plan reads it. The plan whose file
    defines the element owns it (``plan``); another plan file cannot redefine it.

    ``reporter_agency`` / ``reporter_is_locality`` say who types values in: for an entered element its reporter,
    for a derived one the *entered fallback* reporter (who may type the figure where the records do not cover a
    commune and year). A derived element without a fallback cannot be entered.
    """

    class Source(models.TextChoices):
        ENTERED = "entered", _("Nhập báo cáo")
        DERIVED = "derived", _("Tính từ hồ sơ")

    class ValueType(models.TextChoices):
        INTEGER = "integer", _("Số nguyên")

    plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="data_elements")
    code = models.CharField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    definition = models.TextField(_("định nghĩa"))
    unit = models.CharField(_("đơn vị tính"), max_length=32)
    value_type = models.CharField(_("kiểu giá trị"), max_length=16, choices=ValueType.choices,
                                  default=ValueType.INTEGER)
    source = models.CharField(_("nguồn"), max_length=16, choices=Source.choices)
    derived_from = models.CharField(_("hàm tính"), max_length=128, blank=True)
    reporter_agency = models.ForeignKey(Agency, verbose_name=_("cơ quan nhập"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    reporter_is_locality = models.BooleanField(_("do xã nhập"), default=False)
    by_sex = models.BooleanField(_("phân tổ theo giới tính"), default=False)
    by_ethnicity = models.BooleanField(_("phân tổ theo dân tộc"), default=False)
    collection_level = models.CharField(_("cấp thu thập"), max_length=16, choices=Level.choices, default=Level.COMMUNE)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "phần tử dữ liệu"
        verbose_name_plural = "phần tử dữ liệu"
        ordering = ["plan", "order"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="derived") & ~Q(derived_from="")) | (Q(source="entered") & Q(derived_from="")),
                name="data_element_derived_from_iff_derived",
            ),
            models.CheckConstraint(
                condition=Q(reporter_agency__isnull=True) | Q(reporter_is_locality=False),
                name="data_element_one_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def is_derived(self) -> bool:
        return self.source == self.Source.DERIVED

    @property
    def can_be_entered(self) -> bool:
        return self.reporter_is_locality or self.reporter_agency_id is not None

    @property
    def reporter_label(self) -> str:
        if self.reporter_is_locality:
            return "UBND cấp xã"
        return str(self.reporter_agency) if self.reporter_agency_id else ""


class Indicator(BaseModel):
    """factor × numerator ÷ denominator over two data elements, with a direction and targets per year."""

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher_is_better", _("Càng cao càng tốt")
        LOWER_IS_BETTER = "lower_is_better", _("Càng thấp càng tốt")

    plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField(_("mã"), max_length=16)
    name = models.CharField(_("tên"), max_length=255)
    wording = models.TextField(_("nguyên văn kế hoạch"))
    unit = models.CharField(_("đơn vị"), max_length=16, default="%")
    factor = models.DecimalField(_("hệ số"), max_digits=12, decimal_places=4, default=Decimal(100))
    numerator = models.ForeignKey(DataElement, verbose_name=_("tử số"), on_delete=models.PROTECT, related_name="+")
    denominator = models.ForeignKey(DataElement, verbose_name=_("mẫu số"), on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("chiều"), max_length=20, choices=Direction.choices)
    collection_level = models.CharField(_("cấp thu thập"), max_length=16, choices=Level.choices, default=Level.COMMUNE)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=~Q(numerator=models.F("denominator")),
                                   name="indicator_numerator_not_denominator"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def responsible_agency_on(self, day: date) -> Agency | None:
        """Who answers for the indicator on ``day`` (prefetch ``responsibilities__agency``)."""
        row = in_force_on(self.responsibilities.all(), day, starts=lambda entry: entry.valid_from)
        return row.agency if row is not None else None


class IndicatorResponsibility(BaseModel):
    """From ``valid_from`` until the next row, ``agency`` answers for the indicator."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE,
                                  related_name="responsibilities")
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("từ ngày"))

    class Meta:
        verbose_name = "cơ quan chịu trách nhiệm chỉ tiêu"
        verbose_name_plural = "cơ quan chịu trách nhiệm chỉ tiêu"
        ordering = ["indicator", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "valid_from"], name="indicator_responsibility_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.agency} từ {self.valid_from:%d/%m/%Y}"


class Comparison(models.TextChoices):
    GT = "gt", _("trên")
    GTE = "gte", _("từ … trở lên")
    LT = "lt", _("dưới")
    LTE = "lte", _("không quá")
    EQ = "eq", _("bằng")


COMPARISON_SYMBOLS: dict[str, str] = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "eq": "="}


class Target(BaseModel):
    """The plan's target for one year: the indicator's value must satisfy ``value`` under ``comparison``."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT,
                                  related_name="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    comparison = models.CharField(_("so sánh"), max_length=4, choices=Comparison.choices)
    value = models.DecimalField(_("giá trị"), max_digits=12, decimal_places=4)
    wording = models.CharField(_("nguyên văn"), max_length=255)
    section = models.CharField(_("mục"), max_length=32, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = "mục tiêu"
        verbose_name_plural = "mục tiêu"
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="target_year_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.symbol} {self.value.normalize():f}"

    @property
    def symbol(self) -> str:
        return COMPARISON_SYMBOLS[self.comparison]

    def is_met_by(self, value: Fraction | Decimal | int) -> bool:
        """Whether a value meets the target, compared exactly (no rounding)."""
        return comparison_holds(self.comparison, Fraction(value), Fraction(self.value))


def comparison_holds(comparison: str, actual: Fraction, target: Fraction) -> bool:
    if comparison == Comparison.GT:
        return actual > target
    if comparison == Comparison.GTE:
        return actual >= target
    if comparison == Comparison.LT:
        return actual < target
    if comparison == Comparison.LTE:
        return actual <= target
    return actual == target
