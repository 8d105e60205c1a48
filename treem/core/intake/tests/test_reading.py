"""Reading uploaded files: a file that is not really a spreadsheet is explained in Vietnamese, with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from treem.core.intake.errors import UnreadableFile
from treem.core.intake.reading import open_table, sheet_count

NOT_REAL = "không phải là tệp Excel thật"


@pytest.mark.parametrize("content", [b"Ho ten,Ngay sinh\nLo Van Sinh,01/02/2020\n", b"<html><body>x</body></html>",
                                     b"PK\x03\x04 broken zip", b""])
def test_a_file_renamed_xlsx_is_refused_in_vietnamese_with_what_to_do(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as refused, open_table(path):
        pass
    message = str(refused.value)
    assert NOT_REAL in message and "Lưu thành (Save As)" in message and ".xlsx" in message and "CSV" in message
    assert "Zip" not in message and "EOCD" not in message and "calamine" not in message.lower()
    with pytest.raises(UnreadableFile, match=NOT_REAL):
        sheet_count(path)


def test_an_ods_or_xls_name_says_which_kind_it_is_not(tmp_path: Path) -> None:
    for name, kind in (("a.ods", "LibreOffice"), ("a.xls", "Excel")):
        path = tmp_path / name
        path.write_text("không phải bảng tính", encoding="utf-8")
        with pytest.raises(UnreadableFile, match=f"không phải là tệp {kind} thật"), open_table(path):
            pass
