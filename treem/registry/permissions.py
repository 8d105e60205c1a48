"""Capabilities of the child registry.

Identities (names, dates of birth, guardians) are for the people who work with the children of their communes;
leaders and agencies see counts only. The full personal identification number is shown only to those who must
check it against papers; everyone else sees it masked.
"""

from treem.core.access import define_capability
from treem.core.roles import Role

VIEW_IDENTITY = define_capability(
    "registry.view_identity",
    label="xem hồ sơ trẻ em (danh tính)",
    roles={Role.COMMUNE_OFFICER, Role.COORDINATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR},
)
VIEW_PERSONAL_ID = define_capability(
    "registry.view_personal_id",
    label="xem đầy đủ số định danh cá nhân của trẻ em",
    roles={Role.COMMUNE_OFFICER, Role.CASE_WORKER, Role.CASE_SUPERVISOR},
)
VIEW_COUNTS = define_capability(
    "registry.view_counts",
    label="xem số lượng trẻ em (không có danh tính)",
    roles={Role.COMMUNE_OFFICER, Role.COORDINATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.LEADER,
           Role.ADMIN, Role.AGENCY_REPORTER},
)
EDIT_CHILDREN = define_capability(
    "registry.edit",
    label="thêm, sửa hồ sơ trẻ em và nhập tệp danh sách",
    roles={Role.COMMUNE_OFFICER, Role.COORDINATOR},
)
EXPORT_IDENTITY = define_capability(
    "registry.export_identity",
    label="xuất danh sách trẻ em có danh tính",
    roles={Role.COMMUNE_OFFICER, Role.COORDINATOR},
)
REVIEW_DUPLICATES = define_capability(
    "registry.review_duplicates",
    label="xem xét và gộp hồ sơ trùng",
    roles={Role.COMMUNE_OFFICER, Role.COORDINATOR},
)
