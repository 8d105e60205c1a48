"""The protection sections of a child's subject access export: the cases linked to the child that the requesting
user may see (their steps included), and the incidents recorded on those cases."""

from __future__ import annotations

from treem.core.access import UserLike
from treem.core.personal_data import PersonalDataTable, model_table, register_personal_data_section
from treem.protection.models import Case, CaseStep, Incident
from treem.protection.selectors import cases_for
from treem.registry.models import Child

HIDDEN_CASES = ("Chỉ gồm các trường hợp người xuất được giao, giám sát hoặc phụ trách; hồ sơ khác (nếu có) do cơ "
                "quan quản lý trường hợp cung cấp.")


def _cases(*, user: UserLike, child: Child) -> PersonalDataTable:
    cases = cases_for(user).filter(child=child).order_by("id")
    return model_table("Trường hợp bảo vệ trẻ em", cases, Case, exclude=["child"], note=HIDDEN_CASES)


def _steps(*, user: UserLike, child: Child) -> PersonalDataTable:
    steps = CaseStep.objects.filter(case__in=cases_for(user).filter(child=child)).select_related("case") \
        .order_by("case_id", "id")
    return model_table("Các bước xử lý trường hợp", steps, CaseStep, note=HIDDEN_CASES)


def _incidents(*, user: UserLike, child: Child) -> PersonalDataTable:
    incidents = Incident.objects.filter(case__in=cases_for(user).filter(child=child)).order_by("occurred_on", "id")
    return model_table("Tai nạn, thương tích, xâm hại", incidents, Incident,
                       note="Sổ tai nạn không ghi tên trẻ; chỉ các vụ gắn với trường hợp của trẻ.")


def register() -> None:
    register_personal_data_section("protection.cases", _cases, order=300)
    register_personal_data_section("protection.steps", _steps, order=310)
    register_personal_data_section("protection.incidents", _incidents, order=320)
