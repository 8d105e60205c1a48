"""Capabilities of fieldwork: entering records on the field page and syncing them (commune officers)."""

from treem.core.access import define_capability
from treem.core.roles import Role

ENTER_IN_FIELD = define_capability(
    "fieldwork.enter", label="nhập số liệu thực địa ngoại tuyến và đồng bộ", roles={Role.COMMUNE_OFFICER}
)
