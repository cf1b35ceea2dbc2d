"""The evidence bundle's file format: a zip archive in one fixed layout, and a strict reader.

`write_bundle(members)` writes the members (name → bytes) sorted by name, each *stored* (no
compression: nothing depends on a zlib version), dated 1980-01-01 00:00, with UTF-8 names, no
extra fields and no comments, plus `MANIFEST.sha256`: one `SHA-256  name` line per other member,
as `sha256sum -c` reads it. Any unzip tool opens it; the same members give the same bytes.

`read_bundle(data)` is bounded (`MAX_BUNDLE_BYTES`, `MAX_BUNDLE_MEMBERS`, read before anything
is decompressed) and refuses, with one clear `BundleRefused`, anything that is not exactly what
`write_bundle` writes: a hostile archive (compressed, encrypted or ZIP64 members, a member count
over the bound, names that climb out of a folder, absolute or drive names, backslashes, control
characters, a name twice), a member whose SHA-256 is not the manifest's, and — because it finally
writes the members again and compares — any other byte: a header field, the central directory, an
appended byte, a comment. Altering any byte of a bundle therefore makes it refused.

The layout is written here with `struct` (not `zipfile`) so that it stays the same whatever the
Python version: a bundle filed today must read as untouched in years. `zipfile` reads it.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping

from models.errors import InputError
from models.i18n import t
from models.limits import MAX_BUNDLE_BYTES, MAX_BUNDLE_MEMBERS

MANIFEST = "MANIFEST.sha256"

# The fixed fields of every entry: version 2.0, UTF-8 names (flag bit 11), stored (method 0),
# 1980-01-01 00:00 (DOS date 0x0021, time 0), made on Unix as a regular file, mode 0644.
_VERSION = 20
_MADE_BY = (3 << 8) | _VERSION
_FLAGS = 0x0800
_STORED = 0
_TIME, _DATE = 0x0000, 0x0021
_EXTERNAL = 0o100644 << 16
_LOCAL = struct.Struct("<IHHHHHIIIHH")           # local file header, 30 bytes
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")   # central directory header, 46 bytes
_END = struct.Struct("<IHHHHIIH")                # end of central directory, 22 bytes
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50

# A member name: folders and a file name separated by `/`, each part printable, without `\`, `:`
# or control characters, never `.` or `..`; at most 200 characters.
_PART = re.compile(r"[^\\/:\x00-\x1f\x7f]+")


class BundleRefused(InputError):
    """A file that is not an untouched zjtx evidence bundle (exit status 2)."""


def name_problem(name: str) -> str | None:
    """What makes `name` unfit as a member name, or None."""
    parts = name.split("/")
    if not name or len(name) > 200 or not all(_PART.fullmatch(p) and p not in (".", "..")
                                               for p in parts):
        return t("bundle.bad_name", name=ascii(name[:80]))
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_of(members: Mapping[str, bytes]) -> bytes:
    """`SHA-256  name` for every member but the manifest, sorted by name (`sha256sum -c`)."""
    return "".join(f"{sha256(members[name])}  {name}\n"
                   for name in _ordered(members) if name != MANIFEST).encode("utf-8")


def _ordered(names: Mapping[str, bytes] | list[str]) -> list[str]:
    return sorted(names, key=lambda name: name.encode("utf-8"))


def write_bundle(members: Mapping[str, bytes]) -> bytes:
    """The bundle of `members` (name → bytes) and their manifest, in the fixed layout."""
    for name in members:
        problem = name_problem(name)
        if problem or name == MANIFEST:
            raise InputError(problem or t("bundle.bad_name", name=name))
    every = {**members, MANIFEST: manifest_of(members)}
    out = io.BytesIO()
    central = []
    for name in _ordered(every):
        data, encoded = every[name], name.encode("utf-8")
        crc, offset = zlib.crc32(data), out.tell()
        out.write(_LOCAL.pack(_LOCAL_SIG, _VERSION, _FLAGS, _STORED, _TIME, _DATE, crc,
                              len(data), len(data), len(encoded), 0))
        out.write(encoded)
        out.write(data)
        central.append(_CENTRAL.pack(_CENTRAL_SIG, _MADE_BY, _VERSION, _FLAGS, _STORED, _TIME,
                                     _DATE, crc, len(data), len(data), len(encoded), 0, 0, 0, 0,
                                     _EXTERNAL, offset) + encoded)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(_END.pack(_END_SIG, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    if out.tell() > MAX_BUNDLE_BYTES or len(central) > MAX_BUNDLE_MEMBERS:
        raise InputError(t("bundle.too_large_to_write", size=out.tell(), limit=MAX_BUNDLE_BYTES,
                           count=len(central), most=MAX_BUNDLE_MEMBERS))
    return out.getvalue()


def read_bundle(data: bytes, source: str) -> dict[str, bytes]:
    """The members of an untouched bundle (the manifest left out), or BundleRefused naming
    `source` and what is wrong. Memory and time stay within a small multiple of `len(data)`."""
    def refuse(message: str) -> BundleRefused:
        return BundleRefused(message, file=source, accepted=t("bundle.accepted"))

    if len(data) > MAX_BUNDLE_BYTES:
        raise refuse(t("bundle.too_large", size=len(data), limit=MAX_BUNDLE_BYTES))
    # The end record first, read by hand: its count bounds everything zipfile will build.
    if len(data) < _END.size:
        raise refuse(t("bundle.not_zip_end"))
    signature, disk, start_disk, here, count, size, start, comment = _END.unpack(data[-_END.size:])
    if signature != _END_SIG:
        raise refuse(t("bundle.not_zip_end"))
    if max(here, count) > MAX_BUNDLE_MEMBERS:
        raise refuse(t("bundle.too_many_members", count=max(here, count), most=MAX_BUNDLE_MEMBERS))
    if disk or start_disk or comment or here != count or start + size != len(data) - _END.size:
        raise refuse(t("bundle.not_zip_end"))
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) != count:
                raise refuse(t("bundle.not_zip_end"))
            for info in infos:
                problem = name_problem(info.filename)
                if problem:
                    raise refuse(problem)
                if info.filename in members:
                    raise refuse(t("bundle.name_twice", name=info.filename))
                if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1 or \
                        info.file_size != info.compress_size or info.file_size > len(data):
                    raise refuse(t("bundle.not_stored", name=info.filename))
                try:  # stored: at most len(data) in all
                    members[info.filename] = archive.read(info)
                except zipfile.BadZipFile as exc:
                    if "CRC" not in str(exc):
                        raise
                    raise refuse(t("bundle.crc_differs", name=info.filename)) from None
    except BundleRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
            ValueError, OSError, OverflowError, KeyError, IndexError, struct.error,
            zlib.error) as exc:
        raise refuse(t("bundle.damaged", problem=ascii(str(exc))[:200])) from None
    manifest = members.pop(MANIFEST, None)
    if manifest is None:
        raise refuse(t("bundle.no_manifest", manifest=MANIFEST))
    if manifest != manifest_of(members):
        raise refuse(_manifest_problem(manifest, members))
    rebuilt = write_bundle(members)
    if rebuilt != data:
        at = next((i for i, (a, b) in enumerate(zip(rebuilt, data)) if a != b),
                  min(len(rebuilt), len(data)))
        raise refuse(t("bundle.layout_differs", byte=at))
    return members


def _manifest_problem(manifest: bytes, members: Mapping[str, bytes]) -> str:
    """Which member's sum does not match the manifest (or that the manifest itself is bad)."""
    listed: dict[str, str] = {}
    for line in manifest.decode("utf-8", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name in _ordered(members):
        if name not in listed:
            return t("bundle.not_listed", name=name, manifest=MANIFEST)
        if listed[name] != sha256(members[name]):
            return t("bundle.sum_differs", name=name, manifest=MANIFEST)
    missing = [name for name in listed if name not in members]
    if missing:
        return t("bundle.listed_missing", name=ascii(missing[0][:80]), manifest=MANIFEST)
    return t("bundle.manifest_altered", manifest=MANIFEST)
