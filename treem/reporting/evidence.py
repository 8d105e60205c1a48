"""What an evidence file really is, decided from its first bytes (and, for zip-based office files, their parts).

Accepted: PDF; Word (.docx, .doc), Excel (.xlsx, .xls), OpenDocument text and spreadsheets; PNG, JPEG, GIF and WebP
images. The uploader's file name and declared type are never trusted: a page, a script or a program renamed
"bao-cao.pdf" is refused. Files are stored under random names and only ever served as downloads.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str
    max_bytes: int = 10 * MEGABYTE


PDF = FileKind("application/pdf", ".pdf", "PDF")
PNG = FileKind("image/png", ".png", "ảnh PNG", max_bytes=5 * MEGABYTE)
JPEG = FileKind("image/jpeg", ".jpg", "ảnh JPEG", max_bytes=5 * MEGABYTE)
GIF = FileKind("image/gif", ".gif", "ảnh GIF", max_bytes=5 * MEGABYTE)
WEBP = FileKind("image/webp", ".webp", "ảnh WebP", max_bytes=5 * MEGABYTE)
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel")
DOC = FileKind("application/msword", ".doc", "Word 97-2003")
XLS = FileKind("application/vnd.ms-excel", ".xls", "Excel 97-2003")
ODT = FileKind("application/vnd.oasis.opendocument.text", ".odt", "OpenDocument văn bản")
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", ".ods", "OpenDocument bảng tính")

ACCEPTED_LABEL = "PDF, Word, Excel hoặc ảnh (PNG, JPEG, GIF, WebP)"
# A photo of a signed minute is a few hundred kilobytes; 5 MB leaves room for a phone camera's full resolution.
# Documents (a scanned report) may reach 10 MB. REPORTING_EVIDENCE_MAX_BYTES caps every kind.


def detect_kind(stream: IO[bytes], *, name: str = "") -> FileKind | None:
    """The kind of file ``stream`` holds, from its content; None when it is not an accepted kind."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(OLE_SIGNATURE):
        # The legacy binary formats share one container; the name only chooses between the two accepted ones.
        return XLS if name.lower().endswith(".xls") else DOC
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(stream)
    return None


def _zip_kind(stream: IO[bytes]) -> FileKind | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return {ODT.content_type: ODT, ODS.content_type: ODS}.get(mimetype)
            if "[Content_Types].xml" not in names:
                return None
            if any(entry.startswith("word/") for entry in names):
                return DOCX
            if any(entry.startswith("xl/") for entry in names):
                return XLSX
            return None
    except zipfile.BadZipFile:
        return None
    finally:
        stream.seek(0)
