"""Capabilities of the protection domain.

A capability only opens the door to a kind of page; which cases a user then sees is decided by the org-unit scope
(``visible_to``) *and* the case-assignment rule in ``selectors.cases_for``: assigned workers, their supervisor and
the commune's protection lead. Holders of ``VIEW_PROTECTION_COUNTS`` see figures without identities.
"""

from treem.core.access import define_capability
from treem.core.roles import Role

VIEW_PROTECTION_COUNTS = define_capability(
    "protection.view_counts", label="xem số liệu bảo vệ trẻ em (không định danh)",
    roles={Role.ADMIN, Role.COORDINATOR, Role.LEADER, Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.CASE_SUPERVISOR},
)
WORK_CASES = define_capability(
    "protection.work_cases", label="quản lý trường hợp trẻ em cần bảo vệ",
    roles={Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.COMMUNE_OFFICER},
)
SUPERVISE_CASES = define_capability(
    "protection.supervise_cases", label="giám sát quản lý trường hợp", roles={Role.CASE_SUPERVISOR},
)
BREAK_GLASS = define_capability(
    "protection.break_glass", label="truy cập khẩn cấp hồ sơ trường hợp",
    roles={Role.CASE_WORKER, Role.CASE_SUPERVISOR},
)
VIEW_INCIDENTS = define_capability(
    "protection.view_incidents", label="xem sổ theo dõi tai nạn, thương tích, xâm hại",
    roles={Role.ADMIN, Role.COORDINATOR, Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.CASE_SUPERVISOR},
)
RECORD_INCIDENTS = define_capability(
    "protection.record_incidents", label="ghi sổ theo dõi tai nạn, thương tích, xâm hại",
    roles={Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.CASE_SUPERVISOR},
)
MANAGE_EXTERNAL_SYSTEMS = define_capability(
    "protection.manage_external_systems", label="quản lý hệ thống bên ngoài gửi báo cáo", roles={Role.ADMIN},
)
# Held by no role: the intake endpoint is called by external systems, which authenticate with their own key and
# are checked against their own scope and kinds (``services.external``), never by a user's assignments.
EXTERNAL_INTAKE = define_capability(
    "protection.external_intake", label="gửi báo cáo từ hệ thống bên ngoài (khóa của hệ thống)", roles=(),
)
