"""Builders of the child-friendly routes that name an object, for ``tests/test_object_routes.py``."""

from __future__ import annotations

from collections.abc import Callable

from treem.accounts.tests.factories import unit
from treem.childfriendly.models import Assessment, Evidence
from treem.childfriendly.services import ScoreInput, save_scores, start_assessment
from treem.childfriendly.tests.factories import PDF, pdf
from treem.core.roles import Role

YEAR = 2026


def assessment_of(code: str) -> Assessment:
    """The commune's 2026 assessment (started on first use; the scoring table is loaded first when missing)."""
    from treem.childfriendly.tests.conftest import load_everything

    load_everything()
    existing = Assessment.objects.active().filter(org_unit=unit(code), year=YEAR).first()
    return existing or start_assessment(actor=None, org_unit=unit(code), year=YEAR)


def evidence_of(code: str) -> Evidence:
    assessment = assessment_of(code)
    existing = Evidence.objects.filter(assessment=assessment).first()
    if existing is None:
        save_scores(actor=None, assessment=assessment, entries=[
            ScoreInput(code="5.1", value=1, reason="Ghi thiếu", evidence=pdf())])
        existing = Evidence.objects.get(assessment=assessment)
    return existing


CHILDFRIENDLY_OBJECT_ROUTES: dict[str, Callable[[str], str]] = {
    "GET /api/v1/child-friendly/assessments/{assessment_id}":
        lambda code: f"/api/v1/child-friendly/assessments/{assessment_of(code).pk}",
    "GET /xa-phu-hop-tre-em/danh-gia/{id}/": lambda code: f"/xa-phu-hop-tre-em/danh-gia/{assessment_of(code).pk}/",
    "GET /xa-phu-hop-tre-em/danh-gia/{id}/bien-ban.docx":
        lambda code: f"/xa-phu-hop-tre-em/danh-gia/{assessment_of(code).pk}/bien-ban.docx",
    "GET /xa-phu-hop-tre-em/danh-gia/{id}/minh-chung/{id}/":
        lambda code: (f"/xa-phu-hop-tre-em/danh-gia/{assessment_of(code).pk}/minh-chung/"
                      f"{evidence_of(code).pk}/"),
    "GET /api/v1/child-friendly/assessments/{assessment_id}/evidence/{evidence_id}/file":
        lambda code: (f"/api/v1/child-friendly/assessments/{assessment_of(code).pk}/evidence/"
                      f"{evidence_of(code).pk}/file"),
}

CHILDFRIENDLY_MISSING_OBJECT_URLS: dict[str, str] = {
    "GET /api/v1/child-friendly/assessments/{assessment_id}": "/api/v1/child-friendly/assessments/987654321",
    "GET /api/v1/child-friendly/assessments/{assessment_id}/evidence/{evidence_id}/file":
        "/api/v1/child-friendly/assessments/987654321/evidence/987654321/file",
}

# Writes, by the role that may make them: (address builder, role, body). A body with a "file" is sent as a
# multipart form (the file's bytes under "file", the other fields beside it); any other as JSON.
CHILDFRIENDLY_WRITE_ROUTES: dict[str, tuple[Callable[[str], str], str, dict[str, object]]] = {
    "PUT /api/v1/child-friendly/assessments/{assessment_id}/scores":
        (lambda code: f"/api/v1/child-friendly/assessments/{assessment_of(code).pk}/scores", Role.COMMUNE_OFFICER,
         {"scores": [{"code": "1.1", "value": 1}]}),
    "POST /api/v1/child-friendly/assessments/{assessment_id}/submit":
        (lambda code: f"/api/v1/child-friendly/assessments/{assessment_of(code).pk}/submit", Role.COMMUNE_OFFICER,
         {}),
    "POST /api/v1/child-friendly/assessments/{assessment_id}/review":
        (lambda code: f"/api/v1/child-friendly/assessments/{assessment_of(code).pk}/review", Role.COORDINATOR,
         {"decision": "return", "comment": "Bổ sung"}),
    "POST /api/v1/child-friendly/assessments/{assessment_id}/scores/{code}/evidence":
        (lambda code: f"/api/v1/child-friendly/assessments/{assessment_of(code).pk}/scores/5.1/evidence",
         Role.COMMUNE_OFFICER, {"file": PDF, "value": "1", "reason": "Ghi thiếu"}),
}
