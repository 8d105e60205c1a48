"""The API's contract, read from its own OpenAPI document (``/api/v1/openapi.json``):

- every choice-looking field (a status, a kind, a sex, a level, a role…) of every schema and query parameter is an
  ``enum`` (or a list of one), and its description gives the values' Vietnamese labels;
- every operation declares its error statuses with the one error schema: 401 and 403 where it needs a caller,
  404 where it takes a path parameter, 422 where it takes input;
- every list (an array, or an object with ``items``) takes ``limit`` with a stated maximum and ``offset``;
- every PATCH and PUT declares 409 and 412 (stale version, stale If-Match) and 428 (none sent) and takes
  ``If-Match``, as does every operation that declares 428;
- every POST that creates records (it answers 201 or 202) takes an ``Idempotency-Key`` header.

The walk is over the document, so an operation added later is held to the same contract without a new test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role

ERROR_REF = "#/components/schemas/ErrorOut"
SIGNED_IN_ONLY = {"/api/v1/me"}  # any signed-in caller may read who they are: no capability, so no 403
CHOICE_NAMES = {"status", "kind", "sex", "level", "role", "verb", "decision", "outcome", "target", "severity",
                "direction", "comparison", "source", "position", "place", "relationship", "assignee_kind"}
CHOICE_SUFFIXES = ("_kind", "_status", "_level", "_sex", "_via", "_relation", "_precision", "_frequency",
                   "_circumstance", "_basis")
NOT_CHOICES = {"status_label", "kind_label", "decision_label", "verb_label",
               # where an incident happened, in words (the measurement's ``place`` is a choice)
               "IncidentOut.place", "IncidentIn.place", "ExternalIncidentDetails.place",
               # the z-score calculator reads a survey file's codings as WHO's software does (1/2, M/F, Nam/Nữ in any
               # case; an unreadable one scores blank), so it takes the text as written
               "ScoreRowIn.sex"}


@pytest.fixture(scope="module")
def document(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _is_enum(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    schema = _resolve(document, schema)
    if "enum" in schema or "const" in schema:
        return True
    if schema.get("type") == "array":
        return _is_enum(document, schema.get("items", {}))
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf") or []
    real = [option for option in options if _resolve(document, option).get("type") != "null"]
    return bool(real) and all(_is_enum(document, option) for option in real)


def _is_choice_name(name: str, schema_name: str = "") -> bool:
    if name in NOT_CHOICES or f"{schema_name}.{name}" in NOT_CHOICES:
        return False
    return name in CHOICE_NAMES or name.endswith(CHOICE_SUFFIXES)


def _is_object(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A nested record (or a list of them) named like a choice, such as an indicator value's ``status`` with its
    target year, comparison and label: its own fields are checked where it is defined."""
    schema = _resolve(document, schema)
    if "properties" in schema:
        return True
    if schema.get("type") == "array":
        return _is_object(document, schema.get("items", {}))
    return any(_is_object(document, option) for option in schema.get("anyOf") or schema.get("allOf") or [])


