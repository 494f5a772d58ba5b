"""Small file helpers shared by the index writers."""
from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks (embeddings can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def folder_checksums(folder: Path, *, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """{relative posix path: sha256} of every file under `folder`, except the names in `exclude`."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in exclude}


def damaged_files(folder: Path, checksums: dict[str, str]) -> list[str]:
    """The files of `checksums` that are missing under `folder` or whose content changed."""
    folder = Path(folder)
    bad = []
    for name, want in sorted(checksums.items()):
        path = folder / name
        try:
            if not path.is_file() or sha256_file(path) != want:
                bad.append(name)
        except OSError:
            bad.append(name)
    return bad
