"""The child list's own values and field map: groups of special circumstances (Article 10) and the header titles."""

from __future__ import annotations

import pytest

from treem.registry.import_fields import CANONICAL_FIELDS, find_header_row, match_headers
from treem.registry.import_values import SPECIAL_CIRCUMSTANCE_GROUPS, parse_special_circumstances


def excel_text(raw: bytes) -> str:
    """Bytes typed in a legacy font, as Excel hands them over: one Windows-1252 character per byte."""
    return raw.decode("cp1252")


# ------------------------------------------------------------------------------------------------------------
# Special circumstances
# ------------------------------------------------------------------------------------------------------------


def test_article_10_lists_14_groups_a_to_o_with_d_stroke_and_without_f_or_j() -> None:
    assert list(SPECIAL_CIRCUMSTANCE_GROUPS) == [
        "a",
        "b",
        "c",
        "d",
        "đ",
        "e",
        "g",
        "h",
        "i",
        "k",
        "l",
        "m",
        "n",
        "o",
    ]
    assert SPECIAL_CIRCUMSTANCE_GROUPS["a"] == "Trẻ em mồ côi cả cha và mẹ"
    assert SPECIAL_CIRCUMSTANCE_GROUPS["đ"] == "Trẻ em nhiễm HIV/AIDS"


@pytest.mark.parametrize(
    ("value", "letters"),
    [("a, c", {"a", "c"}), ("a;c", {"a", "c"}), ("a c", {"a", "c"}), ("A, C", {"a", "c"}), ("nhóm a", {"a"}),
     ("Nhóm a, nhóm c", {"a", "c"}), ("a và c", {"a", "c"}), ("đ", {"đ"}), ("Đ", {"đ"}), ("dd", {"đ"}),
     ("b)", {"b"}), ("Trẻ em mồ côi cả cha và mẹ", {"a"}), ("mồ côi cả cha", {"a"}), ("bị bỏ rơi", {"b"}),
     ("Trẻ em khuyết tật", {"d"}), ("Trẻ em bị bỏ rơi, Trẻ em khuyết tật", {"b", "d"}),
     ("a) Trẻ em mồ côi cả cha và mẹ", {"a"}), ("Nhóm d: khuyết tật; a", {"a", "d"}),
     ("a; Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc",
      {"a", "o"}), ("", set()), ("Không", set()), ("-", set())],
)  # fmt: skip
def test_special_circumstances_are_read_as_letters(value: str, letters: set[str]) -> None:
    result = parse_special_circumstances(value)
    assert result.error is None
    assert result.value == frozenset(letters)


@pytest.mark.parametrize("value", ["f", "j", "a, f", "1", "Trẻ em bị", "b) Trẻ em mồ côi cả cha và mẹ", "mồ"])
def test_unknown_special_circumstances_are_rejected_with_the_valid_letters(value: str) -> None:
    error = parse_special_circumstances(value).error
    assert error is not None
    assert error.startswith("Nhóm hoàn cảnh đặc biệt không đọc được: '")
    assert error.endswith(
        "(dùng các chữ a, b, c, d, đ, e, g, h, i, k, l, m, n, o theo Điều 10 Luật Trẻ em 2016)"
    )


def test_the_rejection_names_the_unknown_letter() -> None:
    assert parse_special_circumstances("a, f").error == (
        "Nhóm hoàn cảnh đặc biệt không đọc được: 'f' (dùng các chữ a, b, c, d, đ, e, g, h, i, k, l, m, n, o "
        "theo Điều 10 Luật Trẻ em 2016)"
    )


# ------------------------------------------------------------------------------------------------------------
# Headers
# ------------------------------------------------------------------------------------------------------------


def test_the_usual_titles_map_to_every_canonical_field() -> None:
    titles = ["Họ tên trẻ em", "NS", "GT", "DT", "CCCD", "Thôn, bản", "Cha/mẹ", "Điện thoại", "Khai sinh",
              "Hoàn cảnh đặc biệt", "KT", "Quan hệ với trẻ", "BHYT", "Trường", "Ghi chú"]  # fmt: skip
    match = match_headers(titles)
    assert [field for _, field in match.columns] == list(CANONICAL_FIELDS)
    assert match.unknown == () and match.missing_required == ()


