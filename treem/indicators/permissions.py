"""Capabilities of the indicators domain."""

from treem.core.access import define_capability
from treem.core.roles import EVERY_ROLE, Role

VIEW_INDICATORS = define_capability("indicators.view", label="xem chỉ tiêu và số liệu tổng hợp", roles=EVERY_ROLE)
ENTER_DATA_VALUES = define_capability(
    "indicators.enter", label="nhập số liệu",
    roles={Role.ADMIN, Role.COORDINATOR, Role.AGENCY_REPORTER, Role.COMMUNE_OFFICER},
)
