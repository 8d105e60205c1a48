"""Building the dataclasses of a plan file from its validated YAML document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from treem.plans.planfile.types import (
    Assignment,
    DataElement,
    FundingSource,
    Indicator,
    LegalBasis,
    ObjectiveItem,
    PlanDocument,
    PlanFile,
    Reassignment,
    ReferencedDocument,
    ReportingRule,
    ResponsibleAgency,
    Signer,
    Target,
    Task,
    TaskGroup,
)
from treem.plans.planfile.yaml_lines import YamlMapping


def parse_day(text: str) -> date:
    return date.fromisoformat(text)


def parse_optional_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def build_plan(document: YamlMapping, path: Path) -> PlanFile:
    raw_document = document["document"]
    raw_signer = raw_document.get("signer")
    plan_document = PlanDocument(
        type=raw_document["type"],
        number=raw_document["number"],
        number_as_printed=raw_document.get("number_as_printed", ""),
        symbol=raw_document["symbol"],
        year=raw_document["year"],
        date_as_printed=raw_document.get("date_as_printed", ""),
        issued_on=parse_optional_day(raw_document.get("issued_on")),
        place=raw_document.get("place", ""),
        issuer=raw_document["issuer"],
        issuer_agency=raw_document.get("issuer_agency"),
        signer=None
        if raw_signer is None
        else Signer(
            on_behalf_of=raw_signer.get("on_behalf_of", ""),
            authority=raw_signer.get("authority", ""),
            title=raw_signer["title"],
            name=raw_signer.get("name", ""),
        ),
        title=raw_document["title"],
        start_year=raw_document["period"]["start_year"],
        end_year=raw_document["period"]["end_year"],
    )
    data_elements = tuple(_build_data_element(entry) for entry in document["data_elements"])
    indicators = tuple(_build_indicator(entry) for entry in document["indicators"])
    task_groups = tuple(
        TaskGroup(
            code=group["code"],
            section=group["section"],
            title=group["title"],
            tasks=tuple(
                Task(
                    code=task["code"],
                    group_code=group["code"],
                    title=task["title"],
                    text=task["text"],
                    line=task.line,
                )
                for task in group["tasks"]
            ),
            line=group.line,
        )
        for group in document["task_groups"]
    )
    assignments = tuple(
        _build_assignment(section, task) for section in document["assignments"] for task in section["tasks"]
    )
    raw_reporting = document["reporting"]
    reporting = ReportingRule(
        frequency=raw_reporting["frequency"],
        deadline_month=raw_reporting["deadline"]["month"],
        deadline_day=raw_reporting["deadline"]["day"],
        deadline_rule=raw_reporting["deadline"]["rule"],
        through=raw_reporting["through"],
        to=raw_reporting["to"],
        to_agency=raw_reporting.get("to_agency"),
        reporters=tuple(raw_reporting.get("reporters", [])),
        text=raw_reporting.get("text", ""),
        line=raw_reporting.line,
    )
    objectives = document["specific_objectives"]
    return PlanFile(
        source_path=path,
        format_version=document["format_version"],
        code=document["code"],
        document=plan_document,
        legal_bases=tuple(
            LegalBasis(
                code=entry["code"],
                kind=entry["kind"],
                number=entry["number"],
                issued_on=parse_optional_day(entry.get("issued_on")),
                issuer=entry["issuer"],
                title=entry["title"],
                line=entry.line,
            )
            for entry in document.get("legal_bases", [])
        ),
        referenced_documents=tuple(
            ReferencedDocument(
                code=entry["code"], title=entry["title"], sections=tuple(entry["sections"]), line=entry.line
            )
            for entry in document.get("referenced_documents", [])
        ),
        preamble=document.get("preamble", ""),
        purposes=tuple(document.get("purposes", [])),
        requirements=tuple(document.get("requirements", [])),
        general_objective=document.get("general_objective", ""),
        objectives_intro=objectives.get("intro", ""),
        objective_items=tuple(
            ObjectiveItem(section=item["section"], year=item["year"], text=item["text"], line=item.line)
            for item in objectives["items"]
        ),
        data_elements=data_elements,
        indicators=indicators,
        task_groups=task_groups,
        assignments=assignments,
        funding_sources=tuple(
            FundingSource(code=entry["code"], name=entry["name"], text=entry["text"], line=entry.line)
            for entry in document.get("funding_sources", [])
        ),
        reporting=reporting,
    )


def _build_data_element(entry: YamlMapping) -> DataElement:
    fallback = entry.get("entered_fallback")
    return DataElement(
        code=entry["code"],
        name=entry["name"],
        definition=entry["definition"],
        unit=entry["unit"],
        value_type=entry["value_type"],
        source=entry["source"],
        derived_from=entry.get("derived_from"),
        reporter=entry.get("reporter"),
        fallback_reporter=None if fallback is None else fallback["reporter"],
        disaggregations=tuple(entry["disaggregations"]),
        collection_level=entry["collection_level"],
        line=entry.line,
    )


def _decimal(value: int | float) -> Decimal:
    # Through str, so that 84.3 in the file is Decimal("84.3"), not the binary float's expansion.
    return Decimal(str(value))


def _build_indicator(entry: YamlMapping) -> Indicator:
    return Indicator(
        code=entry["code"],
        name=entry["name"],
        wording=entry["wording"],
        unit=entry["unit"],
        factor=_decimal(entry["factor"]),
        numerator=entry["numerator"],
        denominator=entry["denominator"],
        direction=entry["direction"],
        responsible_agencies=tuple(
            ResponsibleAgency(agency=item["agency"], valid_from=parse_day(item["valid_from"]), line=item.line)
            for item in entry["responsible_agencies"]
        ),
        collection_level=entry["collection_level"],
        targets=tuple(
            Target(
                year=target["year"],
                comparison=target["comparison"],
                value=_decimal(target["value"]),
                wording=target["wording"],
                section=target.get("section"),
                line=target.line,
            )
            for target in entry["targets"]
        ),
        line=entry.line,
    )


def _build_assignment(section: YamlMapping, task: YamlMapping) -> Assignment:
    assignee = section["assignee"]
    return Assignment(
        code=task["code"],
        section=section["section"],
        heading=section["heading"],
        assignee_agency=assignee.get("agency"),
        assignee_level=assignee.get("level"),
        assignee_group=assignee.get("group"),
        is_request=section.get("is_request", False),
        role=task["role"],
        title=task["title"],
        text=task["text"],
        serves=tuple(task["serves"]),
        partners=tuple(task.get("partners", [])),
        reassignments=tuple(
            Reassignment(
                agency=item["agency"],
                effective_on=parse_day(item["effective_on"]),
                note=item.get("note", ""),
                line=item.line,
            )
            for item in task.get("reassigned_to", [])
        ),
        line=task.line,
    )
