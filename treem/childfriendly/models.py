"""The child-friendly assessment as data: the scoring table of a decision (versioned), the communes' bands, the
recognising level, and each commune's yearly assessment with its scores and evidence."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel
from treem.hierarchy.models import OrgUnit, valid_on_q


class Band(models.TextChoices):
    """The groups of communes of the recognition rule; each version of the table sets the total each needs."""

    MOUNTAINOUS = "mountainous", _("Xã, thị trấn miền núi, hải đảo; xã đặc biệt khó khăn")
    OTHER = "other", _("Xã, phường, thị trấn còn lại")
    CITY_WARD = "city_ward", _("Phường thuộc thành phố trực thuộc trung ương")


class RuleKind(models.TextChoices):
    SHARE_AT_LEAST = "share_at_least", _("Tỷ lệ (%) từ ngưỡng trở lên")
    SHARE_AT_MOST = "share_at_most", _("Tỷ lệ (%) không quá ngưỡng")
    YES_NO = "yes_no", _("Có / không")
    COUNT_AT_MOST = "count_at_most", _("Số lượng không quá ngưỡng")
    COUNT_AT_LEAST = "count_at_least", _("Số lượng từ ngưỡng trở lên")

    @classmethod
    def shares(cls) -> frozenset[str]:
        return frozenset({cls.SHARE_AT_LEAST, cls.SHARE_AT_MOST})

    @classmethod
    def counts(cls) -> frozenset[str]:
        return frozenset({cls.COUNT_AT_MOST, cls.COUNT_AT_LEAST})


class ScoringVersion(BaseModel):
    """One decision's scoring table (``reference_data/child-friendly/*.yaml``), with the totals of each band.

    A version is never rewritten once an assessment uses it: a successor decision loads as a new version."""

    code = models.CharField(_("mã phiên bản"), max_length=32, unique=True)
    title = models.CharField(_("tên"), max_length=255)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    max_total = models.PositiveIntegerField(_("tổng điểm tối đa"))
    thresholds = models.JSONField(_("điểm chuẩn theo nhóm xã"), default=dict)
    source_file = models.CharField(_("tệp nguồn"), max_length=255, blank=True)
    source_digest = models.CharField(_("mã băm tệp nguồn"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("bảng điểm xã phù hợp với trẻ em")
        verbose_name_plural = _("bảng điểm xã phù hợp với trẻ em")
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"{self.code} — {self.legal_basis}"

    def threshold_for(self, band: str) -> int | None:
        value = self.thresholds.get(band)
        return int(value) if value is not None else None


class Criterion(BaseModel):
    version = models.ForeignKey(ScoringVersion, verbose_name=_("bảng điểm"), on_delete=models.PROTECT,
                                related_name="criteria")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    name = models.CharField(_("tên tiêu chí"), max_length=255)
    min_points = models.PositiveIntegerField(_("điểm tối thiểu để đạt"), default=0)

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="childfriendly_criterion_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class SubItem(BaseModel):
    """One line of the table: its points, and the rule that says whether the figure earns them."""

    class Provenance(models.TextChoices):
        DECISION = "decision", _("Theo văn bản")
        PROVISIONAL = "provisional", _("Tạm, cần đối chiếu văn bản")

    criterion = models.ForeignKey(Criterion, verbose_name=_("tiêu chí"), on_delete=models.PROTECT,
                                  related_name="sub_items")
    code = models.CharField(_("mã mục"), max_length=16)
    text = models.TextField(_("nội dung"))
    rule = models.CharField(_("cách chấm"), max_length=16, choices=RuleKind.choices)
    threshold = models.DecimalField(_("ngưỡng"), max_digits=9, decimal_places=2, null=True, blank=True)
    points = models.PositiveIntegerField(_("điểm tối đa"))
    prefill = models.CharField(_("nguồn điền sẵn"), max_length=64, blank=True)
    provenance = models.CharField(_("nguồn nội dung"), max_length=16, choices=Provenance.choices)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("mục chấm điểm")
        verbose_name_plural = _("mục chấm điểm")
        ordering = ["criterion", "position"]
        constraints = [models.UniqueConstraint(fields=["criterion", "code"], name="childfriendly_subitem_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def is_share(self) -> bool:
        return self.rule in RuleKind.shares()

    @property
    def is_yes_no(self) -> bool:
        return self.rule == RuleKind.YES_NO

    def earns_points(self, value: Decimal | None) -> bool:
        """Whether ``value`` (a share in %, a count, or 1/0 for yes/no) meets the rule."""
        if value is None:
            return False
        limit = self.threshold if self.threshold is not None else Decimal(0)
        if self.rule == RuleKind.YES_NO:
            return value == 1
        if self.rule in (RuleKind.SHARE_AT_LEAST, RuleKind.COUNT_AT_LEAST):
            return value >= limit
        return value <= limit


class RecognisingLevel(BaseModel):
    """Which level reviews and recognises, from a date (district until 30/06/2025, then province): a setting."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("Cấp huyện")
        PROVINCE = "province", _("Cấp tỉnh")

    level = models.CharField(_("cấp công nhận"), max_length=16, choices=Level.choices)
    valid_from = models.DateField(_("từ ngày"), unique=True)

    class Meta:
        verbose_name = _("cấp công nhận")
        verbose_name_plural = _("cấp công nhận")
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.valid_from:%d/%m/%Y})"