@pytest.mark.parametrize(
    ("title", "field"),
    [("Họ và tên", "full_name"), ("Họ tên", "full_name"), ("Tên trẻ", "full_name"),
     ("HỌ VÀ TÊN", "full_name"), ("Ho va ten", "full_name"), ("Họ và tên (ghi bằng chữ in hoa)", "full_name"),
     ("Ngày sinh", "birth_date"), ("Ngày tháng năm sinh", "birth_date"),
     ("Ngày, tháng, năm sinh", "birth_date"),
     ("Ngày/tháng/năm sinh (dd/mm/yyyy)", "birth_date"), ("NS", "birth_date"), ("Ngay sinnh", "birth_date"),
     ("Giới tính", "sex"), ("Nam/Nữ", "sex"), ("GT", "sex"), ("Dân tộc", "ethnicity"), ("DT", "ethnicity"),
     ("Số định danh cá nhân", "personal_id"), ("Mã định danh", "personal_id"), ("Số CCCD", "personal_id"),
     ("Số định danh", "personal_id"), ("Thôn/bản", "village"), ("Thôn", "village"), ("Bản", "village"),
     ("Tổ dân phố", "village"), ("Họ tên cha/mẹ/người chăm sóc", "guardian_name"),
     ("Họ tên cha mẹ", "guardian_name"), ("Người chăm sóc", "guardian_name"),
     ("Họ tên cha, mẹ hoặc người chăm sóc trẻ", "guardian_name"), ("Số điện thoại", "guardian_phone"),
     ("SĐT", "guardian_phone"), ("ĐT", "guardian_phone"), ("Số điện thoại của cha mẹ", "guardian_phone"),
     ("Đăng ký khai sinh", "birth_registered"), ("ĐKKS", "birth_registered"),
     ("Khai sinh", "birth_registered"),
     ("Nhóm hoàn cảnh đặc biệt", "special_circumstances"), ("HCĐB", "special_circumstances"),
     ("Khuyết tật", "disability"), ("KT", "disability"), ("Bảo hiểm y tế", "health_insurance"),
     ("Ghi chú", "notes"), ("Quan hệ", "guardian_relationship")],
)  # fmt: skip
def test_each_title_spelling_maps_to_its_field(title: str, field: str) -> None:
    assert match_headers([title]).columns == ((0, field),)


def test_titles_typed_in_tcvn3_are_matched() -> None:
    titles = [
        excel_text(raw)
        for raw in (b"H\xe4 v\xb5 t\xaan", b"Ng\xb5y sinh", b"Gi\xedi t\xddnh", b"D\xa9n t\xe9c")
    ]
    assert [field for _, field in match_headers(titles).columns] == [
        "full_name",
        "birth_date",
        "sex",
        "ethnicity",
    ]


def test_unknown_columns_are_kept_and_row_numbers_are_ignored() -> None:
    titles = ["STT", "Họ và tên", None, "Ngày sinh", "Sở thích", "Họ tên chủ hộ", "Ngày sinh của mẹ"]
    match = match_headers(titles)
    assert match.columns == ((1, "full_name"), (3, "birth_date"))
    assert match.ignored == ((0, "STT"),)
    assert match.unknown == ((4, "Sở thích"), (5, "Họ tên chủ hộ"), (6, "Ngày sinh của mẹ"))
    assert match.column_of("birth_date") == 3 and match.field_of(4) is None


def test_a_second_column_for_the_same_field_is_reported_as_a_duplicate() -> None:
    match = match_headers(["Họ và tên", "Ngày sinh", "Họ tên mẹ", "Họ tên cha"])
    assert match.column_of("guardian_name") == 2
    assert match.duplicates == ((3, "Họ tên cha", "guardian_name"),)


def test_the_header_row_is_found_below_title_rows() -> None:
    rows: list[list[object]] = [
        ["UBND XÃ MƯỜNG KIM"],
        [None, None],
        ["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI NĂM 2024"],
        [],
        ["STT", "Họ và tên", "Ngày tháng năm sinh", "Giới tính", "Dân tộc", "Thôn/bản", "Sở thích"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        [1, "Lò Văn Sình", "15/03/2020", "Nam", "Thái", "Bản Nà Ngò", "Bóng đá"],
    ]
    found = find_header_row(rows)
    assert found.index == 4 and found.error is None
    assert found.match is not None and found.match.column_of("village") == 5
    assert found.match.unknown == ((6, "Sở thích"),)


def test_the_header_row_is_the_one_with_most_known_columns() -> None:
    rows: list[list[object]] = [["Họ và tên", "Ngày sinh"], ["Họ và tên", "Ngày sinh", "Giới tính", "DT"]]
    assert find_header_row(rows).index == 1


def test_a_sheet_without_name_and_birth_date_columns_has_no_header_row() -> None:
    rows: list[list[object]] = [["DANH SÁCH TRẺ EM"], ["Họ và tên", "Giới tính"]]
    found = find_header_row(rows)
    assert (found.index, found.match) == (None, None)
    assert found.error == "Không tìm thấy dòng tiêu đề có cột 'Họ và tên' và 'Ngày sinh' trong 15 dòng đầu"


def test_the_header_row_is_only_looked_for_in_the_first_rows() -> None:
    rows: list[list[object]] = [[f"Dòng {number}"] for number in range(15)]
    rows.append(["Họ và tên", "Ngày sinh"])
    assert find_header_row(rows).index is None
    assert find_header_row(rows, max_scan=16).index == 15
