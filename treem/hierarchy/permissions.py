"""Capabilities of the hierarchy domain."""

from treem.core.access import define_capability
from treem.core.roles import EVERY_ROLE, Role

VIEW_HIERARCHY = define_capability("hierarchy.view", label="xem đơn vị hành chính", roles=EVERY_ROLE)
MANAGE_HIERARCHY = define_capability("hierarchy.manage", label="ghi nhận thay đổi địa giới", roles={Role.ADMIN})
MANAGE_VILLAGES = define_capability(
    "hierarchy.villages", label="thêm, sửa thôn/bản của xã",
    roles={Role.ADMIN, Role.COORDINATOR, Role.COMMUNE_OFFICER},
)
VIEW_AGENCIES = define_capability("agencies.view", label="xem cơ quan", roles=EVERY_ROLE)
