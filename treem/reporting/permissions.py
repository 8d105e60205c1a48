"""Capabilities of the reporting domain.

Reporters (an agency's officer, a commune's officer) write and submit their own report; the coordinating agency
reviews every report, keeps the cycles and builds the consolidated report; leaders read the status board and the
consolidated report. The DHIS2-compatible exchange reads and writes figures under the same scoping as the pages.
"""

from treem.core.access import define_capability
from treem.core.roles import Role

VIEW_SUBMISSIONS = define_capability(
    "reporting.view", label="xem báo cáo định kỳ",
    roles={Role.ADMIN, Role.COORDINATOR, Role.LEADER, Role.AGENCY_REPORTER, Role.COMMUNE_OFFICER},
)
WRITE_SUBMISSION = define_capability(
    "reporting.write", label="soạn và nộp báo cáo định kỳ của đơn vị mình",
    roles={Role.AGENCY_REPORTER, Role.COMMUNE_OFFICER},
)
REVIEW_SUBMISSIONS = define_capability(
    "reporting.review", label="xem xét, trả lại và duyệt báo cáo định kỳ", roles={Role.ADMIN, Role.COORDINATOR},
)
VIEW_STATUS_BOARD = define_capability(
    "reporting.board", label="theo dõi tình hình nộp báo cáo",
    roles={Role.ADMIN, Role.COORDINATOR, Role.LEADER},
)
BUILD_CONSOLIDATED_REPORT = define_capability(
    "reporting.consolidated", label="tạo báo cáo tổng hợp của tỉnh",
    roles={Role.ADMIN, Role.COORDINATOR, Role.LEADER},
)
EXCHANGE_READ = define_capability(
    "reporting.exchange_read", label="đọc số liệu qua giao diện trao đổi DHIS2",
    roles={Role.ADMIN, Role.COORDINATOR, Role.LEADER, Role.AGENCY_REPORTER, Role.COMMUNE_OFFICER},
)
EXCHANGE_WRITE = define_capability(
    "reporting.exchange_write", label="gửi số liệu qua giao diện trao đổi DHIS2",
    roles={Role.ADMIN, Role.COORDINATOR, Role.AGENCY_REPORTER, Role.COMMUNE_OFFICER},
)
