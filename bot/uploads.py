"""Files officials attach in the web form, kept on disk by content (SHA-256).

A chat report's evidence is a Telegram file id; a web report's is ``upload:<sha256>``, and the
card sends the file from here when someone taps it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import unquote

PREFIX = "upload:"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


class TooLarge(Exception):
    """More bytes than the limit arrived; nothing was kept."""


class UploadWriter:
    """Receives a file in chunks, hashing it; refuses past ``limit`` bytes."""

    def __init__(self, directory: Path, limit: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()
        fd, name = tempfile.mkstemp(prefix=".part-", dir=directory)
        self._file = os.fdopen(fd, "wb")
        self._path = Path(name)

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.discard()
            raise TooLarge
        self._hash.update(chunk)
        self._file.write(chunk)

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self._path.unlink(missing_ok=True)

    def keep(self) -> str:
        """Store the file under its digest; returns the evidence value."""
        self._file.close()
        digest = self._hash.hexdigest()
        os.replace(self._path, self.directory / digest)
        return PREFIX + digest


def upload_path(directory: Path, value: str) -> Path | None:
    """The stored file of an ``upload:`` evidence value, or None for anything else."""
    if not value.startswith(PREFIX):
        return None
    digest = value[len(PREFIX) :]
    if not _DIGEST.match(digest):
        return None
    path = directory / digest
    return path if path.is_file() else None


def clean_filename(name: str | None) -> str | None:
    """A file name as shown in the history: no path, no control characters, not too long."""
    if not name:
        return None
    name = unquote(name)  # some clients send names percent-encoded
    name = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:120] or None
