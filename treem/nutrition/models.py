"""Growth measurements of children and the imports that bring them in.

A measurement is one weighing and/or measuring of one child on one day. Its WHO z-scores are computed by the engine
when it is saved and stored rounded to two decimals with their flags, so that counts and lists read stored values;
``recompute_zscores`` recomputes them all (after a correction of a date of birth, say). A measurement is never
hard-deleted: it is soft-deleted with a reason, and every change is an audit event.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel
from treem.hierarchy.models import OrgUnit
from treem.registry.models import Child, DatePrecision

MONTH_PRECISION_DAY_OFFSET = 14
"""A birth date known to the month is stored as its first day; the age is taken from the 15th (mid-month)."""


class Position(models.TextChoices):
    """How the length was measured, as WHO codes it."""

    RECUMBENT = "L", _("Đo nằm (chiều dài)")
    STANDING = "H", _("Đo đứng (chiều cao)")


class Place(models.TextChoices):
    HEALTH_STATION = "health_station", _("Trạm y tế xã")
    VILLAGE = "village", _("Tại thôn, bản (điểm cân)")
    SCHOOL = "school", _("Trường mầm non")
    HOME = "home", _("Tại nhà")
    OTHER = "other", _("Nơi khác")


class Source(models.TextChoices):
    ENTERED = "entered", _("Nhập trên trang ngày cân")
    IMPORTED = "imported", _("Nhập từ tệp Excel")
    API = "api", _("Qua API")
    DEMO = "demo", _("Dữ liệu trình diễn")


def age_in_days(child: Child, on: date) -> int | None:
    """The child's age in completed days on ``on`` for WHO's tables, or None when the birth date is too vague.

    A birth date known to the day gives the exact age; known to the month, the age counts from the 15th; known
    only to the year, the age is unknown (weight-for-length/height can still be scored).
    """
    if child.birth_date_precision == DatePrecision.YEAR:
        return None
    born = child.birth_date
    if child.birth_date_precision == DatePrecision.MONTH:
        born += timedelta(days=MONTH_PRECISION_DAY_OFFSET)
    return (on - born).days


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def current(self) -> MeasurementQuerySet:
        """Measurements not deleted, of children still on the registry (not deleted, not merged away)."""
        return self.filter(deleted_at__isnull=True, child__deleted_at__isnull=True, child__merged_into__isnull=True)

    def in_year(self, year: int) -> MeasurementQuerySet:
        return self.filter(measured_on__gte=date(year, 1, 1), measured_on__lte=date(year, 12, 31))


class Measurement(BaseModel):
    """One weighing/measuring of a child: weight, length or height and how it was taken, oedema, place, who.

    ``org_unit`` is the commune the child belonged to when measured (the commune the figure counts for);
    pages scope a measurement through the child's current commune, so a child who moves keeps its growth history.
    ``age_days`` and the scores are derived when the measurement is saved.
    """

    child = models.ForeignKey(Child, verbose_name=_("trẻ em"), on_delete=models.PROTECT, related_name="measurements")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    measured_on = models.DateField(_("ngày cân, đo"))
    weight_kg = models.DecimalField(
        _("cân nặng (kg)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("150"))],
    )
    length_cm = models.DecimalField(
        _("chiều dài/chiều cao (cm)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("250"))],
    )
    position = models.CharField(_("cách đo"), max_length=1, choices=Position.choices, blank=True)
    has_oedema = models.BooleanField(_("phù hai chân"), default=False)
    place = models.CharField(_("nơi cân, đo"), max_length=20, choices=Place.choices, default=Place.HEALTH_STATION)
    measured_by = models.CharField(_("người cân, đo"), max_length=150, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("nguồn"), max_length=16, choices=Source.choices, default=Source.ENTERED)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    age_days = models.IntegerField(_("tuổi (ngày) khi đo"), null=True, blank=True)
    waz = models.DecimalField(_("Z cân nặng/tuổi (WAZ)"), max_digits=5, decimal_places=2, null=True, blank=True)
    haz = models.DecimalField(_("Z chiều cao/tuổi (HAZ)"), max_digits=5, decimal_places=2, null=True, blank=True)
    whz = models.DecimalField(_("Z cân nặng/chiều cao (WHZ)"), max_digits=5, decimal_places=2, null=True, blank=True)
    flag_waz = models.BooleanField(_("WAZ ngoài khoảng hợp lý"), default=False)
    flag_haz = models.BooleanField(_("HAZ ngoài khoảng hợp lý"), default=False)
    flag_whz = models.BooleanField(_("WHZ ngoài khoảng hợp lý"), default=False)
    is_position_implausible = models.BooleanField(_("đo đứng khi dưới 9 tháng"), default=False)

    is_demo = models.BooleanField(_("dữ liệu trình diễn"), default=False)
    deleted_at = models.DateTimeField(_("xoá lúc"), null=True, blank=True)
    deletion_reason = models.CharField(_("lý do xoá"), max_length=255, blank=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = "lần cân, đo"
        verbose_name_plural = "các lần cân, đo"
        ordering = ["child", "measured_on", "id"]
        indexes = [
            models.Index(fields=["measured_on", "org_unit"], name="measurement_year_unit_idx"),
            models.Index(fields=["child", "measured_on"], name="measurement_child_date_idx"),
            models.Index(fields=["updated_at"], name="measurement_updated_idx"),  # the latest change, for stored counts
        ]
        constraints = [
            models.UniqueConstraint(fields=["child", "measured_on"], condition=Q(deleted_at__isnull=True),
                                    name="measurement_one_per_child_and_day"),
            models.CheckConstraint(condition=Q(weight_kg__isnull=False) | Q(length_cm__isnull=False),
                                   name="measurement_has_weight_or_length"),
            models.CheckConstraint(condition=Q(position__in=["", "L", "H"]), name="measurement_position_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.child.full_name} – {self.measured_on:%d/%m/%Y}"

    @property
    def version(self) -> str:
        """A token that changes with every save of the measurement: the API's ETag, sent back to correct it."""
        return hashlib.sha256(f"{self.pk}:{self.updated_at.isoformat()}".encode()).hexdigest()[:16]

    @property
    def is_flagged(self) -> bool:
        return self.flag_waz or self.flag_haz or self.flag_whz

    @property
    def age_months(self) -> float | None:
        return None if self.age_days is None else self.age_days / 30.4375
