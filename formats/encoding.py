"""The text encoding of a CSV file as saved by Excel: UTF-8 with or without a byte-order mark, or
GB18030 (a superset of GBK and GB2312, what Excel writes on a Chinese Windows machine).

Detection reads the whole file in binary (constant memory) and decides for the whole file only
when the whole file decodes: valid UTF-8 throughout means UTF-8; GB18030 only when the whole file
decodes as GB18030 and no line of it is UTF-8 text beyond ASCII. A file of both (a UTF-8 file
into which one GBK line was pasted) is read as UTF-8, and each line that is not UTF-8 is an
error row: never a whole file of garbled names. `--encoding` forces one.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO

from models.errors import InputError
from models.i18n import t

CHUNK = 1 << 20
NAMES = "utf-8, utf-8-sig, gb18030, gbk, gb2312, big5, utf-16"


def accepted() -> str:
    """What `--encoding` takes, in the current language."""
    return t("accepted.encodings", names=NAMES)


def detect(path: Path) -> str:
    """`utf-8-sig` (a BOM), `utf-16` (its BOM), `utf-8`, or `gb18030` (see the module)."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        if _decodes(handle, "utf-8"):
            return "utf-8"
        handle.seek(0)
        if _has_utf8_line(handle):  # some text is UTF-8: the lines that are not are errors
            return "utf-8"
        handle.seek(0)
        return "gb18030" if _decodes(handle, "gb18030") else "utf-8"


def _decodes(handle: BinaryIO, encoding: str) -> bool:
    """Does the whole file decode as `encoding` (read in blocks)?"""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := handle.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _has_utf8_line(handle: BinaryIO) -> bool:
    """Does some line beyond ASCII decode as UTF-8 (a line read at most a block at a time)?"""
    while line := handle.readline(CHUNK):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


def resolve(path: Path, forced: str | None) -> str:
    """The encoding to read `path` with: the forced one (checked to exist) or the detected one.
    A forced `utf-8` still skips a byte-order mark (Excel's "CSV UTF-8" writes one)."""
    if forced is None:
        return detect(path)
    try:
        name = codecs.lookup(forced).name
    except LookupError:
        raise InputError(t("io.unknown_encoding", encoding=forced), field="--encoding",
                         accepted=accepted()) from None
    return "utf-8-sig" if name == "utf-8" else name
