"""Capabilities of the plans domain. A plan is a public document: anyone with an assignment may read it; the
coordinating agency keeps it (loads the plan file) with the administrators."""

from treem.core.access import define_capability
from treem.core.roles import EVERY_ROLE, Role

VIEW_PLANS = define_capability("plans.view", label="xem kế hoạch, nhiệm vụ và phân công", roles=EVERY_ROLE)
LOAD_PLANS = define_capability("plans.load", label="nạp, cập nhật kế hoạch từ tệp",
                               roles={Role.ADMIN, Role.COORDINATOR})
