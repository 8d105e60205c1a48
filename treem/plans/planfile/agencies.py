"""The agencies file (``reference_data/agencies.yaml``): provincial agencies with their validity, their
lineage (successors after a reorganisation) and the coordinating agency by date."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from treem.plans.planfile.builders import parse_day, parse_optional_day
from treem.plans.planfile.checks import Checker, vn_date
from treem.plans.planfile.problems import PlanFileError
from treem.plans.planfile.schema import AGENCIES_SCHEMA_PATH, load_schema, schema_problems
from treem.plans.planfile.types import AgenciesFile, Agency, AgencySuccessor, Coordinator
from treem.plans.planfile.yaml_lines import YamlMapping, load_yaml


def read_agencies_file(path: str | Path) -> AgenciesFile:
    """Read and validate an agencies file; raise :class:`PlanFileError` listing every problem found."""
    path = Path(path)
    document = load_yaml(path)
    problems = schema_problems(document, schema=load_schema(AGENCIES_SCHEMA_PATH), file_name=path.name)
    if problems:
        raise PlanFileError(problems)
    agencies_file = _build_agencies(document, path)
    checker = Checker(document, path.name)
    _check_agencies(checker, agencies_file)
    if checker.problems:
        raise PlanFileError(checker.problems)
    return agencies_file


def _build_agencies(document: YamlMapping, path: Path) -> AgenciesFile:
    agencies = tuple(
        Agency(
            code=entry["code"],
            name=entry["name"],
            short_name=entry.get("short_name", ""),
            kind=entry["kind"],
            valid_from=parse_optional_day(entry["valid_from"]),
            valid_to=parse_optional_day(entry["valid_to"]),
            successors=tuple(
                AgencySuccessor(
                    code=successor["code"],
                    effective_on=parse_day(successor["effective_on"]),
                    note=successor.get("note", ""),
                    line=successor.line,
                )
                for successor in entry.get("successors", [])
            ),
            note=entry.get("note", ""),
            line=entry.line,
        )
        for entry in document["agencies"]
    )
    coordinators = tuple(
        Coordinator(agency=entry["agency"], valid_from=parse_day(entry["valid_from"]), line=entry.line)
        for entry in document["coordinators"]
    )
    return AgenciesFile(
        source_path=path, provenance=document["provenance"], agencies=agencies, coordinators=coordinators
    )


def _check_agencies(checker: Checker, agencies_file: AgenciesFile) -> None:
    agencies = agencies_file.agencies
    checker.unique(
        ((["agencies", index, "code"], agency.code) for index, agency in enumerate(agencies)), "mã"
    )
    by_code = {agency.code: agency for agency in agencies}
    for index, agency in enumerate(agencies):
        here: list[str | int] = ["agencies", index]
        if agency.valid_from and agency.valid_to and agency.valid_to < agency.valid_from:
            checker.add(
                [*here, "valid_to"],
                f'"valid_to" ({vn_date(agency.valid_to)}) không được trước '
                f'"valid_from" ({vn_date(agency.valid_from)})',
            )
        if agency.successors and agency.valid_to is None:
            checker.add([*here, "successors"], 'cơ quan có "successors" phải có "valid_to" (ngày chấm dứt)')
        seen: set[str] = set()
        for position, successor in enumerate(agency.successors):
            at: list[str | int] = [*here, "successors", position]
            if successor.code in seen:
                checker.add([*at, "code"], f'cơ quan kế thừa "{successor.code}" bị lặp lại')
            seen.add(successor.code)
            if successor.code == agency.code:
                checker.add([*at, "code"], "cơ quan không thể kế thừa chính nó")
                continue
            target = by_code.get(successor.code)
            if target is None:
                checker.add(
                    [*at, "code"], f'cơ quan kế thừa "{successor.code}" không có trong danh sách "agencies"'
                )
                continue
            if agency.valid_to is not None and successor.effective_on != agency.valid_to + timedelta(days=1):
                checker.add(
                    [*at, "effective_on"],
                    f'"effective_on" phải là ngày liền sau "valid_to" của cơ quan, tức '
                    f"{vn_date(agency.valid_to + timedelta(days=1))} (nhận được {vn_date(successor.effective_on)})",
                )
            if not target.is_valid_on(successor.effective_on):
                checker.add(
                    [*at, "effective_on"],
                    f"cơ quan kế thừa {target.code} không hoạt động vào ngày {vn_date(successor.effective_on)}",
                )
    coordinators = agencies_file.coordinators
    for index, coordinator in enumerate(coordinators):
        here = ["coordinators", index]
        coordinating = by_code.get(coordinator.agency)
        if coordinating is None:
            checker.add(
                [*here, "agency"], f'cơ quan "{coordinator.agency}" không có trong danh sách "agencies"'
            )
            continue
        if index and coordinator.valid_from <= coordinators[index - 1].valid_from:
            checker.add([*here, "valid_from"], '"valid_from" của các cơ quan điều phối phải tăng dần')
        if not coordinating.is_valid_on(coordinator.valid_from):
            checker.add(
                [*here, "valid_from"],
                f"cơ quan {coordinating.code} không hoạt động vào ngày {vn_date(coordinator.valid_from)}",
            )
        following = coordinators[index + 1].valid_from if index + 1 < len(coordinators) else None
        if coordinating.valid_to is not None:
            handover = coordinating.valid_to + timedelta(days=1)
            if following is None or following > handover:
                checker.add(
                    [*here, "agency"],
                    f"cơ quan {coordinating.code} chấm dứt hoạt động sau ngày {vn_date(coordinating.valid_to)} "
                    f"nhưng chưa có cơ quan điều phối tiếp theo từ ngày {vn_date(handover)}",
                )
