"""One message catalogue for every human-facing word zjtx prints, in Chinese and English.

`messages.yaml` beside this file maps a message id to its text in each language (`str.format`
fields in braces); `names` gives the display names of the vocabulary ids. The language is chosen
once per command or request (`--lang`, `ZJTX_LANG`, the locale, `?lang=`, `Accept-Language`) and
held in a context variable, so that views, errors and charts speak it without passing it around.
Ids stay the contract: JSON keeps them and adds display names beside them.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from models.errors import BugError
from models.yamlio import load_data

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "en"
_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("zjtx_lang", default=None)
MESSAGES_FILE = Path(__file__).with_name("messages.yaml")


@cache
def _catalogue() -> dict[str, Any]:
    data = load_data(MESSAGES_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"messages", "names"} <= set(data):
        raise BugError(f"{MESSAGES_FILE} must map `messages` and `names`")
    return data


HELP_FILE = Path(__file__).with_name("help.yaml")


@cache
def help_texts() -> dict[str, Any]:
    """The command line's help in Chinese (`help.yaml`): `app`, `commands` (command → help and
    parameter texts), `params` (shared parameters), `metavars` (English metavar → Chinese)."""
    data = load_data(HELP_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"app", "params", "metavars", "commands"} <= set(data):
        raise BugError(f"{HELP_FILE} must map app, params, metavars and commands")
    return data


def messages() -> dict[str, dict[str, str]]:
    """Message id → {language: text}."""
    found: dict[str, dict[str, str]] = _catalogue()["messages"]
    return found


def names() -> dict[str, dict[str, dict[str, str]]]:
    """Vocabulary kind → id → {en, zh, and optionally zh_short, en_short}."""
    found: dict[str, dict[str, dict[str, str]]] = _catalogue()["names"]
    return found


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


# The message catalogue's kinds → the catalog vocabulary's kinds (a "district" may be the place
# outside the jurisdiction; an expense "category").
VOCABULARY_KINDS = {"district": "place", "tier": "tier", "level": "level",
                    "entity_type": "entity_type", "industry": "industry",
                    "category": "expense_category", "board": "board",
                    "qualification": "qualification"}


def name(kind: str, ident: str | None, lang: str | None = None, *, short: bool = False) -> str:
    """The display name of an id (`district`, `dongcheng` → 东城区): the loaded catalog's
    vocabulary names districts, tiers and the other closed lists, `names()` the rest (measures);
    unknown ids as given."""
    if ident is None:
        return ""
    lang = lang or current_lang()
    if kind == "measure":  # a package's own names for its measures come first
        from models.catalog import active_catalog

        declared = active_catalog().measure_names().get(ident)
        if declared is not None:
            return declared.zh if lang == "zh" else declared.en
    entry = names().get(kind, {}).get(ident)
    if entry is None and kind in VOCABULARY_KINDS:
        from models.catalog import active_catalog

        vocabulary = active_catalog().vocabulary
        if ident in vocabulary.ids(VOCABULARY_KINDS[kind]):
            return vocabulary.name(VOCABULARY_KINDS[kind], ident, lang, short=short)
    if entry is None:
        return ident
    if short and f"{lang}_short" in entry:
        return entry[f"{lang}_short"]
    return entry[lang]
