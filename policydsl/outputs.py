"""Write generated files, or compare them with what is on disk (`compile --check`)."""

from __future__ import annotations

from pathlib import Path

from .backends import BACKENDS

# the folder each backend owns below the output folder, and the suffix of its files there
OWNED_SUFFIXES = {backend.folder: backend.suffix for backend in BACKENDS}


def stale_files(out: Path, files: dict[str, str]) -> list[str]:
    """Files that differ from what would be written, are missing, or should not be there."""
    stale = [rel for rel, text in files.items()
             if not (out / rel).is_file() or (out / rel).read_bytes() != text.encode("utf-8")]
    return sorted(stale + extra_files(out, files))


def extra_files(out: Path, files: dict[str, str]) -> list[str]:
    """Generated-looking files in the owned folders that this compile would not produce."""
    extra = []
    for folder, suffix in OWNED_SUFFIXES.items():
        base = out / folder
        if base.is_dir():
            for path in sorted(base.rglob(f"*{suffix}")):
                rel = path.relative_to(out).as_posix()
                if rel not in files:
                    extra.append(rel)
    return extra


def write_files(out: Path, files: dict[str, str]) -> list[str]:
    """Write what changed (byte-compared), remove what is no longer generated; return both."""
    changed = []
    for rel in extra_files(out, files):
        (out / rel).unlink()
        changed.append(rel)
    for rel, text in files.items():
        path = out / rel
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        changed.append(rel)
    return sorted(changed)
