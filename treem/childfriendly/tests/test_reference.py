"""The scoring file's loader refuses what the decision's table cannot be: a sub-item said to come from the decision
without the page it was read on, a criterion whose sub-items do not add up to the maximum the decision states."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import ValidationError

from treem.childfriendly.models import ScoringVersion, SubItem
from treem.childfriendly.reference import REFERENCE_DIR, load_scoring_file

pytestmark = pytest.mark.django_db

REAL_FILE = REFERENCE_DIR / "qd-06-2019.yaml"


def real_table() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(REAL_FILE.read_text(encoding="utf-8"))
    document["version"] = "QD-THU"
    return document


def written(document: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "qd-thu.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def refusal(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as error:
        load_scoring_file(path)
    assert not ScoringVersion.objects.filter(code="QD-THU").exists()
    return error.value.messages


def test_the_real_table_names_a_source_for_every_sub_item_from_the_decision(tmp_path: Path) -> None:
    version = load_scoring_file(written(real_table(), tmp_path))
    from_decision = SubItem.objects.filter(criterion__version=version, provenance=SubItem.Provenance.DECISION)
    assert from_decision.exists()
    sources = {item["code"]: item.get("source") for criterion in real_table()["criteria"]
               for item in criterion["sub_items"]}
    assert all(sources[item.code] for item in from_decision)


def test_a_sub_item_from_the_decision_without_a_source_is_refused(tmp_path: Path) -> None:
    document = real_table()
    item = next(item for criterion in document["criteria"] for item in criterion["sub_items"]
                if item["provenance"] == "decision")
    del item["source"]
    assert refusal(written(document, tmp_path)) == [
        f"qd-thu.yaml: mục {item['code']} ghi theo văn bản nhưng thiếu nguồn (source)."]


def test_a_criterion_whose_sub_items_miss_its_stated_maximum_is_refused(tmp_path: Path) -> None:
    document = real_table()
    criterion = next(criterion for criterion in document["criteria"] if "max_points" in criterion)
    stated = criterion["max_points"]
    criterion["max_points"] = stated + 5
    assert refusal(written(document, tmp_path)) == [
        f"qd-thu.yaml: tiêu chí {criterion['number']}: các mục cộng lại {stated} điểm, không bằng điểm tối đa "
        f"{stated + 5} của tiêu chí."]


def test_a_source_that_is_not_an_address_is_refused(tmp_path: Path) -> None:
    document = real_table()
    document["criteria"][0]["sub_items"][0]["source"] = "báo Dân sinh"
    messages = refusal(written(document, tmp_path))
    assert len(messages) == 1 and messages[0].startswith("qd-thu.yaml: criteria/0/sub_items/0/source:")
