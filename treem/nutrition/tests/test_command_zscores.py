"""``manage.py zscores``: a thin wrapper over the CSV scorer, blank where WHO's software leaves scores blank."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

INPUT = """sex,birth_date,measured_on,age_days,weight_kg,length_cm,measured,oedema
1,,,365,9.6,75.7,L,n
Nữ,01/02/2022,15/08/2024,,11.2,86.0,,n
M,,,400,,,,
2,,,500,10.1,79.0,H,y
F,,,,8.0,70.0,L,n
1,,,1900,15.0,100.0,H,n
,,,365,9.6,75.7,L,n
1,,,365,9.6,75.7,L,
"""


def score_file(tmp_path: Path, text: str, *extra: str) -> list[dict[str, str]]:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(text, encoding="utf-8")
    call_command("zscores", "--input", str(source), "--output", str(target), *extra)
    with open(target, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_command_adds_the_six_score_columns_and_keeps_every_input_column(tmp_path: Path) -> None:
    rows = score_file(tmp_path, INPUT)
    assert len(rows) == 8
    assert list(rows[0]) == [
        "sex", "birth_date", "measured_on", "age_days", "weight_kg", "length_cm", "measured", "oedema",
        "waz", "haz", "whz", "flag_waz", "flag_haz", "flag_whz",
    ]
    first = rows[0]
    assert (first["sex"], first["weight_kg"], first["measured"]) == ("1", "9.6", "L")
    assert first["waz"] and first["haz"] and first["whz"]
    assert (first["flag_waz"], first["flag_haz"], first["flag_whz"]) == ("0", "0", "0")


def test_an_age_is_taken_from_the_dates_when_age_days_is_blank(tmp_path: Path) -> None:
    rows = score_file(tmp_path, INPUT)
    from_dates = rows[1]
    assert from_dates["waz"] != "" and from_dates["haz"] != ""


def test_blank_cells_give_blank_scores_exactly_where_who_leaves_them_blank(tmp_path: Path) -> None:
    rows = score_file(tmp_path, INPUT)
    no_values = rows[2]  # neither weight nor length
    assert [no_values[name] for name in ("waz", "haz", "whz", "flag_waz", "flag_haz", "flag_whz")] == [""] * 6
    oedema = rows[3]  # oedema blanks the weight-based scores, not HAZ
    assert (oedema["waz"], oedema["whz"], oedema["flag_waz"], oedema["flag_whz"]) == ("", "", "", "")
    assert oedema["haz"] != "" and oedema["flag_haz"] == "0"
    no_age = rows[4]  # without an age only weight-for-length can be computed
    assert (no_age["waz"], no_age["haz"]) == ("", "")
    assert no_age["whz"] != ""
    too_old = rows[5]  # 1,900 days is past 60 months: nothing scored under the default convention
    assert (too_old["waz"], too_old["haz"], too_old["whz"]) == ("", "", "")
    no_sex = rows[6]
    assert (no_sex["waz"], no_sex["haz"], no_sex["whz"]) == ("", "", "")
    blank_oedema = rows[7]  # a blank oedema cell is "no oedema", as in WHO's software
    assert blank_oedema["waz"] == rows[0]["waz"]


def test_the_values_are_the_engines(tmp_path: Path) -> None:
    rows = score_file(tmp_path, "sex,age_days,weight_kg,length_cm,measured,oedema\n1,365,9.6,75.7,L,n\n")
    # WHO weight-for-age, boys, day 365: L 0.0645, M 9.646, S 0.10925 -> z = -0.0438… (hand-checked)
    assert rows[0]["waz"] == "-0.04"


def test_the_igrowup_convention_scores_children_past_sixty_months(tmp_path: Path) -> None:
    rows = score_file(tmp_path, INPUT, "--convention", "igrowup")
    assert rows[5]["waz"] == ""  # 1,900 days lies beyond the tables' last day (1,856) in both conventions
    rows = score_file(tmp_path, "sex,age_days,weight_kg,length_cm\n1,1840,18.3,110\n", "--convention", "igrowup")
    assert rows[0]["waz"] != ""


def test_a_missing_column_is_an_error_in_vietnamese(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="thiếu cột"):
        score_file(tmp_path, "sex,weight_kg\n1,9\n")


def test_a_missing_input_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("zscores", "--input", str(tmp_path / "none.csv"), "--output", str(tmp_path / "out.csv"))


def test_formula_like_cells_are_written_so_that_no_spreadsheet_runs_them(tmp_path: Path) -> None:
    text = "sex,age_days,weight_kg,length_cm,measured,note\n1,365,9.6,75.7,L,=HYPERLINK(\"http://x\")\n" \
           "2,400,-1,80.0,L,@SUM(A1)\n"
    rows = score_file(tmp_path, text)
    assert [row["note"] for row in rows] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)"]
    assert rows[1]["weight_kg"] == "-1"
    assert rows[0]["waz"].lstrip("-").replace(".", "").isdigit()
