"""Turn a pydantic ValidationError into one clear line: the field path, what was wrong, what is
accepted, and for an unknown key the nearest known one."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from models.errors import Problem
from models.i18n import messages, t
from models.limits import Quoted, shown, shown_text


_TAG = re.compile(r"^[a-z][a-z\-]*\[.*\]$")


def field_path(loc: tuple[Any, ...]) -> str:
    """`('recognitions', 0, 'tier')` → `recognitions[0].tier`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + shown_text(str(part))  # (an unknown key may be long)
    return path


def label(path: str | None, labels: dict[str, str]) -> str | None:
    """A field path (`expenses[0].amount`) as the user wrote the column, e.g.
    `费用支出 (expenses[0].amount)`; several paths separated by `; ` each."""
    if not path or not labels:
        return path
    parts = []
    for one in path.split("; "):
        top = top_field(one)
        header = labels.get(top)
        parts.append(one if header is None or header == top else
                     header if one == top else t("cell.column_path", header=header, path=one))
    return "; ".join(parts)


def top_field(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the field at `loc` (following lists and optionals)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                field = next((f for f in current.model_fields.values() if f.alias == part), None)
            current = field.annotation if field else None
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Optional[X] → X."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        real = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return real[0] if len(real) == 1 else annotation
    return annotation


def known_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def describe(exc: ValidationError, root: type[BaseModel]) -> tuple[str, str, str | None]:
    """(field path, message, accepted) for the first error of `exc` (an unknown key first)."""
    first = describe_all(exc, root)[0]
    return first.field or "", first.message, first.accepted


def describe_all(exc: ValidationError, root: type[BaseModel]) -> list[Problem]:
    """Every error of `exc` as a Problem with its field path, one per path; unknown keys first. A
    misspelt key shows up twice (unknown key + required key missing): only the misspelling is named."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    problems = [_describe_one(error, root) for error in errors]
    suggested = {problem.suggested for problem in problems if problem.suggested}
    found: dict[str | None, Problem] = {}
    for p in problems:
        if not (p.missing and p.field in suggested):
            found.setdefault(p.field, Problem(p.field, p.message, p.accepted))
    return list(found.values())


@dataclass(frozen=True)
class _Found:
    field: str | None
    message: str
    accepted: str | None
    suggested: str | None  # the key an unknown key was probably meant to be
    missing: bool


def _describe_one(error: Any, root: type[BaseModel]) -> _Found:
    # Drop pydantic's union/function tags (`literal[...]`, `function-after[...]`) from the path;
    # keep every real key, whatever its characters (an unknown key may be `foo-bar` or empty).
    loc = tuple(part for part in error["loc"]
                if isinstance(part, int) or not _TAG.match(str(part)))
    path = field_path(loc)
    kind = error["type"]

    def found(message: str, accepted: str | None = None, suggested: str | None = None) -> _Found:
        return _Found(path or None, message, accepted, suggested, kind == "missing")

    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        keys = known_keys(model) if model else []
        near = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.5) \
            if len(str(loc[-1])) <= 200 else []
        hint = t("validation.did_you_mean_key", near=near[0]) if near else ""
        return found(t("validation.unknown_key", key=Quoted(loc[-1]), hint=hint), ", ".join(keys) or None,
                     field_path((*loc[:-1], near[0])) if near else None)
    if kind == "missing":
        return found(t("validation.missing"))
    ctx = error.get("ctx") or {}
    accepted = ctx.get("expected")
    value = error.get("input")
    what = shown(value) if not isinstance(value, (dict, list)) else type(value).__name__
    message = error["msg"]
    if message.startswith("Value error, "):
        return found(message[len("Value error, "):])
    if accepted:
        return found(t("validation.not_accepted", shown=what) + ctx.get("hint", ""), accepted)
    bound = _BOUNDS.get(kind)
    if bound is not None and bound[1] in ctx:  # the bounds of models.limits, in words
        return found(t("validation.not_valid", shown=what, why=t(bound[0], bound=ctx[bound[1]])))
    if kind in _WHY and (kind != "string_too_short" or ctx.get("min_length") == 1):
        if "class_name" in ctx:  # a record item's model: named in the reader's language
            named = f"model.{ctx['class_name']}"
            ctx = {**ctx, "class_name": t(named) if named in messages() else ctx["class_name"]}
        return found(t("validation.not_valid", shown=what, why=t(f"validation.why.{kind}", **ctx)))
    return found(t("validation.not_valid", shown=what, why=message[:1].lower() + message[1:]))


# pydantic's error types whose words the message catalogue holds (`validation.why.*`: the same
# words in English, and Chinese); any other type keeps pydantic's (English) words.
_WHY = frozenset({"string_type", "string_too_short", "int_type", "int_from_float", "int_parsing",
                  "list_type", "dict_type", "model_type", "date_type", "bool_type", "bool_parsing"})


# pydantic's error type → (message id, the ctx key holding the bound).
_BOUNDS = {"string_too_long": ("limit.text_at_most", "max_length"),
           "less_than_equal": ("limit.at_most", "le"),
           "greater_than_equal": ("limit.at_least", "ge")}
