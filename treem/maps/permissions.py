"""Capabilities of the maps domain."""

from treem.core.access import define_capability
from treem.core.roles import EVERY_ROLE, Role

VIEW_MAPS = define_capability("maps.view", label="xem bản đồ chỉ tiêu", roles=EVERY_ROLE)
MANAGE_BOUNDARIES = define_capability("maps.boundaries", label="tải lên ranh giới đơn vị hành chính",
                                      roles={Role.ADMIN})
