"""Capabilities of the plans domain. A plan is a public document: anyone with an assignment may read it."""

from treem.core.access import define_capability
from treem.core.roles import EVERY_ROLE

VIEW_PLANS = define_capability("plans.view", label="xem kế hoạch, nhiệm vụ và phân công", roles=EVERY_ROLE)
