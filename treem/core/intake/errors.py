"""Why a file cannot be taken in; every message is in Vietnamese, for the officer."""

from __future__ import annotations


class ImportRefused(Exception):
    """The file as a whole cannot be imported (unreadable, no header row); no row was written."""


class UnreadableFile(ImportRefused):
    """The file cannot be read as a table; the message says why and what to do."""


class UploadRefused(Exception):
    """The uploaded file or the options are not acceptable (kind, size, unit, date)."""
