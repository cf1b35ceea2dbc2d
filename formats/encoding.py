"""The text encoding of a CSV file as saved by Excel: UTF-8 with or without a byte-order mark, or
GB18030 (a superset of GBK and GB2312, what Excel writes on a Chinese Windows machine).

Detection reads the whole file once in binary (fast, constant memory): valid UTF-8 throughout
means UTF-8, otherwise GB18030. `--encoding` forces one.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from models.errors import InputError
from models.i18n import t

CHUNK = 1 << 20
NAMES = "utf-8, utf-8-sig, gb18030, gbk, gb2312, big5, utf-16"


def accepted() -> str:
    """What `--encoding` takes, in the current language."""
    return t("accepted.encodings", names=NAMES)


def detect(path: Path) -> str:
    """`utf-8-sig` (a BOM), `utf-16` (its BOM), `utf-8`, or `gb18030`."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


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