class CommuneBand(BaseModel):
    """The band of one commune during a period (effective-dated, as org units are)."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    band = models.CharField(_("nhóm điểm chuẩn"), max_length=16, choices=Band.choices)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("nhóm điểm chuẩn của xã")
        verbose_name_plural = _("nhóm điểm chuẩn của xã")
        ordering = ["org_unit", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "valid_from"], name="childfriendly_band_start")]

    def __str__(self) -> str:
        return f"{self.org_unit.name}: {self.get_band_display()}"

    @classmethod
    def band_on(cls, org_unit: OrgUnit, on: date) -> CommuneBand | None:
        return cls.objects.filter(valid_on_q(on), org_unit=org_unit).order_by("-valid_from").first()


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def active(self) -> AssessmentQuerySet:
        return self.filter(deleted_at__isnull=True)


class Assessment(BaseModel):
    """One commune's assessment for one year, under the version of the table in force then."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang tự đánh giá")
        SUBMITTED = "submitted", _("Chờ thẩm định")
        RETURNED = "returned", _("Trả lại để bổ sung")
        RECOGNISED = "recognised", _("Được công nhận")

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    version = models.ForeignKey(ScoringVersion, verbose_name=_("bảng điểm"), on_delete=models.PROTECT,
                                related_name="assessments")
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    band = models.CharField(_("nhóm điểm chuẩn"), max_length=16, choices=Band.choices, blank=True)
    threshold = models.PositiveIntegerField(_("điểm chuẩn"), null=True, blank=True)
    total = models.DecimalField(_("tổng điểm"), max_digits=7, decimal_places=2, default=Decimal(0))
    deadline_on = models.DateField(_("hạn gửi"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thẩm định"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    reviewing_unit = models.ForeignKey(OrgUnit, verbose_name=_("cấp thẩm định"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    review_comment = models.TextField(_("ý kiến thẩm định"), blank=True)
    recognised_value = models.ForeignKey("indicators.DataValue", verbose_name=_("số liệu I01 đã ghi"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(_("dữ liệu trình diễn"), default=False)
    deleted_at = models.DateTimeField(_("xoá lúc"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("đánh giá xã phù hợp với trẻ em")
        verbose_name_plural = _("đánh giá xã phù hợp với trẻ em")
        ordering = ["-year", "org_unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year"], condition=Q(deleted_at__isnull=True),
                                    name="childfriendly_one_assessment_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.name} — {self.year}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Score(BaseModel):
    """The figure and points of one sub-item in one assessment, with where a pre-filled figure came from."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("đánh giá"), on_delete=models.CASCADE,
                                   related_name="scores")
    sub_item = models.ForeignKey(SubItem, verbose_name=_("mục"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("số liệu"), max_digits=9, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2, default=Decimal(0))
    prefilled_value = models.DecimalField(_("số liệu điền sẵn"), max_digits=9, decimal_places=2, null=True,
                                          blank=True)
    prefill_source = models.CharField(_("nguồn số liệu điền sẵn"), max_length=255, blank=True)
    prefill_link = models.CharField(_("đường dẫn nguồn"), max_length=255, blank=True)
    is_confirmed = models.BooleanField(_("đã xác nhận"), default=False)
    override_reason = models.TextField(_("lý do sửa số liệu điền sẵn"), blank=True)

    class Meta:
        verbose_name = _("điểm mục")
        verbose_name_plural = _("điểm mục")
        ordering = ["assessment", "sub_item__criterion__number", "sub_item__position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "sub_item"], name="childfriendly_one_score")]

    def __str__(self) -> str:
        return f"{self.sub_item.code}: {self.points}"

    @property
    def is_override(self) -> bool:
        return self.prefilled_value is not None and self.value != self.prefilled_value


def evidence_path(instance: Evidence, filename: str) -> str:
    extension = PurePath(filename).suffix.lower()[:8]
    return f"xa-phu-hop-tre-em/minh-chung/{date.today().year}/{uuid.uuid4().hex}{extension}"


class Evidence(BaseModel):
    """A file evidencing a score (a minute, a list, a photo); type checked from its content, soft-deleted."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("đánh giá"), on_delete=models.CASCADE,
                                   related_name="evidence")
    score = models.ForeignKey(Score, verbose_name=_("mục"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="evidence")
    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=128)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    deleted_at = models.DateTimeField(_("xoá lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp minh chứng")
        verbose_name_plural = _("tệp minh chứng")
        ordering = ["assessment", "created_at"]

    def __str__(self) -> str:
        return self.original_name
