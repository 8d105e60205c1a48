"""Effective-dated administrative units, their lineage, villages, and agencies."""

from __future__ import annotations

import hashlib
import string
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from treem.core.models import BaseModel

_UID_ALPHABET = string.ascii_letters + string.digits


def make_uid(seed: str) -> str:
    """A stable 11-character identifier in DHIS2's form (a letter, then 10 letters or digits)."""
    number = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:16], "big")
    first = _UID_ALPHABET[number % 52]
    number //= 52
    rest = []
    for _position in range(10):
        rest.append(_UID_ALPHABET[number % 62])
        number //= 62
    return first + "".join(rest)


def valid_on_q(on: date, prefix: str = "") -> Q:
    """The filter for rows whose validity (``valid_from``–``valid_to``, inclusive, open ends) includes ``on``."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


class Level(models.TextChoices):
    COUNTRY = "country", _("Quốc gia")
    PROVINCE = "province", _("Tỉnh")
    DISTRICT = "district", _("Huyện")
    COMMUNE = "commune", _("Xã")


class UnitKind(models.TextChoices):
    COUNTRY = "quốc gia", _("Quốc gia")
    PROVINCE = "tỉnh", _("Tỉnh")
    CITY = "thành phố", _("Thành phố")
    DISTRICT = "huyện", _("Huyện")
    TOWN = "thị xã", _("Thị xã")
    WARD = "phường", _("Phường")
    COMMUNE = "xã", _("Xã")
    TOWNSHIP = "thị trấn", _("Thị trấn")
    SPECIAL_ZONE = "đặc khu", _("Đặc khu")


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def valid_on(self, on: date) -> OrgUnitQuerySet:
        return self.filter(valid_on_q(on))

    def within(self, path: str) -> OrgUnitQuerySet:
        """Units in the subtree whose root has ``path`` (the root included)."""
        return self.filter(path__startswith=path)

    def of_level(self, level: str) -> OrgUnitQuerySet:
        return self.filter(level=level)


class OrgUnit(BaseModel):
    """An administrative unit during one validity period.

    A reorganisation never edits a unit's identity: it ends the old unit's validity and creates the new units,
    linked by ``Lineage``. Figures for a period are therefore aggregated on the units valid in that period.
    """

    uid = models.CharField(_("mã hệ thống"), max_length=11, unique=True)
    code = models.CharField(_("mã thống kê"), max_length=16, db_index=True)
    name = models.CharField(_("tên"), max_length=128)
    kind = models.CharField(_("loại"), max_length=16, choices=UnitKind.choices)
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(_("đường dẫn"), max_length=255, db_index=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["path", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="org_unit_code_valid_from_unique"),
            models.UniqueConstraint(fields=["path", "valid_from"], name="org_unit_path_valid_from_unique"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="org_unit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)

    @property
    def validity_label(self) -> str:
        start = self.valid_from.strftime("%d/%m/%Y") if self.valid_from else "…"
        end = self.valid_to.strftime("%d/%m/%Y") if self.valid_to else "nay"
        return f"{start} – {end}"


class LineageKind(models.TextChoices):
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")
    RENAME = "rename", _("Đổi tên")


class Lineage(BaseModel):
    """The territory (and the people, and so the figures) of ``predecessor`` passed to ``successor`` on a date."""

    predecessor = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị cũ"), on_delete=models.PROTECT,
                                    related_name="successor_links")
    successor = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị mới"), on_delete=models.PROTECT,
                                  related_name="predecessor_links")
    effective_on = models.DateField(_("có hiệu lực từ"))
    kind = models.CharField(_("hình thức"), max_length=16, choices=LineageKind.choices)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = "kế thừa địa giới"
        verbose_name_plural = "kế thừa địa giới"
        ordering = ["effective_on", "successor__code", "predecessor__code"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="lineage_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_on:%d/%m/%Y})"


class Village(BaseModel):
    """A village (thôn, bản, tổ dân phố) of a commune."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="villages")
    code = models.CharField(_("mã"), max_length=32, blank=True)
    name = models.CharField(_("tên thôn/bản"), max_length=128)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = "thôn/bản"
        verbose_name_plural = "thôn/bản"
        ordering = ["org_unit__path", "name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"], name="village_name_unique_in_commune")]

    def __str__(self) -> str:
        return self.name


class AgencyKind(models.TextChoices):
    DEPARTMENT = "department", _("Sở, ban, ngành")
    POLICE = "police", _("Công an")
    FRONT = "front", _("Mặt trận, đoàn thể")
    PEOPLE_COMMITTEE = "people_committee", _("Ủy ban nhân dân")
    OTHER = "other", _("Khác")


class AgencyQuerySet(models.QuerySet["Agency"]):
    def valid_on(self, on: date) -> AgencyQuerySet:
        return self.filter(valid_on_q(on))


class Agency(BaseModel):
    """A provincial body that a plan assigns tasks to (a department, the police, the Fatherland Front…)."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=64, blank=True)
    kind = models.CharField(_("loại"), max_length=32, choices=AgencyKind.choices, default=AgencyKind.DEPARTMENT)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class AgencyLineage(BaseModel):
    """Functions of ``predecessor`` passed to ``successor`` (a merger, a split or a renaming of departments)."""

    predecessor = models.ForeignKey(Agency, verbose_name=_("cơ quan cũ"), on_delete=models.PROTECT,
                                    related_name="successor_links")
    successor = models.ForeignKey(Agency, verbose_name=_("cơ quan tiếp nhận"), on_delete=models.PROTECT,
                                  related_name="predecessor_links")
    effective_on = models.DateField(_("có hiệu lực từ"))
    note = models.CharField(_("chức năng chuyển giao"), max_length=255, blank=True)

    class Meta:
        verbose_name = "kế thừa cơ quan"
        verbose_name_plural = "kế thừa cơ quan"
        ordering = ["effective_on", "predecessor__code"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="agency_lineage_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class CoordinatingAgency(BaseModel):
    """From ``valid_from`` on, ``agency`` is the standing agency that coordinates children's affairs."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("từ ngày"), unique=True)

    class Meta:
        verbose_name = "cơ quan thường trực về trẻ em"
        verbose_name_plural = "cơ quan thường trực về trẻ em"
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"{self.agency} từ {self.valid_from:%d/%m/%Y}"
