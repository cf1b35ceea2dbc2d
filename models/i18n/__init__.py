"""One message catalogue for every human-facing word zjtx prints, in Chinese and English.

`messages.yaml` beside this file maps a message id to its text in each language (`str.format`
fields in braces); `names` gives the display names of the vocabulary ids. The language is chosen
once per command or request (`--lang`, `ZJTX_LANG`, the locale, `?lang=`, `Accept-Language`) and
held in a context variable, so that views, errors and charts speak it without passing it around.
Ids stay the contract: JSON keeps them and adds display names beside them.

The language layer is the floor of models/: it imports nothing of the project (errors, limits,
the YAML reader and the catalog import it). It reads its own shipped YAML with PyYAML's safe
loader (tests/test_i18n.py reads the same files through `models.yamlio`, which refuses duplicate
keys); the names of a catalog's ids come from the catalog (`models.catalog.name`), which passes
its vocabulary down.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypedDict, TypeVar, cast

import yaml

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "en"
_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("zjtx_lang", default=None)
MESSAGES_FILE = Path(__file__).with_name("messages.yaml")


class Catalogue(TypedDict):
    """messages.yaml: message id → {language: text}; vocabulary kind → id → {language: name}."""

    messages: dict[str, dict[str, str]]
    names: dict[str, dict[str, dict[str, str]]]


class HelpTexts(TypedDict):
    """help.yaml: the command line's help in Chinese."""

    app: str                              # the app's own help
    commands: dict[str, dict[str, str]]   # command → {"help": text, parameter → text}
    params: dict[str, str]                # a parameter shared by commands → text
    metavars: dict[str, str]              # English metavar → Chinese


Shipped = TypeVar("Shipped", Catalogue, HelpTexts)


def _shipped(path: Path, shape: type[Shipped]) -> Shipped:
    """One of the language layer's own YAML files (shipped data, never user input), holding
    the keys of its `shape`."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    keys: frozenset[str] = getattr(shape, "__required_keys__")  # noqa: B009 (a TypedDict's keys)
    if not isinstance(data, dict) or not keys <= set(data):
        raise RuntimeError(f"{path} must map {', '.join(sorted(keys))}")  # a packaging bug
    return cast(Shipped, data)


@cache
def _catalogue() -> Catalogue:
    return _shipped(MESSAGES_FILE, Catalogue)


HELP_FILE = Path(__file__).with_name("help.yaml")


@cache
def help_texts() -> HelpTexts:
    """The command line's help in Chinese (`help.yaml`): `app`, `commands` (command → help and
    parameter texts), `params` (shared parameters), `metavars` (English metavar → Chinese)."""
    return _shipped(HELP_FILE, HelpTexts)


def messages() -> dict[str, dict[str, str]]:
    """Message id → {language: text}."""
    return _catalogue()["messages"]


def names() -> dict[str, dict[str, dict[str, str]]]:
    """Vocabulary kind → id → {en, zh, and optionally zh_short, en_short}."""
    return _catalogue()["names"]


def lang_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """`ZJTX_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`): `zh_*` → zh, else en."""
    environ = os.environ if environ is None else environ  # read in place: called per message
    chosen = environ.get("ZJTX_LANG", "").strip().lower()
    if chosen:
        return "zh" if chosen.startswith("zh") else "en"
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            return "zh" if value.lower().startswith("zh") else DEFAULT_LANG
    return DEFAULT_LANG


def lang_from_accept(header: str | None) -> str | None:
    """The first of zh/en in an `Accept-Language` header, by quality (`zh-CN,zh;q=0.9,en;q=0.8`)."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        base = tag.strip().lower().split("-")[0]
        if base in LANGS and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, base)
    return best[2] if best else None


def current_lang() -> str:
    """The language of this command or request (the environment's when none was set)."""
    return _CURRENT.get() or lang_from_environment()


@contextlib.contextmanager
def using_lang(lang: str | None) -> Iterator[str]:
    """Speak `lang` (zh or en; None: from the environment) inside the block."""
    chosen = lang if lang in LANGS else lang_from_environment()
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)


def t(message_id: str, /, lang: str | None = None, **fields: Any) -> str:
    """The message `message_id` in `lang` (default: the current language), fields filled in."""
    entry = messages()[message_id]
    text = entry[lang or current_lang()]
    return text.format(**fields) if fields else text


def label(kind: str, ident: str, lang: str | None = None, *, short: bool = False) -> str | None:
    """The message catalogue's own name for an id (`names`: measures of the shipped package),
    None when it has none. A catalog's vocabulary names the rest: `models.catalog.name`."""
    entry = names().get(kind, {}).get(ident)
    if entry is None:
        return None
    lang = lang or current_lang()
    if short and f"{lang}_short" in entry:
        return entry[f"{lang}_short"]
    return entry[lang]
