#!/usr/bin/env python3
"""Compile locale/*/LC_MESSAGES/django.po into .mo files without GNU gettext.

Single-line entries; contexts (msgctxt) and plural forms (msgid_plural, msgstr[n]) are read too.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_po(text: str) -> dict[str, str]:
    """Entries keyed as gettext stores them: ``context\x04msgid`` with a context, ``singular\0plural`` with plurals."""
    entries: dict[str, str] = {}
    fields: dict[str, list[str]] = {}
    field = ""

    def finish() -> None:
        if "msgid" in fields and any(name.startswith("msgstr") for name in fields):
            key = "".join(fields["msgid"])
            if "msgid_plural" in fields:
                key += "\0" + "".join(fields["msgid_plural"])
            if "msgctxt" in fields:
                key = "".join(fields["msgctxt"]) + "\x04" + key
            forms = sorted(name for name in fields if name.startswith("msgstr"))
            entries[key] = "\0".join("".join(fields[name]) for name in forms)
        fields.clear()

    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if line.startswith('"') and field:
            fields[field].append(ast.literal_eval(line))
            continue
        keyword, _, value = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and any(name.startswith("msgstr") for name in fields):
            finish()
        if keyword in {"msgctxt", "msgid", "msgid_plural"} or keyword.startswith("msgstr"):
            field = keyword
            fields[field] = [ast.literal_eval(value)]
        elif not line:
            finish()
            field = ""
    return entries


def build_mo(entries: dict[str, str]) -> bytes:
    keys = sorted(entries)
    ids = [key.encode("utf-8") for key in keys]
    strs = [entries[key].encode("utf-8") for key in keys]
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + sum(len(i) + 1 for i in ids)
    offsets: list[int] = []
    position = key_start
    for item in ids:
        offsets += [len(item), position]
        position += len(item) + 1
    value_offsets: list[int] = []
    position = value_start
    for item in strs:
        value_offsets += [len(item), position]
        position += len(item) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    return (header + struct.pack(f"{len(offsets)}i", *offsets) + struct.pack(f"{len(value_offsets)}i", *value_offsets)
            + b"".join(i + b"\0" for i in ids) + b"".join(s + b"\0" for s in strs))


def main() -> int:
    for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        po.with_suffix(".mo").write_bytes(build_mo(parse_po(po.read_text(encoding="utf-8"))))
        print(f"compiled {po.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