def _is_discriminator(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A one-value field telling which form a body is (its label is the form's own)."""
    schema = _resolve(document, schema)
    return "const" in schema or len(schema.get("enum", [])) == 1


def _declared(operation: dict[str, Any]) -> dict[int, str]:
    """Status → the schema reference each response declares (``""`` for none)."""
    result = {}
    for status, response in operation["responses"].items():
        content = response.get("content", {}).get("application/json", {})
        result[int(status)] = content.get("schema", {}).get("$ref", "")
    return result


def _parameters(operation: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    return {parameter["name"]: parameter for parameter in operation.get("parameters", []) if parameter["in"] == where}


def test_the_document_has_every_domain(document: dict[str, Any]) -> None:
    paths = set(document["paths"])
    for path in ("/api/v1/cases/{case_id}/plan", "/api/v1/reporting/evidence/{evidence_id}/file",
                 "/api/v1/nutrition/follow-up", "/api/v1/plans/{plan_id}/assignments", "/api/v1/children/{child_id}",
                 "/api/v1/incidents/{incident_id}"):
        assert path in paths


def test_every_choice_looking_field_is_an_enum_with_its_labels(document: dict[str, Any]) -> None:
    problems = []
    for name, schema in document["components"]["schemas"].items():
        for field, definition in schema.get("properties", {}).items():
            if _is_choice_name(field, name) and not _is_object(document, definition):
                if _is_discriminator(document, definition):
                    continue
                if not _is_enum(document, definition):
                    problems.append(f"{name}.{field} is not an enum")
                elif "`" not in definition.get("description", "") and ":" not in definition.get("description", ""):
                    problems.append(f"{name}.{field} does not give the values' labels")
    for method, path, operation in _operations(document):
        for parameter_name, parameter in _parameters(operation, "query").items():
            if _is_choice_name(parameter_name) and not _is_enum(document, parameter["schema"]):
                problems.append(f"{method} {path} ?{parameter_name} is not an enum")
    assert problems == []


def test_every_operation_declares_its_error_statuses_with_the_one_schema(document: dict[str, Any]) -> None:
    problems = []
    for method, path, operation in _operations(document):
        declared = _declared(operation)
        errors = {status: ref for status, ref in declared.items() if status >= 400}
        if not errors:
            problems.append(f"{method} {path} declares no error")
        if operation.get("security") and 401 not in errors:
            problems.append(f"{method} {path} lacks 401")
        if operation.get("security") and 403 not in errors and path not in SIGNED_IN_ONLY:
            problems.append(f"{method} {path} lacks 403")
        if _parameters(operation, "path") and 404 not in errors:
            problems.append(f"{method} {path} lacks 404")
        if (operation.get("parameters") or operation.get("requestBody")) and 422 not in errors:
            problems.append(f"{method} {path} lacks 422")
        for status, ref in errors.items():
            schema = _resolve(document, {"$ref": ref}) if ref else {}
            if ref != ERROR_REF and not {"detail", "errors"} <= set(schema.get("properties", {})):
                problems.append(f"{method} {path} {status} is not in the error schema")
    assert problems == []


def _is_list(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema")
    if ok is None:
        return False
    schema = _resolve(document, ok)
    return schema.get("type") == "array" or schema.get("properties", {}).get("items", {}).get("type") == "array"


def test_every_list_states_its_maximum_page_size(document: dict[str, Any]) -> None:
    problems = []
    lists = 0
    for method, path, operation in _operations(document):
        if method != "GET" or not _is_list(document, operation):
            continue
        lists += 1
        query = _parameters(operation, "query")
        limit = query.get("limit", {}).get("schema", {})
        if "maximum" not in limit or "offset" not in query:
            problems.append(f"{method} {path}")
    assert problems == [] and lists >= 20


def test_every_patch_and_put_declares_409_412_428_and_takes_if_match(document: dict[str, Any]) -> None:
    writes = [(path, operation) for method, path, operation in _operations(document) if method in {"PATCH", "PUT"}]
    assert len(writes) >= 8
    for path, operation in writes:
        assert {409, 412, 428} <= set(_declared(operation)), path
        assert "If-Match" in _parameters(operation, "header"), path


def test_every_operation_that_may_answer_428_takes_if_match_and_a_version_field(document: dict[str, Any]) -> None:
    """428 (no version sent) is declared only where a version is asked for: the If-Match header and a body field
    named like a version."""
    versioned = [(method, path, operation) for method, path, operation in _operations(document)
                 if 428 in _declared(operation)]
    assert len(versioned) >= 14
    for method, path, operation in versioned:
        assert "If-Match" in _parameters(operation, "header"), (method, path)
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        fields = set(_resolve(document, body).get("properties", {}))
        assert fields & {"version", "record_version"}, (method, path)


def test_every_creating_post_takes_an_idempotency_key(document: dict[str, Any]) -> None:
    creating = [(path, operation) for method, path, operation in _operations(document)
                if method == "POST" and {201, 202} & set(_declared(operation))]
    assert len(creating) >= 10
    for path, operation in creating:
        assert "Idempotency-Key" in _parameters(operation, "header"), path


@pytest.mark.django_db
def test_a_limit_above_the_maximum_is_422_in_the_error_schema(document: dict[str, Any], client: Client) -> None:
    maximum = _parameters(document["paths"]["/api/v1/cases"]["get"], "query")["limit"]["schema"]["maximum"]
    client.force_login(user_with_role(Role.CASE_WORKER, "03390"))
    response = client.get(f"/api/v1/cases?limit={maximum + 1}")
    assert response.status_code == 422 and set(response.json()) == {"detail", "errors"}
    assert "limit" in response.json()["errors"]
