"""The 12-digit personal identification number (số định danh cá nhân) and what its digits say."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

from treem.core.intake.results import ParsedPersonalId, Sex
from treem.core.intake.text import cell_text, normalise_text
from treem.core.intake.values import SEX_LABELS, TRAILING_ZERO_DECIMALS

#: Codes of the province where a birth was registered (digits 1–3 of the personal identification number),
#: Circular 59/2021/TT-BCA, unchanged by the 2025 merger of provinces for numbers already issued.
PROVINCE_CODES: Final[Mapping[str, str]] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

_SCIENTIFIC = re.compile(r"(\d)(?:[.,](\d+))?[eE]\+?(\d+)")


def parse_personal_id(
    value: object, *, birth_date: dt.date | None = None, sex: Sex | None = None
) -> ParsedPersonalId:
    """Read a 12-digit personal identification number (số định danh cá nhân, the number of the CCCD card).

    Excel damage is repaired: a number cell gives ``12345678901`` or ``1.2345678901e+11`` (an 11-digit value
    had its leading zero stripped, which is restored with a note), text may end in ".0" or hold spaces. Text
    in scientific notation with lost digits ("1.23457E+11") is rejected. Empty is allowed (``None``).

    The digits are checked: 1–3 the province of birth registration, 4 the century and sex (0/1 male/female
    born 1900–1999, 2/3 born 2000–2099, 4/5 2100–2199…), 5–6 the last two digits of the birth year. When they
    disagree with the ``birth_date`` or ``sex`` given, a warning (not an error) names what disagrees.
    """
    if value is None or isinstance(value, bool):
        return ParsedPersonalId(None) if value is None else _bad_id(str(value))
    notes: list[str] = []
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return _bad_id(cell_text(value))
        digits = str(int(value))
    elif isinstance(value, int):
        digits = str(value)
    else:
        raw = normalise_text(str(value)).lstrip("'")
        if not raw:
            return ParsedPersonalId(None)
        compact = re.sub(r"[\s\-]", "", raw)
        if match := _SCIENTIFIC.fullmatch(compact):
            mantissa_digits = match.group(1) + (match.group(2) or "")
            if len(mantissa_digits) < 11:
                return ParsedPersonalId(
                    None,
                    error=(
                        f"Số định danh đã bị Excel đổi sang dạng số mũ '{raw}' và mất chữ số; "
                        "hãy định dạng cột là Văn bản (Text) và nhập lại"
                    ),
                )
            try:
                digits = str(int(Decimal(compact.replace(",", "."))))
            except (InvalidOperation, ValueError):
                return _bad_id(raw)
        elif match := TRAILING_ZERO_DECIMALS.fullmatch(compact):
            digits = match.group(1)
        else:
            digits = compact.replace(".", "")
        if not digits.isdigit() or not digits.isascii():
            return _bad_id(raw)
    if len(digits) == 11:
        digits = "0" + digits
        notes.append(f"Đã thêm số 0 ở đầu số định danh (Excel đã làm mất): {digits}")
    if len(digits) != 12:
        return _bad_id(digits)

    province_code = digits[:3]
    century_digit = int(digits[3])
    id_sex: Sex = "M" if century_digit % 2 == 0 else "F"
    id_birth_year = 1900 + (century_digit // 2) * 100 + int(digits[4:6])
    warnings: list[str] = []
    if province_code not in PROVINCE_CODES:
        warnings.append(
            f"Số định danh {digits}: 3 chữ số đầu '{province_code}' không phải mã tỉnh nơi đăng ký khai sinh"
        )
    if birth_date is not None and birth_date.year != id_birth_year:
        warnings.append(
            f"Số định danh {digits} ghi năm sinh {id_birth_year}, khác năm sinh đã nhập ({birth_date.year})"
        )
    if sex is not None and sex != id_sex:
        warnings.append(
            f"Số định danh {digits} ghi giới tính {SEX_LABELS[id_sex]}, "
            f"khác giới tính đã nhập ({SEX_LABELS[sex]})"
        )
    return ParsedPersonalId(
        digits,
        province_code=province_code,
        sex=id_sex,
        birth_year=id_birth_year,
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


def _bad_id(received: str) -> ParsedPersonalId:
    detail = f"{len(received)} chữ số: '{received}'" if received.isdigit() else f"'{received}'"
    return ParsedPersonalId(None, error=f"Số định danh phải có 12 chữ số (nhận được {detail})")


