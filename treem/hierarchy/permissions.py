"""Capabilities of the hierarchy domain."""

from treem.core.access import define_capability
from treem.core.roles import EVERY_ROLE, Role

VIEW_HIERARCHY = define_capability("hierarchy.view", label="xem đơn vị hành chính", roles=EVERY_ROLE)
MANAGE_HIERARCHY = define_capability("hierarchy.manage", label="ghi nhận thay đổi địa giới", roles={Role.ADMIN})
VIEW_AGENCIES = define_capability("agencies.view", label="xem cơ quan", roles=EVERY_ROLE)
