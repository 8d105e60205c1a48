"""Capabilities of the nutrition domain.

Measurements identify a child, so only the roles that work with children's records see them: the commune officer
(who records them for the communes of their assignment) and the province's coordinating agency (Sở Y tế, which
answers for I05 and I06). Leaders see the indicators, never a child. Scoring posted values is a calculator over no
stored data, open to every role.
"""

from treem.core.access import define_capability
from treem.core.roles import EVERY_ROLE, Role

VIEW_MEASUREMENTS = define_capability(
    "nutrition.view", label="xem số đo tăng trưởng của trẻ", roles={Role.COMMUNE_OFFICER, Role.COORDINATOR}
)
RECORD_MEASUREMENTS = define_capability(
    "nutrition.record", label="nhập, sửa số đo tăng trưởng", roles={Role.COMMUNE_OFFICER}
)
EXPORT_MEASUREMENTS = define_capability(
    "nutrition.export", label="xuất danh sách trẻ suy dinh dưỡng", roles={Role.COMMUNE_OFFICER, Role.COORDINATOR}
)
RECOMPUTE_MEASUREMENTS = define_capability(
    "nutrition.recompute", label="tính lại chỉ số Z của mọi số đo", roles={Role.ADMIN}
)
SCORE_MEASUREMENTS = define_capability("nutrition.score", label="tính chỉ số Z", roles=EVERY_ROLE)
