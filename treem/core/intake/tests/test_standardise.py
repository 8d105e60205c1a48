"""Standardisation of the cells of uploaded files: every rule with hand-checked values.

Legacy-font samples are written byte by byte from the published TCVN3 (ABC) and VNI code tables, independently
of the decoder's own tables, and read as Excel reads them (Windows-1252).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treem.core.intake.dates import excel_serial_to_date, parse_date
from treem.core.intake.encodings import (
    decode_tcvn3,
    decode_vni,
    detect_and_fix_legacy_encoding,
    detect_legacy_encoding,
    encode_tcvn3,
    encode_vni,
)
from treem.core.intake.ethnicity import EthnicGroups, parse_ethnicity
from treem.core.intake.identity import PROVINCE_CODES, parse_personal_id
from treem.core.intake.names import fold_name, standardise_name
from treem.core.intake.text import VIETNAMESE_ACCENTED_LETTERS, normalise_text
from treem.core.intake.values import parse_phone, parse_sex, parse_yes_no
from treem.core.models import CodeSystem

AS_OF = dt.date(2025, 3, 15)


def excel_text(raw: bytes) -> str:
    """Bytes typed in a legacy font, as Excel hands them over: one Windows-1252 character per byte."""
    return raw.decode("cp1252")


@pytest.fixture
def groups(db: None) -> EthnicGroups:
    """The list as stored in ``core.EthnicGroup`` by ``load_reference`` (so the tests that use it run with the
    database, before any transactional test empties it)."""
    return EthnicGroups.load()


# Typical names of the peoples of Lai Châu, typed in Unicode.
LAI_CHAU_NAMES = [
    # Mông
    "Giàng A Páo", "Sùng Thị Mỷ", "Vàng A Dế", "Lầu Thị Chua", "Thào A Sử", "Lý A Chừ", "Hờ Thị Dở",
    "Mùa A Páo", "Cứ A Lồng", "Sùng Seo Dền",
    # Thái
    "Lò Văn Sình", "Lường Thị Xiêng", "Tòng Văn Khiêm", "Quàng Thị Ún", "Cà Văn Puôn", "Lò Thị Ỏn",
    # Dao
    "Tẩn Láo Lở", "Chảo Mý Phây", "Lý Láo Sành", "Phàn Thị Mẩy", "Đặng Văn Tả",
    # Hà Nhì
    "Lỳ Gạ Xá", "Chu Dờ Cà", "Pờ Hồ Chơ", "Ly Xe Chừ", "Lò Mỳ Pó",
    # Giáy
    "Vương Văn Nhàn", "Lù Thị Chinh", "Hoàng Văn Dín",
    # Kinh
    "Nguyễn Thị Ánh", "Đỗ Đức Mạnh", "Trần Quốc Khánh", "Phạm Thị Thuý", "Lê Thị Hoà",
]  # fmt: skip
# Names whose letters all exist in Latin-1, the ones a legacy decoder could mistake for TCVN3 or VNI text.
LATIN1_ONLY_NAMES = [
    "Giàng A Páo",
    "Mùa A Páo",
    "Thào A Chá",
    "Hà Nhì",
    "Sùng Mí Chò",
    "Hà Tú Anh",
    "Tô Hoài",
]


# ------------------------------------------------------------------------------------------------------------
# normalise_text
# ------------------------------------------------------------------------------------------------------------


def test_normalise_text_composes_decomposed_unicode_to_nfc() -> None:
    decomposed = "Nguye\u0302\u0303n"  # e + circumflex + tilde, as typed with "Unicode tổ hợp"
    assert normalise_text(decomposed) == "Nguyễn"
    assert len(normalise_text(decomposed)) == 6


def test_normalise_text_trims_and_collapses_every_kind_of_space() -> None:
    assert normalise_text("  Lò\u00a0\u00a0Văn\tSình \n") == "Lò Văn Sình"
    assert normalise_text("Giàng\u202fA\u2007Páo") == "Giàng A Páo"


def test_normalise_text_removes_zero_width_characters() -> None:
    assert normalise_text("\ufeffLò\u200b Văn\u200d Sình\u2060") == "Lò Văn Sình"


def test_normalise_text_keeps_the_soft_hyphen_which_is_the_letter_u_horn_in_tcvn3() -> None:
    assert normalise_text("M\u00adêng") == "M\u00adêng"


# ------------------------------------------------------------------------------------------------------------
# Legacy encodings: hand-built samples
# ------------------------------------------------------------------------------------------------------------

TCVN3_SAMPLES = [
    (b"Nguy\xd4n Th\xde \xb8nh", "Nguyễn Thị ánh"),
    (b"L\xdf V\xa8n S\xd7nh", "Lò Văn Sình"),
    (b"Gi\xb5ng A P\xb8o", "Giàng A Páo"),
    (b"\xa7\xe7 \xa7\xf8c M\xb9nh", "Đỗ Đức Mạnh"),
    (b"M\xad\xeang Kh\xad\xacng", "Mường Khương"),
    (b"L\xfa G\xb9 X\xb8", "Lỳ Gạ Xá"),
    (b"L\xad\xeang Th\xde Xi\xaang", "Lường Thị Xiêng"),
    (b"T\xc8n L\xb8o L\xeb", "Tẩn Láo Lở"),
    (b"V\xad\xacng V\xa8n Nh\xb5n", "Vương Văn Nhàn"),
]
VNI_SAMPLES = [
    (b"Nguye\xe3n Th\xf2 A\xd9nh", "Nguyễn Thị Ánh"),
    (b"Lo\xf8 Va\xean S\xecnh", "Lò Văn Sình"),
    (b"Gia\xf8ng A Pa\xf9o", "Giàng A Páo"),
    (b"\xd1o\xe3 \xd1\xf6\xf9c Ma\xefnh", "Đỗ Đức Mạnh"),
    (b"M\xf6\xf4\xf8ng Kh\xf6\xf4ng", "Mường Khương"),
    (b"Su\xf8ng A Ch\xf4\xf9", "Sùng A Chớ"),
    (b"P\xf4\xf8 Ho\xe0 Ch\xf4", "Pờ Hồ Chơ"),
    (b"NGUYE\xc3N TH\xd2 A\xd9NH", "NGUYỄN THỊ ÁNH"),
]


@pytest.mark.parametrize(("raw", "expected"), TCVN3_SAMPLES)
def test_tcvn3_text_from_hand_built_bytes_is_detected_and_converted(raw: bytes, expected: str) -> None:
    fix = detect_and_fix_legacy_encoding(excel_text(raw))
    assert fix.value == expected
    assert fix.encoding == "tcvn3"
    assert fix.note == f"Đã chuyển từ bảng mã TCVN3 (ABC) sang Unicode: '{expected}'"


@pytest.mark.parametrize(("raw", "expected"), VNI_SAMPLES)
def test_vni_text_from_hand_built_bytes_is_detected_and_converted(raw: bytes, expected: str) -> None:
    fix = detect_and_fix_legacy_encoding(excel_text(raw))
    assert fix.value == expected
    assert fix.encoding == "vni"


def test_tcvn3_words_typed_in_a_capital_font_come_back_in_capitals() -> None:
    # .VnTimeH draws the lower-case codes as capitals; the plain letters of the word show it is in capitals.
    assert detect_and_fix_legacy_encoding(excel_text(b"NGUY\xd4N TH\xde \xb8NH")).value == "NGUYỄN THỊ ÁNH"


def test_tcvn3_capital_letters_with_their_own_codes_are_decoded() -> None:
    assert decode_tcvn3(excel_text(b"\xa1\xa2\xa3\xa4\xa5\xa6\xa7")) == "ĂÂÊÔƠƯĐ"


def test_vni_text_after_excel_proper_with_mixed_case_modifiers_is_decoded() -> None:
    # PROPER("nguyeãn thò aùnh") capitalises the base letter but leaves the modifier lower-case.
    assert detect_and_fix_legacy_encoding(excel_text(b"Nguye\xe3n Th\xf2 A\xf9nh")).value == "Nguyễn Thị Ánh"


def test_legacy_text_in_a_title_row_with_abbreviations_is_converted() -> None:
    fix = detect_and_fix_legacy_encoding(excel_text(b"UBND X\xb7 M\xef C\xb6"))
    assert fix.value == "UBND Xã Mù Cả"


@pytest.mark.parametrize("name", LAI_CHAU_NAMES)
def test_legacy_detection_never_changes_a_correct_unicode_name(name: str) -> None:
    for text in (name, name.upper(), name.lower()):
        fix = detect_and_fix_legacy_encoding(text)
        assert fix.value == text
        assert fix.encoding is None
        assert fix.note is None


@pytest.mark.parametrize("name", LATIN1_ONLY_NAMES)
def test_names_that_only_use_latin1_letters_are_not_mistaken_for_legacy_text(name: str) -> None:
    assert detect_and_fix_legacy_encoding(name).encoding is None


def test_ascii_text_is_left_alone() -> None:
    assert detect_and_fix_legacy_encoding("Nguyen Thi Anh").value == "Nguyen Thi Anh"


def test_a_short_value_that_reads_correctly_both_ways_is_kept_unless_the_column_is_known_to_be_tcvn3() -> (
    None
):
    # "Pã" is Unicode "Pã" or TCVN3 "Pó": alone it is kept; with the column's encoding it is converted.
    assert detect_and_fix_legacy_encoding("Pã").value == "Pã"
    assert detect_and_fix_legacy_encoding("Pã", hint="tcvn3").value == "Pó"


def test_the_column_encoding_is_the_one_most_of_its_values_show() -> None:
    column: list[object] = [excel_text(raw) for raw, _ in TCVN3_SAMPLES[:3]] + ["Pã", "", None, 45000]
    assert detect_legacy_encoding(column) == "tcvn3"
    assert detect_legacy_encoding([excel_text(raw) for raw, _ in VNI_SAMPLES[:3]]) == "vni"
    assert detect_legacy_encoding(LAI_CHAU_NAMES) is None


# ------------------------------------------------------------------------------------------------------------
# Legacy encodings: the tables, by round trip
# ------------------------------------------------------------------------------------------------------------


def test_there_are_134_accented_vietnamese_letters() -> None:
    assert len(VIETNAMESE_ACCENTED_LETTERS) == 134
    assert len(set(VIETNAMESE_ACCENTED_LETTERS)) == 134
    assert "đ" in VIETNAMESE_ACCENTED_LETTERS and "Ỹ" in VIETNAMESE_ACCENTED_LETTERS
    assert "a" not in VIETNAMESE_ACCENTED_LETTERS and "A" not in VIETNAMESE_ACCENTED_LETTERS


def test_every_accented_letter_round_trips_through_vni() -> None:
    for letter in VIETNAMESE_ACCENTED_LETTERS:
        assert decode_vni(encode_vni(letter)) == letter, letter
    encoded = {encode_vni(letter) for letter in VIETNAMESE_ACCENTED_LETTERS}
    assert len(encoded) == 134


def test_every_lower_case_letter_has_its_own_tcvn3_code_and_round_trips() -> None:
    lower = [letter for letter in VIETNAMESE_ACCENTED_LETTERS if letter.islower()]
    assert len(lower) == 67
    assert len({encode_tcvn3(letter) for letter in lower}) == 67
    for letter in lower:
        assert len(encode_tcvn3(letter)) == 1
        assert decode_tcvn3(encode_tcvn3(letter)) == letter, letter


def test_tcvn3_capitals_with_a_tone_share_the_lower_case_code() -> None:
    assert encode_tcvn3("Á") == encode_tcvn3("á") == "\xb8"
    assert encode_tcvn3("Ễ") == encode_tcvn3("ễ") == "\xd4"
    assert encode_tcvn3("Đ") == "\xa7" and encode_tcvn3("đ") == "\xae"


def test_tcvn3_and_vni_tables_match_the_published_codes_of_a_few_letters() -> None:
    assert encode_tcvn3("ư") == "\xad" and encode_tcvn3("ơ") == "\xac" and encode_tcvn3("ạ") == "\xb9"
    assert encode_tcvn3("ỵ") == "\xfe" and encode_tcvn3("ị") == "\xde" and encode_tcvn3("ờ") == "\xea"
    assert encode_vni("ơ") == "\xf4" and encode_vni("ư") == "\xf6" and encode_vni("đ") == "\xf1"
    assert encode_vni("ấ") == "a\xe1" and encode_vni("ặ") == "a\xeb" and encode_vni("ỵ") == "\xee"
    assert encode_vni("Ặ") == "A\xcb" and encode_vni("Đ") == "\xd1"


@pytest.mark.parametrize("name", LAI_CHAU_NAMES)
def test_real_names_round_trip_through_both_legacy_encodings(name: str) -> None:
    assert decode_vni(encode_vni(name)) == name
    assert decode_tcvn3(encode_tcvn3(name.lower())) == name.lower()


def test_a_column_of_real_names_typed_in_tcvn3_is_restored_exactly() -> None:
    column = [encode_tcvn3(name) for name in LAI_CHAU_NAMES]
    hint = detect_legacy_encoding(column)
    assert hint == "tcvn3"
    # TCVN3 loses the capital of a toned first letter ("Ánh" is typed "¸nh"); standardising restores it.
    assert [standardise_name(value, hint=hint).value for value in column] == LAI_CHAU_NAMES


def test_a_column_of_real_names_typed_in_vni_is_restored_exactly() -> None:
    column = [encode_vni(name) for name in LAI_CHAU_NAMES]
    assert detect_legacy_encoding(column) == "vni"
    assert [standardise_name(value).value for value in column] == LAI_CHAU_NAMES


def test_a_tcvn3_value_that_is_also_correct_unicode_needs_the_column_hint() -> None:
    # "Lý A Chừ" in TCVN3 reads "Lý A Chõ", itself a correct Unicode name: alone it cannot be told apart.
    typed = encode_tcvn3("Lý A Chừ")
    assert typed == "Lý A Chõ"
    assert standardise_name(typed).value == "Lý A Chõ"
    assert standardise_name(typed, hint="tcvn3").value == "Lý A Chừ"


def test_the_hint_never_converts_a_value_twice() -> None:
    # TCVN3 "Pã" is "Pó"; read again as TCVN3, "Pó" would become "Pú".
    assert standardise_name("Pã", hint="tcvn3").value == "Pó"


# ------------------------------------------------------------------------------------------------------------
# Names
# ------------------------------------------------------------------------------------------------------------


def test_standardise_name_uses_vietnamese_title_case_and_keeps_accents() -> None:
    assert standardise_name("NGUYỄN thị ánh").value == "Nguyễn Thị Ánh"
    assert standardise_name("  lò   văn  sình ").value == "Lò Văn Sình"
    assert standardise_name("GIÀNG A PÁO").value == "Giàng A Páo"
    assert standardise_name("đỗ đức mạnh").value == "Đỗ Đức Mạnh"


def test_standardise_name_capitalises_after_hyphens_and_apostrophes() -> None:
    assert standardise_name("h’hen niê").value == "H'Hen Niê"
    assert standardise_name("y - moan ênuôl").value == "Y-Moan Ênuôl"


def test_standardise_name_converts_legacy_text_and_says_so() -> None:
    result = standardise_name(excel_text(b"NGUY\xd4N TH\xde \xb8NH"))
    assert result.value == "Nguyễn Thị Ánh"
    assert result.notes == ("Đã chuyển từ bảng mã TCVN3 (ABC) sang Unicode: 'Nguyễn Thị Ánh'",)


def test_the_look_alike_eth_letter_is_replaced_by_d_stroke() -> None:
    result = standardise_name("\u00d0\u1ed7 \u00d0\u1ee9c M\u1ea1nh")  # Ð (U+00D0) typed for Đ (U+0110)
    assert result.value == "Đỗ Đức Mạnh"
    assert result.notes == ("Đã thay chữ 'Ð' (giống Đ) bằng chữ 'Đ': 'Đỗ Đức Mạnh'",)
    assert fold_name("\u00d0\u1ed7") == "do"


def test_standardise_name_rejects_an_empty_name() -> None:
    assert standardise_name("   ").error == "Họ tên để trống"
    assert standardise_name(None).value is None


def test_standardise_name_warns_about_digits_and_odd_characters() -> None:
    assert standardise_name("Lò Văn 2").warnings == ("Họ tên có chữ số: 'Lò Văn 2'",)
    assert standardise_name("Lò Văn Sình (con)").warnings == ("Họ tên có ký tự lạ: 'Lò Văn Sình (Con)'",)


def test_names_differing_only_by_accents_stay_different_but_fold_to_the_same_key() -> None:
    assert standardise_name("Lò Văn Sình").value != standardise_name("Lò Văn Sinh").value
    assert fold_name("Lò Văn Sình") == fold_name("Lò Văn Sinh") == "lo van sinh"


def test_fold_name_removes_diacritics_maps_d_stroke_and_ignores_case_and_punctuation() -> None:
    assert fold_name("Đỗ Đức Mạnh") == "do duc manh"
    assert fold_name("  GIÀNG  a PÁO ") == "giang a pao"
    assert fold_name("H'Hen Niê") == "h hen nie"
    assert fold_name("Phạm Thị Thuý") == fold_name("Phạm Thị Thúy")


def test_fold_name_reads_legacy_text_first() -> None:
    assert fold_name(excel_text(b"L\xdf V\xa8n S\xd7nh")) == "lo van sinh"


VIETNAMESE_SYLLABLES = sorted({word for name in LAI_CHAU_NAMES for word in name.split()} | {
    "Hùng", "Khuyến", "Quyên", "Giếng", "Nghiêm", "Thuở", "Khuỷu", "Ngoằn", "Xoong", "Chiếc", "Ruột",
    "Thương", "Giữ", "Gì", "Hoạch", "Quỳnh", "Luyện", "Tuyết", "Người", "Chuyện",
})  # fmt: skip
vietnamese_texts = st.lists(st.sampled_from(VIETNAMESE_SYLLABLES), min_size=1, max_size=5).flatmap(
    lambda words: st.sampled_from([" ".join(words), " ".join(words).upper(), " ".join(words).lower()])
)


@given(vietnamese_texts)
def test_property_legacy_detection_never_alters_valid_vietnamese_text(text: str) -> None:
    assert detect_and_fix_legacy_encoding(text).value == text


@given(
    st.one_of(st.text(), st.text(alphabet=st.sampled_from(VIETNAMESE_ACCENTED_LETTERS + "abghnAGHN '-·¸µ")))
)
def test_property_standardise_name_is_idempotent(text: str) -> None:
    once = standardise_name(text).value
    if once is not None:
        assert standardise_name(once).value == once


@given(st.text())
def test_property_fold_name_is_accent_free_lower_case_ascii(text: str) -> None:
    key = fold_name(text)
    assert key.isascii()
    assert key == key.lower()
    assert "  " not in key and key == key.strip()


# ------------------------------------------------------------------------------------------------------------
# Dates
# ------------------------------------------------------------------------------------------------------------


def test_excel_serial_45000_is_15_march_2023() -> None:
    assert excel_serial_to_date(45000) == dt.date(2023, 3, 15)
    result = parse_date(45000, as_of=AS_OF)
    assert (result.value, result.precision) == (dt.date(2023, 3, 15), "day")
    assert result.notes == ("Số '45000' được hiểu là ngày 15/03/2023 (số ngày kiểu Excel)",)


def test_excel_serials_follow_the_1900_leap_year_bug() -> None:
    assert excel_serial_to_date(1) == dt.date(1900, 1, 1)
    assert excel_serial_to_date(59) == dt.date(1900, 2, 28)
    assert excel_serial_to_date(61) == dt.date(1900, 3, 1)
    with pytest.raises(ValueError):
        excel_serial_to_date(60)  # Excel's non-existent 29 February 1900


def test_excel_serials_as_floats_and_numeric_text_drop_the_time_of_day() -> None:
    assert parse_date(45000.75, as_of=AS_OF).value == dt.date(2023, 3, 15)
    assert parse_date("45000", as_of=AS_OF).value == dt.date(2023, 3, 15)
    assert parse_date("45000.0", as_of=AS_OF).value == dt.date(2023, 3, 15)


def test_numbers_outside_the_plausible_serial_range_are_not_dates() -> None:
    assert parse_date(123, as_of=AS_OF).error == "Ngày sinh không đọc được: '123'"
    assert parse_date("99999", as_of=AS_OF).error == "Ngày sinh không đọc được: '99999'"


def test_date_and_datetime_cells_are_taken_as_they_are() -> None:
    assert parse_date(dt.date(2020, 1, 2), as_of=AS_OF).value == dt.date(2020, 1, 2)
    result = parse_date(dt.datetime(2020, 1, 2, 13, 45), as_of=AS_OF)
    assert (result.value, result.precision) == (dt.date(2020, 1, 2), "day")


@pytest.mark.parametrize(
    "text",
    ["15/03/2023", "15/3/2023", "15-03-2023", "15.03.2023", "2023-03-15", "15/03/2023 00:00:00",
     " 15 / 03 / 2023 ", "ngày 15 tháng 3 năm 2023", "Ngày 15 tháng 03 năm 2023", "2023-03-15 00:00:00"],
)  # fmt: skip
def test_day_month_year_texts_are_read_as_day_first(text: str) -> None:
    result = parse_date(text, as_of=AS_OF)
    assert (result.value, result.precision, result.error) == (dt.date(2023, 3, 15), "day", None)


def test_two_digit_years_are_this_century_unless_that_would_be_in_the_future() -> None:
    result = parse_date("5/3/23", as_of=AS_OF)
    assert result.value == dt.date(2023, 3, 5)
    assert result.notes == ("Năm '23' trong '5/3/23' được hiểu là 2023",)
    assert parse_date("15/03/25", as_of=AS_OF).value == dt.date(2025, 3, 15)  # today: still this century
    assert parse_date("16/03/25", as_of=AS_OF).value == dt.date(1925, 3, 16)  # tomorrow: last century
    assert parse_date("5/3/99", as_of=AS_OF).value == dt.date(1999, 3, 5)


def test_month_and_year_give_month_precision_on_the_first_day() -> None:
    for text in ("03/2023", "3/2023", "03-2023", "tháng 3/2023", "tháng 3 năm 2023"):
        result = parse_date(text, as_of=AS_OF)
        assert (result.value, result.precision) == (dt.date(2023, 3, 1), "month"), text


def test_a_year_alone_gives_year_precision_on_the_first_of_july() -> None:
    for value in ("2019", 2019, 2019.0, "năm 2019"):
        result = parse_date(value, as_of=AS_OF)
        assert (result.value, result.precision) == (dt.date(2019, 7, 1), "year"), value


def test_the_current_year_alone_is_never_dated_after_as_of() -> None:
    result = parse_date("2025", as_of=AS_OF)
    assert (result.value, result.precision) == (AS_OF, "year")


def test_31_february_does_not_exist() -> None:
    assert parse_date("31/02/2020", as_of=AS_OF).error == "Ngày 31/02/2020 không tồn tại"
    assert parse_date("29/02/2019", as_of=AS_OF).error == "Ngày 29/02/2019 không tồn tại"
    assert parse_date("29/02/2020", as_of=AS_OF).value == dt.date(2020, 2, 29)


def test_a_month_first_date_is_rejected_with_a_hint() -> None:
    assert parse_date("03/15/2023", as_of=AS_OF).error == (
        "Ngày 03/15/2023 không tồn tại (có thể đã nhập tháng trước ngày?)"
    )


def test_future_dates_are_rejected() -> None:
    assert (
        parse_date("01/01/2030", as_of=AS_OF).error
        == "Ngày sinh 01/01/2030 ở tương lai (sau ngày 15/03/2025)"
    )
    assert parse_date("2030", as_of=AS_OF).error == "Ngày sinh 2030 ở tương lai (sau ngày 15/03/2025)"
    assert parse_date("04/2025", as_of=AS_OF).error == "Ngày sinh 04/2025 ở tương lai (sau ngày 15/03/2025)"


def test_unreadable_and_empty_dates_are_explained() -> None:
    assert parse_date("mười lăm", as_of=AS_OF).error == "Ngày sinh không đọc được: 'mười lăm'"
    assert parse_date("15/03", as_of=AS_OF).error == "Ngày sinh không đọc được: '15/03'"
    assert parse_date("", as_of=AS_OF).error == "Ngày sinh để trống"
    assert parse_date(None, as_of=AS_OF).error == "Ngày sinh để trống"
    assert parse_date(True, as_of=AS_OF).error == "Ngày sinh không đọc được: 'True'"


def test_the_field_name_in_date_messages_can_be_changed() -> None:
    assert parse_date("abc", as_of=AS_OF, label="Ngày đo").error == "Ngày đo không đọc được: 'abc'"


# ------------------------------------------------------------------------------------------------------------
# Sex
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Nam", "nam", "NAM", " Nam ", "M", "m", "male", "Male", 1, 1.0, "1",
                                   "trai", "bé trai", "Con trai"])  # fmt: skip
def test_male_spellings_are_read_as_m(value: object) -> None:
    assert parse_sex(value).value == "M"


@pytest.mark.parametrize("value", ["Nữ", "nữ", "NỮ", "nu", "NU", "F", "f", "female", 2, "2", "gái", "Bé gái",
                                   "gai"])  # fmt: skip
def test_female_spellings_are_read_as_f(value: object) -> None:
    assert parse_sex(value).value == "F"


def test_sex_typed_in_legacy_fonts_is_read() -> None:
    assert parse_sex(excel_text(b"N\xf7")).value == "F"  # TCVN3 "Nữ"
    assert parse_sex(excel_text(b"N\xf6\xf5")).value == "F"  # VNI "Nữ"


def test_unknown_or_empty_sex_is_rejected_with_the_expected_values() -> None:
    assert parse_sex("x").error == "Giới tính không đọc được: 'x' (dùng Nam hoặc Nữ)"
    assert parse_sex(0).error == "Giới tính không đọc được: '0' (dùng Nam hoặc Nữ)"
    assert parse_sex(None).error == "Giới tính để trống (dùng Nam hoặc Nữ)"


# ------------------------------------------------------------------------------------------------------------
# Ethnic groups
# ------------------------------------------------------------------------------------------------------------


def test_the_reference_list_has_54_groups_with_the_1979_codes(groups: EthnicGroups) -> None:
    assert len(groups) == 54
    assert groups.code_system == CodeSystem.ETHNIC_121_1979
    assert [group.code for group in groups][:3] == ["01", "02", "03"]
    assert groups.by_code("8") is not None and groups.by_code("8") == groups.by_code("08")
    assert groups.by_code("35").name == "Hà Nhì"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "code"),
    [("8", "08"), ("08", "08"), (8, "08"), (8.0, "08"), ("Mông", "08"), ("H'Mông", "08"), ("H’Mông", "08"),
     ("HMông", "08"), ("Hmong", "08"), ("Mèo", "08"), ("HMÔNG", "08"), ("Mông Hoa", "08"),
     ("Khơ Mú", "29"), ("Khơ-mú", "29"), ("Khơmú", "29"), ("Khmu", "29"), ("Xá Cẩu", "29"),
     ("Thái", "03"), ("Thai", "03"), ("Thái Đen", "03"), ("Dao", "09"), ("Dao đỏ", "09"), ("Dao Tiền", "09"),
     ("Dao Quần Chẹt", "09"), ("Hà Nhì", "35"), ("Hà nhì", "35"), ("Ha Nhi", "35"), ("Giáy", "25"),
     ("Kinh", "01"), ("Việt", "01"), ("Lự", "42"), ("Cống", "48"), ("Mảng", "45"), ("La Hủ", "41"),
     ("Si La", "50"), ("Lào", "37"), ("Hoa", "04"), ("Tày", "02"), ("Nùng", "07"), ("Mường", "06"),
     ("Kháng", "33"), ("Phù Lá", "40"), ("Lô Lô", "43"), ("dân tộc Thái", "03"), (" thái ", "03")],
)  # fmt: skip
def test_ethnicity_is_read_by_code_name_or_other_name(groups: EthnicGroups, value: object, code: str) -> None:
    result = parse_ethnicity(value, groups)
    assert result.error is None
    assert result.value is not None and result.value.code == code


def test_ethnicity_typed_in_legacy_fonts_is_read(groups: EthnicGroups) -> None:
    assert parse_ethnicity(excel_text(b"HM\xabng"), groups).value.code == "08"  # type: ignore[union-attr]
    assert parse_ethnicity(excel_text(b"Tha\xf9i"), groups).value.code == "03"  # type: ignore[union-attr]


def test_an_unlisted_local_qualifier_is_read_as_its_group_with_a_warning(groups: EthnicGroups) -> None:
    result = parse_ethnicity("Dao Họ", groups)
    assert result.value is not None and result.value.code == "09"
    assert result.warnings == ("Dân tộc 'Dao Họ' được hiểu là Dao (09)",)


def test_a_value_naming_two_groups_is_rejected(groups: EthnicGroups) -> None:
    assert parse_ethnicity("Mông Dao", groups).error == (
        "Dân tộc 'Mông Dao' ghép tên hai dân tộc: HMông (08), Dao (09); chọn một"
    )


def test_an_unknown_ethnicity_is_rejected_with_the_closest_groups(groups: EthnicGroups) -> None:
    assert parse_ethnicity("Hmoong", groups).error == (
        "Dân tộc 'Hmoong' không có trong danh mục; gần nhất: HMông (08), Mnông (20), Mường (06)"
    )
    assert parse_ethnicity("99", groups).error == "Mã dân tộc '99' không có trong danh mục (01 đến 54)"


def test_an_empty_ethnicity_is_allowed(groups: EthnicGroups) -> None:
    result = parse_ethnicity("  ", groups)
    assert (result.value, result.error) == (None, None)


def test_no_name_means_two_groups_in_the_synonym_list(groups: EthnicGroups) -> None:
    # Building the list refuses ambiguous names, and every official name reads back as its own group.
    for group in groups:
        assert parse_ethnicity(group.name, groups).value == group


# ------------------------------------------------------------------------------------------------------------
# Personal identification number
# ------------------------------------------------------------------------------------------------------------

# Lai Châu (012), girl (3 = female born 2000–2099), born 2020.
GIRL_2020_ID = "012320001234"


def test_a_12_digit_id_is_decoded() -> None:
    result = parse_personal_id(GIRL_2020_ID, birth_date=dt.date(2020, 5, 1), sex="F")
    assert result.value == GIRL_2020_ID
    assert (result.province_code, result.sex, result.birth_year) == ("012", "F", 2020)
    assert (result.error, result.warnings, result.notes) == (None, (), ())


def test_an_11_digit_id_gets_its_leading_zero_back_with_a_note() -> None:
    for value in (12320001234, 12320001234.0, "12320001234", "12320001234.0"):
        result = parse_personal_id(value)
        assert result.value == GIRL_2020_ID, value
        assert result.notes == ("Đã thêm số 0 ở đầu số định danh (Excel đã làm mất): 012320001234",)


def test_excel_number_forms_of_a_12_digit_id_are_read() -> None:
    assert parse_personal_id(1.12219004321e11).value == "112219004321"
    assert parse_personal_id("012320001234.0").value == GIRL_2020_ID
    assert parse_personal_id("0123 2000 1234").value == GIRL_2020_ID
    assert parse_personal_id("'012320001234").value == GIRL_2020_ID
    assert parse_personal_id("1.12219004321E+11").value == "112219004321"


def test_an_id_shortened_to_scientific_notation_is_rejected() -> None:
    assert parse_personal_id("1.2232E+11").error == (
        "Số định danh đã bị Excel đổi sang dạng số mũ '1.2232E+11' và mất chữ số; "
        "hãy định dạng cột là Văn bản (Text) và nhập lại"
    )


def test_an_id_without_12_digits_is_rejected() -> None:
    assert (
        parse_personal_id("0123200012").error
        == "Số định danh phải có 12 chữ số (nhận được 10 chữ số: '0123200012')"
    )
    assert parse_personal_id("0123200012345").error == (
        "Số định danh phải có 12 chữ số (nhận được 13 chữ số: '0123200012345')"
    )
    assert (
        parse_personal_id("01232000123A").error == "Số định danh phải có 12 chữ số (nhận được '01232000123A')"
    )


def test_an_empty_id_is_allowed() -> None:
    assert parse_personal_id(None).value is None and parse_personal_id(None).error is None
    assert parse_personal_id("").error is None


def test_an_id_that_disagrees_with_birth_date_and_sex_is_accepted_with_warnings() -> None:
    result = parse_personal_id(GIRL_2020_ID, birth_date=dt.date(2019, 12, 31), sex="M")
    assert result.value == GIRL_2020_ID
    assert result.warnings == (
        "Số định danh 012320001234 ghi năm sinh 2020, khác năm sinh đã nhập (2019)",
        "Số định danh 012320001234 ghi giới tính Nữ, khác giới tính đã nhập (Nam)",
    )


def test_the_century_digit_covers_the_1900s_and_2000s_for_both_sexes() -> None:
    assert (parse_personal_id("012085001234").sex, parse_personal_id("012085001234").birth_year) == (
        "M",
        1985,
    )
    assert (parse_personal_id("012185001234").sex, parse_personal_id("012185001234").birth_year) == (
        "F",
        1985,
    )
    assert (parse_personal_id("012215001234").sex, parse_personal_id("012215001234").birth_year) == (
        "M",
        2015,
    )
    assert parse_personal_id("012415001234").birth_year == 2115


def test_an_unknown_province_code_gives_a_warning() -> None:
    result = parse_personal_id("999320001234")
    assert result.value == "999320001234"
    assert result.warnings == (
        "Số định danh 999320001234: 3 chữ số đầu '999' không phải mã tỉnh nơi đăng ký khai sinh",
    )
    assert PROVINCE_CODES["012"] == "Lai Châu" and len(PROVINCE_CODES) == 63


# ------------------------------------------------------------------------------------------------------------
# Yes / no
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Có", "có", "CÓ", "co", "x", "X", "1", 1, 1.0, True, "yes", "Yes", "true",
                                   "TRUE", "đã", "Đã", "Đã đăng ký", "rồi", "✓"])  # fmt: skip
def test_yes_spellings_are_true(value: object) -> None:
    assert parse_yes_no(value).value is True


@pytest.mark.parametrize("value", ["Không", "không", "khong", "KHÔNG", "0", 0, False, "no", "false", "chưa",
                                   "Chưa", "Chưa đăng ký", "không có", "ko", "k"])  # fmt: skip
def test_no_spellings_are_false(value: object) -> None:
    assert parse_yes_no(value).value is False


def test_empty_dash_and_unknown_answers_are_none() -> None:
    for value in (None, "", "  ", "-", "không rõ", "Chưa biết", "chưa xác định"):
        result = parse_yes_no(value)
        assert (result.value, result.error) == (None, None), value


def test_an_unreadable_yes_no_is_rejected() -> None:
    assert parse_yes_no("có thể").error == "Giá trị không đọc được: 'có thể' (dùng Có hoặc Không)"
    assert parse_yes_no("abc").error == "Giá trị không đọc được: 'abc' (dùng Có hoặc Không)"


# ------------------------------------------------------------------------------------------------------------
# Phone numbers
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [912345678, 912345678.0, "0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "+84912345678",
     "+84 912 345 678", "84912345678", "0084912345678", "(+84) 912-345-678", "912345678"],
)  # fmt: skip
def test_mobile_numbers_are_written_as_ten_digits_from_zero(value: object) -> None:
    assert parse_phone(value).value == "0912345678"


def test_landlines_keep_their_eleven_digits() -> None:
    assert parse_phone("0213 3876 543").value == "02133876543"
    assert parse_phone(2133876543).value == "02133876543"


def test_old_eleven_digit_mobile_numbers_get_their_new_prefix() -> None:
    result = parse_phone("01688123456")
    assert result.value == "0388123456"
    assert result.notes == ("Số di động cũ 01688123456 đã được đổi sang đầu số mới 0388123456",)


def test_a_cell_with_two_numbers_keeps_the_first_with_a_warning() -> None:
    result = parse_phone("0912345678 - 0987654321")
    assert result.value == "0912345678"
    assert result.warnings == (
        "Ô có nhiều số điện thoại ('0912345678 - 0987654321'); đã lấy số đầu tiên 0912345678",
    )


def test_invalid_phone_numbers_are_rejected_and_empty_is_allowed() -> None:
    for value in ("12345", "091234567a", "+1 415 555 0100", "0112345678"):
        assert parse_phone(value).error == (
            f"Số điện thoại không hợp lệ: '{value}' (cần 10 chữ số, bắt đầu bằng 0)"
        )
    assert (parse_phone(None).value, parse_phone(None).error) == (None, None)



# ------------------------------------------------------------------------------------------------------------
# Names that cannot be a person's name: markup and control characters
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "Lò Văn <b>Sình</b>", "Giàng A Páo >", "Lò &lt;Sình",
                                   "Lò Văn &#60;Sình"])
def test_a_name_with_markup_is_refused_with_its_reason(value: str) -> None:
    result = standardise_name(value)
    assert result.value is None
    assert result.error is not None and result.error.startswith("Họ tên có ký tự của mã trang web")


@pytest.mark.parametrize(("value", "code"), [("Lò Văn\x00 Sình", "0000"), ("Lò\x07 Văn Sình", "0007"),
                                             ("Lò Văn Sình\x1b[0m", "001B"), ("Lò Văn\u202e Sình", "202E")])
def test_a_name_with_a_control_character_is_refused_with_its_reason(value: str, code: str) -> None:
    result = standardise_name(value)
    assert result.value is None
    assert result.error == f"Họ tên có ký tự điều khiển không nhìn thấy (mã U+{code}): hãy gõ lại họ tên trong ô này"


def test_line_breaks_and_tabs_in_a_name_cell_are_spacing_not_control_characters() -> None:
    assert standardise_name("Lò Văn\nSình\t").value == "Lò Văn Sình"
    assert standardise_name(excel_text(b"Nguy\xd4n V\xa8n An")).value == "Nguyễn Văn An"  # TCVN3 keeps working
