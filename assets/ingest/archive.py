"""Archive: every landed file, copied once under its content's name, owner-only.

Before anything reads a landed file, one pass copies it into the archive as
`<sha256[:2]>/<sha256><suffix>`, hashing it and noting whether it is UTF-8 on the
way (`Copied`), and the manifest records the name it landed under. The archive is
what a rebuild replays, so a file is in it before its rows are anywhere else.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CHUNK = 1 << 20  # bytes per read when archiving
MANIFEST = "manifest.jsonl"

# Section 4: the archive keeps people's names, so only the pipeline's own user may
# read it, whatever the umask.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# A file whose valid UTF-8 prefix already holds this many bytes of multi-byte
# characters is UTF-8 (GB18030 text is almost never valid UTF-8 that long): a bad
# byte after it is corruption, not a sign of GB18030.
UTF8_EVIDENCE = 24


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)  # mkdir's mode is masked by the umask and ignored if it exists
    return path


@contextlib.contextmanager
def private_file(path: Path, mode: str = "wb"):
    """Open for writing, readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    with open(fd, mode) as f:
        yield f


def append_private(path: Path, data: bytes) -> None:
    """Append `data` whole or not at all (a full disk must not leave half a line),
    to a file readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            done = 0
            while done < len(data):
                done += os.write(fd, data[done:])
        except BaseException:
            os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Copied:
    """What one pass over a landed file learnt while archiving it."""

    sha256: str
    size: int
    utf8: bool  # the whole file decodes as UTF-8 (with or without BOM)
    # Where UTF-8 decoding failed, when the part before was clearly UTF-8 text
    # (a corrupt or cut-short UTF-8 file rather than a GB18030 one).
    utf8_error: int | None = None


def copy_and_hash(source: Path, archive: Path | None) -> tuple[Path, Copied]:
    """Copy `source` into the content-addressed `archive`, hashing it and checking
    whether it is UTF-8 in the same pass. Returns the archived path. With no
    archive (the file is an archived one already) it only hashes and checks."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, size, multibyte, utf8_error = True, 0, 0, None
    if archive is not None:
        private_dir(archive)
        tmp = archive / f".incoming-{source.name}.part"
    try:
        with source.open("rb") as src, (private_file(tmp) if archive else contextlib.nullcontext()) as dst:
            while chunk := src.read(CHUNK):
                if utf8:
                    try:
                        text = decoder.decode(chunk)
                        if multibyte < UTF8_EVIDENCE:
                            multibyte += len(chunk) - len(text) - len(decoder.getstate()[0])
                    except UnicodeDecodeError as e:
                        utf8 = False
                        if multibyte >= UTF8_EVIDENCE:
                            utf8_error = size - len(decoder.getstate()[0]) + e.start
                digest.update(chunk)
                size += len(chunk)
                if dst is not None:
                    dst.write(chunk)
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as e:
                utf8 = False
                if multibyte >= UTF8_EVIDENCE:
                    utf8_error = size - len(decoder.getstate()[0]) + e.start
    except BaseException:
        # A full disk or a failed read: leave no partial copy behind.
        if archive is not None:
            tmp.unlink(missing_ok=True)
        raise
    sha = digest.hexdigest()
    copied = Copied(sha, size, utf8, utf8_error)
    if archive is None:
        return source, copied
    final = archive_path(archive, sha, source.suffix)
    private_dir(final.parent)
    if final.exists():
        tmp.unlink()
        os.chmod(final, PRIVATE_FILE)  # archived by an earlier version, perhaps world-readable
    else:
        tmp.replace(final)
    return final, copied


def archive_path(archive: Path, sha256: str, suffix: str) -> Path:
    return archive / sha256[:2] / f"{sha256}{suffix.lower()}"


def remember(archive: Path, file_name: str, suffix: str, copied: Copied, mtime_ns: int) -> None:
    """Add the landed file to the manifest: the name and time it landed with, and
    the content it had."""
    entry = {
        "file_name": file_name, "sha256": copied.sha256, "suffix": suffix,
        "size": copied.size, "mtime_ns": mtime_ns,
        "seen_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    append_private(archive / MANIFEST, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))


def read_manifest(archive: Path) -> list[dict]:
    """Every manifest entry, in the order the files were first seen."""
    manifest = archive / MANIFEST
    if not manifest.exists():
        return []
    return [json.loads(line) for line in manifest.read_text("utf-8").splitlines() if line.strip()]
