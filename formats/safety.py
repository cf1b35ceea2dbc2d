"""Safe outputs and honest resume (issues 14 and 20).

Every command that writes a file goes through one guard (`check_outputs`, `output_path`): before
any work, an output that is an input (the same file, also through a hard or symbolic link), a
directory, a place that cannot be written (tried, not guessed: `/proc/x` is refused even for
root), or a file of the wrong kind (a chart named `x.yaml`) is refused with a clear message; a
chart named without an extension gets `.png`, and the command names the path it really wrote.
A checkpoint records a fingerprint of the input (size, modification time, hashes of its first and
last mebibyte) and, for every output it has written, the path, the size and a SHA-256 of those
bytes; `--resume` refuses when any of them no longer matches (an edited input, a deleted,
truncated or changed output, another `--errors` path), instead of padding or mixing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from typing_extensions import TypedDict  # (pydantic reads a checkpoint's: formats.batch)

from models.errors import InputError
from models.i18n import t

EDGE = 1 << 20  # bytes hashed at each end of the input


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return one.resolve() == other.resolve()


def check_outputs(inputs: Path | Iterable[Path | None], outputs: dict[str, Path]) -> None:
    """Refuse outputs (option → path) that are an input (`inputs`: one path or several), a
    directory, or cannot be written; and two options naming one file."""
    given = [inputs] if isinstance(inputs, Path) else [path for path in inputs if path is not None]
    for option, path in outputs.items():
        if path.is_dir():
            raise InputError("is a directory; give a file name", file=str(path), field=option)
        if any(_same_file(path, source) for source in given):
            raise InputError("would overwrite the input (the same file, perhaps through a link)",
                             file=str(path), field=option)
        parent = path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the folder {parent} ({exc.strerror or exc})",
                             file=str(path), field=option) from None
        if not parent.is_dir():
            raise InputError(f"{parent} is not a folder", file=str(path), field=option)
        writable = os.access(path, os.W_OK) if path.exists() else _can_create_in(parent)
        if not writable:
            raise InputError("cannot be written (permission denied, or not a place for files)",
                             file=str(path), field=option)
    paths = list(outputs.items())
    for n, (option, path) in enumerate(paths):
        for other_option, other in paths[n + 1:]:
            if _same_file(path, other) or path.resolve() == other.resolve():
                raise InputError(f"{option} and {other_option} name the same file",
                                 file=str(path), field=other_option)


def _can_create_in(folder: Path) -> bool:
    """Can a file be created in `folder`? Tried (and removed): permission bits do not tell for
    root, nor for /proc or a read-only mount."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".zjtx-probe-"):
            return True
    except OSError:
        return False


def output_path(path: Path, option: str, inputs: Iterable[Path | None], *,
                suffixes: tuple[str, ...] = (), default_suffix: str | None = None) -> Path:
    """The path an output is really written to, checked before any work (`check_outputs`):
    `suffixes` are the extensions accepted (none: any); a path without an extension gets
    `default_suffix` (the command then names that path)."""
    if default_suffix and not path.suffix:
        path = path.with_name(path.name + default_suffix)
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError(t("io.unknown_format", suffix=path.suffix or t("io.no_extension")),
                         file=str(path), field=option, accepted=", ".join(suffixes))
    check_outputs(inputs, {option: path})
    return path


@contextlib.contextmanager
def writing(path: Path, option: str) -> Iterator[Path]:
    """Write `path` inside the block: an OSError (a full disk, a place that refuses files)
    becomes one clear InputError naming the option, never a traceback."""
    try:
        yield path
    except OSError as exc:
        raise InputError(f"cannot be written ({exc.strerror or exc})", file=str(path),
                         field=option) from None


def safe_name(text: str) -> str:
    """An id as part of a default file name: no folder separators, no leading dot."""
    name = "".join("_" if char in '/\\:*?"<>|' or not char.isprintable() else char for char in text)
    return name.lstrip(".")[:100] or "record"


def input_fingerprint(path: Path) -> dict[str, int | str]:
    """Size, modification time and hashes of both ends: an edit between kill and resume shows."""
    stat = path.stat()
    with path.open("rb") as handle:
        head = hashlib.sha256(handle.read(EDGE)).hexdigest()
        handle.seek(max(0, stat.st_size - EDGE))
        tail = hashlib.sha256(handle.read(EDGE)).hexdigest()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "head": head, "tail": tail}


def prefix_digest(path: Path, size: int) -> hashlib._Hash:
    """A running SHA-256 of the first `size` bytes of `path` (to continue after a resume)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        left = size
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest


class FileMark(TypedDict):
    """What a checkpoint records of a partial output (JSON): its path, size and SHA-256 so far."""

    path: str
    size: int
    sha256: str


def verify_output(option: str, path: Path, recorded: FileMark) -> hashlib._Hash:
    """The output a checkpoint describes is there, at least as long, with the same bytes; the
    running digest of those bytes is returned to continue with."""
    hint = "run again without --resume"
    if str(path.resolve()) != recorded["path"]:
        raise InputError(f"the checkpoint wrote {option} to {recorded['path']}, not here",
                         file=str(path), field="--resume", accepted=f"the same {option}, or {hint}")
    if not path.is_file():
        raise InputError("the partial output the checkpoint describes is missing", file=str(path),
                         field="--resume", accepted=hint)
    if path.stat().st_size < recorded["size"]:
        raise InputError(f"the partial output is shorter ({path.stat().st_size:,} bytes) than the "
                         f"checkpoint wrote ({recorded['size']:,})", file=str(path),
                         field="--resume", accepted=hint)
    digest = prefix_digest(path, recorded["size"])
    if digest.hexdigest() != recorded["sha256"]:
        raise InputError("the partial output was changed since the checkpoint", file=str(path),
                         field="--resume", accepted=hint)
    return digest
