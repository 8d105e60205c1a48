"""The roles people hold in treem. Every app grants capabilities to these roles; accounts assigns them to users."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị hệ thống"
    COORDINATOR = "coordinator", "Điều phối tỉnh"
    LEADER = "leader", "Lãnh đạo"
    AGENCY_REPORTER = "agency_reporter", "Cán bộ cơ quan"
    COMMUNE_OFFICER = "commune_officer", "Cán bộ xã"
    CASE_WORKER = "case_worker", "Quản lý trường hợp"
    CASE_SUPERVISOR = "case_supervisor", "Giám sát quản lý trường hợp"


EVERY_ROLE: frozenset[str] = frozenset(Role.values)
