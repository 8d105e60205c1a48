"""Ethnic groups as officers write them, resolved against the one ethnic-group table of core."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process

from treem.core.intake.encodings import detect_and_fix_legacy_encoding
from treem.core.intake.results import Parsed
from treem.core.intake.text import cell_text, normalise_text
from treem.core.models import CodeSystem, EthnicGroup
from treem.core.text import fold_text

# Other names and local groups by which officers write an ethnic group, keyed by the official name, from the
# "other names" column of the official list, limited to names that belong to one group only ("Hoa" is also
# a Mông subgroup, "Thổ" also a Tày name, "Lao" a La Hủ name: those are left to the group that bears them
# officially).
# fmt: off
_ETHNIC_SYNONYMS: Final[Mapping[str, tuple[str, ...]]] = {
    "Kinh": ("Việt", "Kinh (Việt)", "Người Kinh"),
    "Tày": ("Ngạn", "Phén", "Thù Lao", "Pa Dí"),
    "Thái": ("Thái Đen", "Thái Trắng", "Tày Đăm", "Tày Khao", "Tày Thanh", "Tày Mười", "Pu Thay", "Pa Thay"),
    "Hoa": ("Hán", "Hoa (Hán)", "Triều Châu", "Phúc Kiến", "Quảng Đông", "Hải Nam", "Xạ Phạng"),
    "Khơ-me": ("Khmer", "Khơ me", "Khơme", "Khơ-me Krôm", "Khmer Krom"),
    "Mường": ("Mol", "Mual", "Mọi Bi", "Ao Tá"),
    "Nùng": ("Nùng Xuồng", "Nùng Giang", "Nùng An", "Nùng Phàn Slinh", "Nùng Cháo", "Nùng Lòi", "Khèn Lài"),
    "HMông": ("Mông", "H'Mông", "Hmông", "Hmong", "H'mong", "Mèo", "Mẹo", "Mông Hoa", "Mông Đen",
              "Mông Trắng", "Mông Xanh", "Mông Đỏ", "Mông Lềnh", "Mèo Xanh", "Mèo Đỏ", "Mèo Đen", "Mèo Hoa",
              "Ná Mẻo"),
    "Dao": ("Mán", "Dao Đỏ", "Dao Tiền", "Dao Quần Chẹt", "Quần Chẹt", "Dao Lô Gang", "Lô Gang",
            "Dao Thanh Y", "Thanh Y", "Dao Làn Tẻn", "Dao Lan Tẻn", "Làn Tẻn", "Dao Quần Trắng", "Quần Trắng",
            "Dao Áo Dài", "Kìm Miền", "Kìm Mùn", "Đại Bản", "Tiểu Bản", "Cóc Ngáng", "Cóc Mùn", "Sơn Đầu"),
    "Gia-rai": ("Gia Rai", "Giơ-rai", "Jrai", "Jarai"),
    "Ê-đê": ("Ê Đê", "Ra-đê", "Rhade"),
    "Ba-na": ("Ba Na", "Bahnar"),
    "Xơ-đăng": ("Xơ Đăng", "Sedang"),
    "Sán Chay": ("Cao Lan", "Sán Chỉ", "Cao Lan-Sán Chỉ"),
    "Cơ-ho": ("Cơ Ho", "Koho"),
    "Chăm": ("Chàm", "Cham"),
    "Sán Dìu": ("Sán Déo", "Trại Đất"),
    "Hrê": ("H're", "Hre"),
    "Mnông": ("M'nông", "Mơ Nông"),
    "Ra-glai": ("Ra Glai", "Raglai"),
    "Xtiêng": ("Stiêng", "X'tiêng", "Xa Điêng"),
    "Bru-Vân Kiều": ("Bru", "Vân Kiều", "Bru Vân Kiều"),
    "Thổ": ("Kẹo", "Mọn", "Cuối", "Đan Lai", "Ly Hà", "Tày Poọng"),
    "Giáy": ("Nhắng", "Dẩng", "Giáy Nhắng", "Pầu Thìn", "Pu Nà", "Cùi Chu"),
    "Cơ-tu": ("Cơ Tu", "Katu", "Ca Tu"),
    "Gié-Triêng": ("Gié Triêng", "Giẻ Triêng", "Giẻ", "Triêng", "Bnoong"),
    "Mạ": ("Châu Mạ",),
    "Khơ-mú": ("Khơ Mú", "Khmu", "Kmhmu", "Khơ mú", "Xá Cẩu", "Mứn Xen", "Pu Thênh", "Tềnh", "Tày Hay"),
    "Co": ("Cor", "Col"),
    "Tà-ôi": ("Tà Ôi", "Ta Oi", "Pa Cô", "Pa Kô"),
    "Chơ-ro": ("Chơ Ro", "Châu Ro"),
    "Kháng": ("Xá Khao", "Xá Súa", "Xá Dón", "Xá Dẩng", "Xá Hốc", "Xá Ái", "Xá Bung", "Quảng Lâm"),
    "Xinh-mun": ("Xinh Mun", "Puộc", "Pụa"),
    "Hà Nhì": ("U Ni", "Xá U Ni", "Hà Nhì Già", "Hà Nhì Cồ Chồ", "Cồ Chồ", "Hà Nhì La Mí", "La Mí",
               "Hà Nhì Đen"),
    "Chu-ru": ("Chu Ru", "Chơ Ru"),
    "Lào": ("Lào Bốc", "Lào Nọi", "Lào Bốc Lào Nọi"),
    "La Chí": ("Cù Tê", "La Quả"),
    "La Ha": ("Khlá Phlạo",),
    "Phù Lá": ("Bồ Khô Pạ", "Mu Di", "Pạ Xá", "Va Xơ", "Xá Phó"),
    "La Hủ": ("Pu Đang", "Khù Xung", "Cò Xung", "Khả Quy", "La Hũ"),
    "Lự": ("Lừ", "Lữ", "Nhuồn", "Duồn"),
    "Lô Lô": ("Mun Di", "Lolo"),
    "Chứt": ("Rục", "Mã Liềng", "A Rem"),
    "Mảng": ("Mảng Ư", "Xá Lá Vàng", "Mang"),
    "Pà Thẻn": ("Pà Hưng", "Pà Then"),
    "Cơ Lao": ("Cờ Lao", "Colao"),
    "Cống": ("Xắm Khống", "Mấng Nhé", "Xá Xeng"),
    "Bố Y": ("Chủng Chá", "Trọng Gia", "Tu Dí", "Tu Din"),
    "Si La": ("Cù Dề Xừ", "Khả Pẻ", "Xi La"),
    "Pu Péo": ("Ka Pèo", "Pen Ti Lô Lô"),
    "Brâu": ("Brao",),
    "Ơ Đu": ("Tày Hạt", "Ơ-đu"),
    "Rơ-măm": ("Rơ Măm", "Romam"),
    "Ngái": ("Khách Gia",),
}
# fmt: on
_ETHNIC_PREFIXES: Final = ("dan toc ", "nguoi dan toc ", "nguoi ", "dt ")


def _ethnic_key(text: str) -> str:
    return fold_text(text).replace(" ", "")


@dataclass(frozen=True, slots=True)
class EthnicGroupEntry:
    """One ethnic group as the readers know it: its code in the code system of the list, its official name and
    the id of its row in ``core.EthnicGroup`` (None for a list built by hand)."""

    code: str
    name: str
    id: int | None = None

    @property
    def label(self) -> str:
        """Name and code as shown to officers: "HMông (08)"."""
        return f"{self.name} ({self.code})"


class EthnicGroups:
    """The list of ethnic groups and the names officers use for them.

    Built from the one ethnic-group table (``core.EthnicGroup``, loaded by ``load_reference`` from the versioned
    reference file) in the code system of Decision 121-TCTK/PPCĐ by :meth:`load`. Lookups are insensitive
    to case, accents, spaces, hyphens and apostrophes, and know the usual other names and local groups of
    each people (Mèo and H'Mông are 08, Khmu and Xá Cẩu are 29, Dao Đỏ is 09).
    """

    code_system: Final = CodeSystem.ETHNIC_121_1979

    def __init__(self, groups: Iterable[EthnicGroupEntry]) -> None:
        self._by_code: dict[str, EthnicGroupEntry] = {}
        self._by_key: dict[str, EthnicGroupEntry] = {}
        for group in groups:
            if group.code in self._by_code:
                raise ValueError(f"duplicate ethnic group code {group.code}")
            self._by_code[group.code] = group
        for group in self._by_code.values():
            for name in (group.name, *_ETHNIC_SYNONYMS.get(group.name, ())):
                key = _ethnic_key(name)
                existing = self._by_key.get(key)
                if existing is not None and existing != group:
                    raise ValueError(f"name {name!r} would mean both {existing.code} and {group.code}")
                self._by_key[key] = group

    @classmethod
    def load(cls) -> EthnicGroups:
        """The groups of the code system of Decision 121-TCTK/PPCĐ, as stored in ``core.EthnicGroup``."""
        rows = EthnicGroup.objects.filter(code_system=cls.code_system).values_list("pk", "code", "name")
        return cls(EthnicGroupEntry(code=code.strip().zfill(2), name=normalise_text(name), id=pk)
                   for pk, code, name in rows)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[EthnicGroupEntry]:
        return iter(sorted(self._by_code.values(), key=lambda group: group.code))

    def by_code(self, code: str) -> EthnicGroupEntry | None:
        """The group with this code ("8" and "08" are the same), or None."""
        code = code.strip()
        if not code.isdigit():
            return None
        return self._by_code.get(code.zfill(2))

    def by_name(self, name: str) -> EthnicGroupEntry | None:
        """The group a name or other name means exactly (ignoring case, accents and punctuation), or None."""
        return self._by_key.get(_ethnic_key(name))

    def closest(self, name: str, *, limit: int = 3) -> list[EthnicGroupEntry]:
        """The groups whose names are most similar to ``name``, best first."""
        key = _ethnic_key(name)
        found: list[EthnicGroupEntry] = []
        known_keys = list(self._by_key)
        for _, _, position in process.extract(key, known_keys, scorer=fuzz.ratio, limit=None):
            group = self._by_key[known_keys[position]]
            if group not in found:
                found.append(group)
            if len(found) == limit:
                break
        return found

    def keys_with_words(self) -> Iterator[tuple[list[str], EthnicGroupEntry]]:
        """Each known name as a list of folded words, with its group (longest names first)."""
        names = [
            (fold_text(name).split(), group)
            for group in self._by_code.values()
            for name in (group.name, *_ETHNIC_SYNONYMS.get(group.name, ()))
        ]
        return iter(sorted(names, key=lambda item: -len(item[0])))


def parse_ethnicity(value: object, groups: EthnicGroups) -> Parsed[EthnicGroupEntry]:
    """Read an ethnic group by its code ("8", "08") or by name, other name or local group name.

    Empty is allowed (``None``). A name followed by a local qualifier that is not in the list ("Dao Họ") is
    read as its group with a warning. An unknown name is rejected with the closest groups.
    """
    raw = cell_text(value)
    if not raw:
        return Parsed(None)
    text = detect_and_fix_legacy_encoding(raw).value
    if raw.isdigit():
        group = groups.by_code(raw)
        if group is None:
            message = f"Mã dân tộc '{raw}' không có trong danh mục (01 đến {len(groups):02d})"
            return Parsed(None, error=message)
        return Parsed(group)
    folded = fold_text(text)
    for prefix in _ETHNIC_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            folded = folded[len(prefix) :]
            break
    group = groups.by_name(folded)
    if group is not None:
        return Parsed(group)
    words = folded.split()
    for name_words, candidate in groups.keys_with_words():
        if len(name_words) < len(words) and words[: len(name_words)] == name_words:
            other = groups.by_name(" ".join(words[len(name_words) :]))
            if other is not None and other != candidate:
                return Parsed(
                    None,
                    error=f"Dân tộc '{raw}' ghép tên hai dân tộc: {candidate.label}, {other.label}; chọn một",
                )
            warning = f"Dân tộc '{raw}' được hiểu là {candidate.label}"
            return Parsed(candidate, warnings=(warning,))
    closest = ", ".join(group.label for group in groups.closest(folded))
    return Parsed(None, error=f"Dân tộc '{raw}' không có trong danh mục; gần nhất: {closest}")


