"""Writing plans: ``load_plan`` turns a validated plan file into rows, idempotently, and says what changed.

Every entry of the file is matched by its permanent ``code`` (targets by indicator and year). Loading the same file
twice changes nothing; loading an edited file updates what changed, creates what is new and *retires*
(``is_active=False``) what disappeared — it never deletes a data element, an indicator, a target, a task or a duty,
because values, task progress and reports point to them. The whole file is validated first (schema, cross-checks,
agencies as loaded in the database, codes owned by other plans); on any problem nothing is changed. Each created,
updated or retired row gets an audit event with its values before and after, plus one import event for the load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from treem.core.access import ensure_permitted
from treem.core.audit import changed_fields, record_event, snapshot
from treem.core.models import AuditEvent
from treem.hierarchy.models import Agency, AgencyLineage, CoordinatingAgency
from treem.plans import planfile
from treem.plans.models import (
    AssigneeKind,
    DataElement,
    FundingSource,
    Indicator,
    IndicatorResponsibility,
    Plan,
    PlanAssignment,
    Reassignment,
    Target,
    Task,
    TaskGroup,
)
from treem.plans.permissions import LOAD_PLANS

ModelT = TypeVar("ModelT", bound=models.Model)

AGENCIES_SOURCE = Path("danh mục cơ quan")

KIND_LABELS: dict[str, str] = {
    "plan": "kế hoạch",
    "data_element": "phần tử dữ liệu",
    "indicator": "chỉ tiêu",
    "target": "mục tiêu",
    "responsibility": "cơ quan chịu trách nhiệm",
    "task_group": "nhóm nhiệm vụ",
    "task": "nhiệm vụ",
    "assignment": "phân công",
    "reassignment": "chuyển giao nhiệm vụ",
    "funding_source": "nguồn kinh phí",
}


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0


@dataclass
class PlanLoadReport:
    """What a load did: counts per kind of row and one line per change, in Vietnamese."""

    plan: Plan | None = None
    counts: dict[str, KindCounts] = field(default_factory=lambda: {kind: KindCounts() for kind in KIND_LABELS})
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.retired for c in self.counts.values())

    def summary_lines(self) -> list[str]:
        lines = []
        for kind, counts in self.counts.items():
            if counts.created or counts.updated or counts.retired or counts.unchanged:
                lines.append(
                    f"{KIND_LABELS[kind]}: {counts.created} thêm, {counts.updated} cập nhật, "
                    f"{counts.retired} ngừng dùng, {counts.unchanged} không đổi"
                )
        return lines

    def as_json(self) -> dict[str, Any]:
        return {kind: vars(counts) for kind, counts in self.counts.items()}


def agencies_from_database() -> planfile.AgenciesFile:
    """The agencies as loaded (``load_reference``), in the shape the plan-file checks expect."""
    successors: dict[int, list[planfile.AgencySuccessor]] = {}
    for link in AgencyLineage.objects.select_related("successor"):
        successors.setdefault(link.predecessor_id, []).append(
            planfile.AgencySuccessor(code=link.successor.code, effective_on=link.effective_on, note=link.note,
                                     line=0)
        )
    agencies = tuple(
        planfile.Agency(code=agency.code, name=agency.name, short_name=agency.short_name,
                        kind=agency.kind,  # type: ignore[arg-type]
                        valid_from=agency.valid_from, valid_to=agency.valid_to,
                        successors=tuple(successors.get(agency.pk, [])), note="", line=0)
        for agency in Agency.objects.order_by("code")
    )
    coordinators = tuple(
        planfile.Coordinator(agency=row.agency.code, valid_from=row.valid_from, line=0)
        for row in CoordinatingAgency.objects.select_related("agency").order_by("valid_from")
    )
    return planfile.AgenciesFile(source_path=AGENCIES_SOURCE, provenance="", agencies=agencies,
                                 coordinators=coordinators)


def read_plan_for_loading(path: str | Path) -> planfile.PlanFile:
    """Read and validate ``path`` against the loaded agencies and the other plans; PlanFileError lists problems."""
    plan_file = planfile.read_plan_file(path, agencies=agencies_from_database())
    owners = dict(
        DataElement.objects.filter(code__in=[element.code for element in plan_file.data_elements])
        .exclude(plan__code=plan_file.code)
        .values_list("code", "plan__code")
    )
    problems = [
        planfile.Problem(Path(path).name, element.line,
                         f'phần tử dữ liệu {element.code}: mã này đã thuộc kế hoạch {owners[element.code]}; '
                         "một phần tử dữ liệu chỉ do một kế hoạch định nghĩa — hãy dùng mã khác")
        for element in plan_file.data_elements
        if element.code in owners
    ]
    if problems:
        raise planfile.PlanFileError(problems)
    return plan_file


@transaction.atomic
def load_plan(*, actor: AbstractBaseUser | None, path: str | Path) -> PlanLoadReport:
    """Create or update the plan in ``path`` (see the module docstring); raise PlanFileError on any problem.
    Only the coordinating agency and administrators may (``plans.load``)."""
    ensure_permitted(actor, LOAD_PLANS)
    plan_file = read_plan_for_loading(path)
    return _Loader(actor=actor, plan_file=plan_file).run()


def _as_stored(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """Decimals at the precision the column stores, so that 100 from the file equals 100.0000 read back."""
    result = dict(values)
    for name, value in values.items():
        if isinstance(value, Decimal):
            model_field = model._meta.get_field(name)
            places = getattr(model_field, "decimal_places", None)
            if places is not None:
                result[name] = value.quantize(Decimal(1).scaleb(-places))
    return result


class _Loader:
    def __init__(self, *, actor: AbstractBaseUser | None, plan_file: planfile.PlanFile) -> None:
        self.actor = actor
        self.file = plan_file
        self.report = PlanLoadReport()
        self.agencies = {agency.code: agency for agency in Agency.objects.all()}

    # -- helpers ---------------------------------------------------------------------------------------------

    def agency_id(self, code: str | None) -> int | None:
        return self.agencies[code].pk if code else None

    def upsert(self, kind: str, model: type[ModelT], lookup: Mapping[str, Any], values: Mapping[str, Any],
               *, existing: ModelT | None = None, label: str = "") -> ModelT:
        """Create the row matching ``lookup`` or update its changed fields; count and audit what happened."""
        row = existing if existing is not None else model._default_manager.filter(**lookup).first()
        values = _as_stored(model, values)
        counts = self.report.counts[kind]
        name = label or str(lookup.get("code", ""))
        if row is None:
            row = model(**lookup, **values)
            row.full_clean(validate_unique=False, validate_constraints=False)
            row.save()
            counts.created += 1
            self.report.changes.append(f"thêm {KIND_LABELS[kind]} {name}")
            record_event(actor=self.actor, verb=AuditEvent.Verb.CREATE, obj=row, after=snapshot(row),
                         action="load_plan")
            return row
        before = snapshot(row)
        for attribute, value in values.items():
            setattr(row, attribute, value)
        after = snapshot(row)
        fields = [name_ for name_ in changed_fields(before, after) if name_ not in {"created_at", "updated_at"}]
        if not fields:
            counts.unchanged += 1
            return row
        row.full_clean(validate_unique=False, validate_constraints=False)
        row.save()
        counts.updated += 1
        verb = "dùng lại" if "is_active" in fields and after.get("is_active") else "cập nhật"
        self.report.changes.append(f"{verb} {KIND_LABELS[kind]} {name}: {', '.join(fields)}")
        record_event(actor=self.actor, verb=AuditEvent.Verb.UPDATE, obj=row, before=before, after=snapshot(row),
                     action="load_plan")
        return row

    def retire(self, kind: str, rows: Iterable[models.Model], keep: set[Any], key: str = "code") -> None:
        """Set ``is_active=False`` on the active rows whose ``key`` is not in ``keep``."""
        for row in rows:
            if getattr(row, key) in keep or not getattr(row, "is_active", False):
                continue
            before = snapshot(row)
            row.is_active = False  # type: ignore[attr-defined]
            row.save(update_fields=["is_active", "updated_at"])
            self.report.counts[kind].retired += 1
            self.report.changes.append(f"ngừng dùng {KIND_LABELS[kind]} {row}")
            record_event(actor=self.actor, verb=AuditEvent.Verb.UPDATE, obj=row, before=before,
                         after=snapshot(row), action="load_plan", reason="không còn trong tệp kế hoạch")

    def set_relation(self, kind: str, row: models.Model, relation: str, wanted_ids: set[int], label: str) -> None:
        manager = getattr(row, relation)
        current = set(manager.values_list("pk", flat=True))
        if current == wanted_ids:
            return
        manager.set(sorted(wanted_ids))
        self.report.changes.append(f"cập nhật {KIND_LABELS[kind]} {label}: {relation}")
        record_event(actor=self.actor, verb=AuditEvent.Verb.UPDATE, obj=row,
                     before={relation: sorted(current)}, after={relation: sorted(wanted_ids)}, action="load_plan")

    # -- the load ----------------------------------------------------------------------------------------------

    def run(self) -> PlanLoadReport:
        plan = self.load_plan_row()
        self.report.plan = plan
        elements = self.load_data_elements(plan)
        self.load_indicators(plan, elements)
        groups, tasks = self.load_tasks(plan)
        self.load_assignments(plan, groups, tasks)
        self.load_funding(plan)
        record_event(actor=self.actor, verb=AuditEvent.Verb.IMPORT, obj=plan, action="load_plan",
                     object_repr=f"{plan.code} ← {self.file.source_path.name}", after=self.report.as_json())
        return self.report

    def load_plan_row(self) -> Plan:
        document = self.file.document
        reporting = self.file.reporting
        signer = document.signer
        values: dict[str, Any] = {
            "document_type": document.type,
            "number": document.number,
            "number_as_printed": document.number_as_printed,
            "symbol": document.symbol,
            "year": document.year,
            "date_as_printed": document.date_as_printed,
            "issued_on": document.issued_on,
            "place": document.place,
            "issuer": document.issuer,
            "issuer_agency_id": self.agency_id(document.issuer_agency),
            "signer": {} if signer is None else {"on_behalf_of": signer.on_behalf_of, "authority": signer.authority,
                                                 "title": signer.title, "name": signer.name},
            "title": document.title,
            "start_year": document.start_year,
            "end_year": document.end_year,
            "legal_bases": [
                {"code": basis.code, "kind": basis.kind, "number": basis.number,
                 "issued_on": basis.issued_on.isoformat() if basis.issued_on else None,
                 "issuer": basis.issuer, "title": basis.title}
                for basis in self.file.legal_bases
            ],
            "referenced_documents": [
                {"code": doc.code, "title": doc.title, "sections": list(doc.sections)}
                for doc in self.file.referenced_documents
            ],
            "preamble": self.file.preamble,
            "purposes": list(self.file.purposes),
            "requirements": list(self.file.requirements),
            "general_objective": self.file.general_objective,
            "objectives_intro": self.file.objectives_intro,
            "objective_items": [
                {"section": item.section, "year": item.year, "text": item.text}
                for item in self.file.objective_items
            ],
            "reporting_frequency": reporting.frequency,
            "reporting_deadline_month": reporting.deadline_month,
            "reporting_deadline_day": reporting.deadline_day,
            "reporting_deadline_rule": reporting.deadline_rule,
            "reporting_through": reporting.through,
            "reporting_to": reporting.to,
            "reporting_to_agency_id": self.agency_id(reporting.to_agency),
            "reporting_reporters": list(reporting.reporters),
            "reporting_text": reporting.text,
            "source_file": self.file.source_path.name,
            "is_active": True,
        }
        return self.upsert("plan", Plan, {"code": self.file.code}, values)

    def load_data_elements(self, plan: Plan) -> dict[str, DataElement]:
        existing = {row.code: row for row in DataElement.objects.filter(plan=plan)}
        elements: dict[str, DataElement] = {}
        for order, element in enumerate(self.file.data_elements, start=1):
            reporter = element.entered_by
            values = {
                "plan_id": plan.pk,
                "name": element.name,
                "definition": element.definition,
                "unit": element.unit,
                "value_type": element.value_type,
                "source": element.source,
                "derived_from": element.derived_from or "",
                "reporter_agency_id": self.agency_id(reporter) if reporter and reporter != planfile.LOCALITY
                else None,
                "reporter_is_locality": reporter == planfile.LOCALITY,
                "by_sex": "sex" in element.disaggregations,
                "by_ethnicity": "ethnicity" in element.disaggregations,
                "collection_level": element.collection_level,
                "order": order,
                "is_active": True,
            }
            elements[element.code] = self.upsert("data_element", DataElement, {"code": element.code}, values,
                                                 existing=existing.get(element.code))
        self.retire("data_element", existing.values(), set(elements))
        return elements

    def load_indicators(self, plan: Plan, elements: dict[str, DataElement]) -> None:
        existing = {row.code: row for row in Indicator.objects.filter(plan=plan)}
        seen: set[str] = set()
        for order, item in enumerate(self.file.indicators, start=1):
            values = {
                "name": item.name,
                "wording": item.wording,
                "unit": item.unit,
                "factor": item.factor,
                "numerator_id": elements[item.numerator].pk,
                "denominator_id": elements[item.denominator].pk,
                "direction": item.direction,
                "collection_level": item.collection_level,
                "order": order,
                "is_active": True,
            }
            indicator = self.upsert("indicator", Indicator, {"plan_id": plan.pk, "code": item.code}, values,
                                    existing=existing.get(item.code))
            seen.add(item.code)
            self.load_targets(indicator, item)
            self.load_responsibilities(indicator, item)
        self.retire("indicator", existing.values(), seen)

    def load_targets(self, indicator: Indicator, item: planfile.Indicator) -> None:
        existing = {row.year: row for row in Target.objects.filter(indicator=indicator)}
        for target in item.targets:
            values = {"comparison": target.comparison, "value": target.value, "wording": target.wording,
                      "section": target.section or "", "is_active": True}
            self.upsert("target", Target, {"indicator_id": indicator.pk, "year": target.year}, values,
                        existing=existing.get(target.year), label=f"{indicator.code} {target.year}")
        self.retire("target", existing.values(), {target.year for target in item.targets}, key="year")

    def load_responsibilities(self, indicator: Indicator, item: planfile.Indicator) -> None:
        existing = {row.valid_from: row for row in IndicatorResponsibility.objects.filter(indicator=indicator)}
        wanted = {entry.valid_from: entry.agency for entry in item.responsible_agencies}
        for valid_from, code in wanted.items():
            self.upsert("responsibility", IndicatorResponsibility,
                        {"indicator_id": indicator.pk, "valid_from": valid_from},
                        {"agency_id": self.agency_id(code)}, existing=existing.get(valid_from),
                        label=f"{indicator.code} từ {valid_from:%d/%m/%Y}")
        self.delete_missing("responsibility", [row for day, row in existing.items() if day not in wanted])

    def delete_missing(self, kind: str, rows: list[models.Model]) -> None:
        """Dated settings (responsibilities, reassignments) that left the file: nothing points to them."""
        for row in rows:
            record_event(actor=self.actor, verb=AuditEvent.Verb.DELETE, obj=row, before=snapshot(row),
                         action="load_plan", reason="không còn trong tệp kế hoạch")
            self.report.counts[kind].retired += 1
            self.report.changes.append(f"bỏ {KIND_LABELS[kind]} {row}")
            row.delete()

    def load_tasks(self, plan: Plan) -> tuple[dict[str, TaskGroup], dict[str, Task]]:
        existing_groups = {row.code: row for row in TaskGroup.objects.filter(plan=plan)}
        existing_tasks = {row.code: row for row in Task.objects.filter(plan=plan)}
        groups: dict[str, TaskGroup] = {}
        tasks: dict[str, Task] = {}
        task_order = 0
        for order, group in enumerate(self.file.task_groups, start=1):
            groups[group.code] = self.upsert(
                "task_group", TaskGroup, {"plan_id": plan.pk, "code": group.code},
                {"section": group.section, "title": group.title, "order": order, "is_active": True},
                existing=existing_groups.get(group.code))
            for task in group.tasks:
                task_order += 1
                tasks[task.code] = self.upsert(
                    "task", Task, {"plan_id": plan.pk, "code": task.code},
                    {"group_id": groups[group.code].pk, "title": task.title, "text": task.text,
                     "order": task_order, "is_active": True},
                    existing=existing_tasks.get(task.code))
        self.retire("task", existing_tasks.values(), set(tasks))
        self.retire("task_group", existing_groups.values(), set(groups))
        return groups, tasks

    def load_assignments(self, plan: Plan, groups: dict[str, TaskGroup], tasks: dict[str, Task]) -> None:
        existing = {row.code: row for row in PlanAssignment.objects.filter(plan=plan)}
        seen: set[str] = set()
        for order, item in enumerate(self.file.assignments, start=1):
            if item.assignee_agency:
                kind = AssigneeKind.AGENCY
            elif item.assignee_level:
                kind = AssigneeKind.LOCALITY
            else:
                kind = AssigneeKind.ALL_AGENCIES
            values = {
                "section": item.section,
                "heading": item.heading,
                "assignee_kind": kind,
                "agency_id": self.agency_id(item.assignee_agency),
                "is_request": item.is_request,
                "role": item.role,
                "title": item.title,
                "text": item.text,
                "order": order,
                "is_active": True,
            }
            duty = self.upsert("assignment", PlanAssignment, {"plan_id": plan.pk, "code": item.code}, values,
                               existing=existing.get(item.code))
            seen.add(item.code)
            self.set_relation("assignment", duty, "serves_tasks",
                              {tasks[code].pk for code in item.serves if code in tasks}, item.code)
            self.set_relation("assignment", duty, "serves_groups",
                              {groups[code].pk for code in item.serves if code in groups}, item.code)
            self.set_relation("assignment", duty, "partners",
                              {self.agencies[code].pk for code in item.partners}, item.code)
            current = {row.effective_on: row for row in Reassignment.objects.filter(assignment=duty)}
            wanted = {entry.effective_on: entry for entry in item.reassignments}
            for day, entry in wanted.items():
                self.upsert("reassignment", Reassignment, {"assignment_id": duty.pk, "effective_on": day},
                            {"agency_id": self.agency_id(entry.agency), "note": entry.note},
                            existing=current.get(day), label=f"{item.code} từ {day:%d/%m/%Y}")
            self.delete_missing("reassignment", [row for day, row in current.items() if day not in wanted])
        self.retire("assignment", existing.values(), seen)

    def load_funding(self, plan: Plan) -> None:
        existing = {row.code: row for row in FundingSource.objects.filter(plan=plan)}
        for order, source in enumerate(self.file.funding_sources, start=1):
            self.upsert("funding_source", FundingSource, {"plan_id": plan.pk, "code": source.code},
                        {"name": source.name, "text": source.text, "order": order, "is_active": True},
                        existing=existing.get(source.code))
        self.retire("funding_source", existing.values(), {source.code for source in self.file.funding_sources})
