"""Entered data values: one figure of a data element for one org unit, one year and one disaggregation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel, EthnicGroup
from treem.hierarchy.models import OrgUnit
from treem.plans.models import DataElement, Indicator


class Sex(models.TextChoices):
    ALL = "", _("Tất cả")
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class DataValueQuerySet(models.QuerySet["DataValue"]):
    def for_years(self, years: list[int] | range) -> DataValueQuerySet:
        return self.filter(year__in=list(years))

    def with_value(self) -> DataValueQuerySet:
        return self.filter(value__isnull=False)


class DataValue(BaseModel):
    """A figure entered for a data element, an org unit (the lowest level, usually a commune valid that year) and a
    year, for all children (``sex`` empty, ``ethnic_group`` null) or for one sex and/or one ethnic group.

    A missing row is missing data, never zero, and so is a row whose ``value`` is NULL (a value that was cleared:
    the row stays so that its history — its audit events — stays with it). Written only by
    ``treem.indicators.services.enter_data_values``.
    """

    data_element = models.ForeignKey(DataElement, verbose_name=_("phần tử dữ liệu"), on_delete=models.PROTECT,
                                     related_name="values")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, default=Sex.ALL, blank=True)
    ethnic_group = models.ForeignKey(EthnicGroup, verbose_name=_("dân tộc"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text=_("Để trống: mọi dân tộc."))
    value = models.DecimalField(_("giá trị"), max_digits=16, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("ghi chú"), blank=True)
    is_demo = models.BooleanField(_("dữ liệu trình diễn"), default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = DataValueQuerySet.as_manager()

    class Meta:
        verbose_name = "số liệu"
        verbose_name_plural = "số liệu"
        ordering = ["data_element", "year", "org_unit"]
        constraints = [
            # NULL ethnic group (all groups) is one cell, so it needs its own partial constraint on every database.
            models.UniqueConstraint(
                fields=["data_element", "org_unit", "year", "sex", "ethnic_group"],
                condition=Q(ethnic_group__isnull=False),
                name="data_value_cell_unique",
            ),
            models.UniqueConstraint(
                fields=["data_element", "org_unit", "year", "sex"],
                condition=Q(ethnic_group__isnull=True),
                name="data_value_cell_all_groups_unique",
            ),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0),
                                   name="data_value_not_negative"),
            models.CheckConstraint(condition=Q(sex__in=["", "M", "F"]), name="data_value_sex_known"),
        ]
        indexes = [
            models.Index(fields=["year", "data_element"], name="data_value_year_element_idx"),
            models.Index(fields=["org_unit", "year"], name="data_value_unit_year_idx"),
            models.Index(fields=["updated_at"], name="data_value_updated_idx"),  # the latest change, for tokens
        ]

    def __str__(self) -> str:
        return f"{self.data_element.code} {self.org_unit.code} {self.year}: {self.value}"


class SourceVersion(models.Model):
    """A counter per source of derived figures (``registry``, ``nutrition`` …), raised after every committed change
    to the records the source counts (``treem.indicators.sources.records_changed``). Part of the token that says
    whether stored counts are still current."""

    name = models.CharField(_("nguồn"), max_length=40, unique=True)
    version = models.PositiveBigIntegerField(_("phiên bản"), default=0)

    class Meta:
        verbose_name = "phiên bản nguồn số liệu"
        verbose_name_plural = "phiên bản nguồn số liệu"

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class DerivedCount(models.Model):
    """What a derived function counted for one year, kept so that a dashboard does not count the records again while
    they are unchanged (``treem.indicators.counts``): the header; the cells are in its parts, one per province.

    ``token`` is the source's token when the count began (its version and its tables' sizes and latest changes);
    the cells are current while the source's token is the same. Not a record of anything: it can be emptied at any
    time and is counted again when next needed.
    """

    function = models.CharField(_("hàm đếm"), max_length=120)
    year = models.PositiveSmallIntegerField(_("năm"))
    token = models.CharField(_("dấu phiên bản"), max_length=255)
    includes_demo = models.BooleanField(_("có dữ liệu trình diễn"), default=False)
    counted_at = models.DateTimeField(_("đếm lúc"))
    seconds = models.FloatField(_("thời gian đếm (giây)"), default=0)

    class Meta:
        verbose_name = "số liệu đếm từ hồ sơ"
        verbose_name_plural = "số liệu đếm từ hồ sơ"
        constraints = [models.UniqueConstraint(fields=["function", "year"], name="derived_count_function_year")]

    def __str__(self) -> str:
        return f"{self.function} {self.year}"


class DerivedCountPart(models.Model):
    """The cells of a stored count that lie under one province, so that a province's engine reads its own.

    ``province`` is the path of the top-level unit the cells' org units lie under (the first segment of their
    paths: ``"/12/"``; an old province's units have their old province's path), or ``"/"`` for cells of the country
    itself and of units no longer in the hierarchy. ``cells`` is a list of ``[org unit id, sex, ethnic group code,
    count]``. A province without cells has no part. Written with its header, never on its own.
    """

    count = models.ForeignKey(DerivedCount, verbose_name=_("số liệu đếm"), on_delete=models.CASCADE,
                              related_name="parts")
    province = models.CharField(_("tỉnh (đường dẫn)"), max_length=255)
    cells = models.JSONField(_("các ô"), default=list)

    class Meta:
        verbose_name = "phần số liệu đếm theo tỉnh"
        verbose_name_plural = "phần số liệu đếm theo tỉnh"
        constraints = [models.UniqueConstraint(fields=["count", "province"], name="derived_count_part_province")]

    def __str__(self) -> str:
        return f"{self.count_id} {self.province}"


class StoredFigure(models.Model):
    """One figure the engine computed — an indicator for one area, one year, on one hierarchy — kept so that an
    overview does not sum the nation's cells again while nothing it was computed from changed
    (``treem.indicators.stored``).

    ``shown_on`` is the first day of the span of days on which the same units are in force (the figures on any
    day of it are the same). ``token`` is a digest of the tokens of every source the figure was computed from
    (entered values, the hierarchy, the derived elements' sources) taken *before* the computation, and of the
    indicator's definition; the figure is current while the same digest is computed now. A row without
    ``numerator`` says the area has no figure that year. Not a record of anything: it can be emptied at any time.
    """

    indicator = models.ForeignKey(Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    shown_on = models.DateField(_("theo địa giới ngày"))
    numerator = models.CharField(_("tử số"), max_length=48, blank=True)  # the Decimal's text: exact on every database
    denominator = models.CharField(_("mẫu số"), max_length=48, blank=True)
    units_counted = models.PositiveIntegerField(_("số đơn vị được tính"), default=0)
    includes_demo = models.BooleanField(_("có dữ liệu trình diễn"), default=False)
    token = models.CharField(_("dấu phiên bản"), max_length=64)
    basis = models.CharField(_("dấu định nghĩa và địa giới"), max_length=64, default="")
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = "số liệu chỉ tiêu đã tính"
        verbose_name_plural = "số liệu chỉ tiêu đã tính"
        constraints = [models.UniqueConstraint(fields=["indicator", "year", "shown_on", "org_unit"],
                                               name="stored_figure_unique")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.org_unit_id} {self.year}"
