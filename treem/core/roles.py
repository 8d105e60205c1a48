"""The roles people hold in treem. Every app grants capabilities to these roles; accounts assigns them to users."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    COORDINATOR = "coordinator", _("Điều phối tỉnh")
    LEADER = "leader", _("Lãnh đạo")
    AGENCY_REPORTER = "agency_reporter", _("Cán bộ cơ quan")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ xã")
    CASE_WORKER = "case_worker", _("Quản lý trường hợp")
    CASE_SUPERVISOR = "case_supervisor", _("Giám sát quản lý trường hợp")


EVERY_ROLE: frozenset[str] = frozenset(Role.values)
