"""Boundaries of org units, uploaded by an administrator for one version of the hierarchy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel


class BoundarySetQuerySet(models.QuerySet["BoundarySet"]):
    def current(self) -> BoundarySetQuerySet:
        """Sets not retired (a newer upload for the same units retires the older one; both are kept)."""
        return self.filter(retired_at__isnull=True)


class BoundarySet(BaseModel):
    """The shapes of one uploaded file, for the units in force on ``hierarchy_on`` (the 106 old communes on
    30/06/2025, the 38 new ones from 01/07/2025). Stored only once the file was clean or an administrator confirmed
    it; the file itself stays with its import record. ``vertices_before``/``vertices_after`` and
    ``payload_bytes`` say how much the simplification for the browser saved."""

    hierarchy_on = models.DateField(_("hệ thống đơn vị ngày"))
    import_record = models.ForeignKey("core.ImportRecord", verbose_name=_("lần tải tệp"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    tolerance = models.FloatField(_("ngưỡng đơn giản hóa (độ)"))
    vertices_before = models.PositiveIntegerField(_("số đỉnh trước đơn giản hóa"), default=0)
    vertices_after = models.PositiveIntegerField(_("số đỉnh sau đơn giản hóa"), default=0)
    payload_bytes = models.PositiveIntegerField(_("dung lượng gửi trình duyệt (byte)"), default=0)
    retired_at = models.DateTimeField(_("thay thế lúc"), null=True, blank=True)

    objects = BoundarySetQuerySet.as_manager()

    class Meta:
        verbose_name = _("bộ ranh giới")
        verbose_name_plural = _("các bộ ranh giới")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.hierarchy_on:%d/%m/%Y})"


class BoundaryQuerySet(models.QuerySet["Boundary"]):
    def current(self) -> BoundaryQuerySet:
        return self.filter(boundary_set__retired_at__isnull=True)


class Boundary(models.Model):
    """The simplified shape of one org unit (a commune from the file, or a district united from its communes),
    as GeoJSON with rounded coordinates, and a point inside it for symbols and labels."""

    class MatchedBy(models.TextChoices):
        CODE = "code", _("mã đơn vị")
        NAME = "name", _("tên (đã xác nhận)")
        UNION = "union", _("hợp các xã")

    boundary_set = models.ForeignKey(BoundarySet, verbose_name=_("bộ ranh giới"), on_delete=models.PROTECT,
                                     related_name="boundaries")
    org_unit = models.ForeignKey("hierarchy.OrgUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT,
                                 related_name="+")
    matched_by = models.CharField(_("khớp theo"), max_length=8, choices=MatchedBy.choices)
    feature_index = models.PositiveIntegerField(_("số thứ tự trong tệp"), null=True, blank=True)
    geometry = models.JSONField(_("hình (GeoJSON, đã đơn giản hóa)"))
    vertices_before = models.PositiveIntegerField(_("số đỉnh gốc"))
    vertices_after = models.PositiveIntegerField(_("số đỉnh gửi trình duyệt"))
    label_longitude = models.FloatField(_("kinh độ điểm nhãn"))
    label_latitude = models.FloatField(_("vĩ độ điểm nhãn"))

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ranh giới")
        verbose_name_plural = _("các ranh giới")
        constraints = [models.UniqueConstraint(fields=["boundary_set", "org_unit"], name="boundary_one_per_unit")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} ({self.boundary_set_id})"
