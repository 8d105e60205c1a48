"""The static files storage: whitenoise's compressed files with content-hashed names, cached for a year."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names from the manifest that ``collectstatic`` writes; before it has run (a command started by hand in
    a fresh checkout), a page names the file by its plain name, which whitenoise finds in the source folders,
    instead of failing with a server error."""

    manifest_strict = False

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        if content is None and not self.exists(filename or name):
            return name
        return str(super().hashed_name(name, content, filename))
