"""Capabilities of the child-friendly assessment.

The commune officer scores the commune; the coordinator of the level that recognises (district until 30/06/2025,
province after: ``RecognisingLevel``) reviews; leaders, coordinators and administrators read assessments and the
summary of their area. No assessment holds a child's identity: only counts and shares.
"""

from treem.core.access import define_capability
from treem.core.roles import Role

VIEW_ASSESSMENTS = define_capability(
    "childfriendly.view", label="xem đánh giá xã phù hợp với trẻ em",
    roles={Role.COMMUNE_OFFICER, Role.COORDINATOR, Role.LEADER, Role.ADMIN},
)
ASSESS_COMMUNE = define_capability(
    "childfriendly.assess", label="tự đánh giá xã phù hợp với trẻ em", roles={Role.COMMUNE_OFFICER},
)
REVIEW_ASSESSMENTS = define_capability(
    "childfriendly.review", label="thẩm định, công nhận xã phù hợp với trẻ em", roles={Role.COORDINATOR},
)
LOAD_SCORING = define_capability(
    "childfriendly.load", label="nạp bảng điểm xã phù hợp với trẻ em", roles={Role.ADMIN},
)
