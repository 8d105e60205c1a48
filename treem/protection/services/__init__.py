"""Writes of the protection domain: reporting a case, working its steps, planning, referring, transferring, breaking
the glass, raising deadline alerts, and recording incidents — one module per concern:

- ``cases``: ``report_case``, ``update_case`` (optimistic concurrency), ``delete_case``;
- ``steps``: ``complete_step`` and the step helpers (opening a step with its deadline, row locks);
- ``plans``: ``save_plan``, ``add_service``, ``record_service_delivery``, ``approve_plan``;
- ``referrals``: ``refer_case``, ``record_referral_response``, ``record_referral_follow_up``;
- ``transfers``: ``transfer_case``;
- ``emergency_access``: ``break_glass``;
- ``notices``: the notices protection raises, and ``raise_deadline_alerts``;
- ``incidents``: ``record_incident``, ``delete_incident``;
- ``external``: ``register_external_system``, ``revoke_external_system``, ``receive_external_report`` (reports
  from other systems, once per idempotency key);
- ``access``: the checks of the acting user; ``errors``: ``StaleVersionError``, ``StepAlreadyDoneError``.

Every service takes the acting user first (keyword-only), runs in one transaction, validates before saving and
writes one audit event; workflow transitions lock the case row first. E-mails leave only after commit and carry a
case number, never a child's name. Callers import every name from ``treem.protection.services``.
"""

from treem.protection.services.access import Actor
from treem.protection.services.cases import (
    EDITABLE_CASE_FIELDS,
    MINIMUM_REASON_LENGTH,
    delete_case,
    report_case,
    update_case,
)
from treem.protection.services.emergency_access import EMERGENCY_ACCESS_HOURS, break_glass
from treem.protection.services.errors import StaleVersionError, StepAlreadyDoneError, changes_since
from treem.protection.services.external import (
    IdempotencyKeyReused,
    NewExternalSystem,
    receive_external_report,
    register_external_system,
    revoke_external_system,
)
from treem.protection.services.incidents import delete_incident, record_incident
from treem.protection.services.notices import DeadlineCheck, raise_deadline_alerts
from treem.protection.services.plans import add_service, approve_plan, record_service_delivery, save_plan
from treem.protection.services.referrals import record_referral_follow_up, record_referral_response, refer_case
from treem.protection.services.steps import complete_step
from treem.protection.services.transfers import transfer_case

__all__ = [
    "EDITABLE_CASE_FIELDS",
    "EMERGENCY_ACCESS_HOURS",
    "MINIMUM_REASON_LENGTH",
    "Actor",
    "DeadlineCheck",
    "IdempotencyKeyReused",
    "NewExternalSystem",
    "StaleVersionError",
    "StepAlreadyDoneError",
    "add_service",
    "approve_plan",
    "break_glass",
    "changes_since",
    "complete_step",
    "delete_case",
    "delete_incident",
    "raise_deadline_alerts",
    "receive_external_report",
    "record_incident",
    "record_referral_follow_up",
    "record_referral_response",
    "record_service_delivery",
    "refer_case",
    "register_external_system",
    "report_case",
    "revoke_external_system",
    "save_plan",
    "transfer_case",
    "update_case",
]
