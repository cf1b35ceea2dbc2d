"""`zjtx --help`, every command's help and the command line's usage errors, in the language of
the command (`--lang` anywhere on the line, else ZJTX_LANG, else the locale).

The English is the code's own (cli.py: docstrings and `help=`); the Chinese is
`models/i18n/help.yaml`, by command and parameter; the frame (usage, panels, defaults, ranges) is
the message catalogue's `help.*`. Everything is printed as plain text, never as Rich markup, so
`pip install -e '.[dask]'` keeps its brackets; metavars say what a person types (`RECORD`,
`DATE`, `企业记录文件`), never a Python type.
"""

from __future__ import annotations

import difflib
import enum
import inspect
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.i18n import LANGS, HelpTexts, help_texts, lang_from_environment, t

if TYPE_CHECKING:  # rich is imported by what prints (a command that runs needs none of it)
    from rich.panel import Panel
    from rich.text import Text

LANG_KEY = "zjtx_help_lang"  # ctx.meta: the language a help or a usage error speaks


def chinese() -> HelpTexts:
    return help_texts()


def sniff_lang(ctx: Any, args: Sequence[str]) -> None:
    """Remember `--lang zh|en` given anywhere on the command line, for the help and the usage
    errors that click prints before the option itself is read."""
    for index, arg in enumerate(args):
        value = args[index + 1] if arg == "--lang" and index + 1 < len(args) else \
            arg.partition("=")[2] if arg.startswith("--lang=") else None
        if value in LANGS:
            ctx.meta[LANG_KEY] = value


def lang_of(ctx: Any) -> str:
    return str(ctx.meta.get(LANG_KEY) or lang_from_environment())


def command_key(ctx: Any) -> str:
    """`zjtx measures list` → `measures list`; the app itself is ``."""
    return " ".join(ctx.command_path.split()[1:])


# -- texts -------------------------------------------------------------------------------------------

def command_help(command: Any, key: str, lang: str) -> str:
    english = inspect.cleandoc(command.help or "")
    if lang == "en":
        return english
    if key == "":
        return str(chinese()["app"])
    entry = chinese()["commands"].get(key) or {}
    return str(entry.get("help") or english)


def param_help(param: Any, key: str, lang: str) -> str:
    if param.name == "help":
        return t("help.help_option", lang)
    english = param.help or ""
    if lang == "en":
        return english
    own = (chinese()["commands"].get(key) or {}).get(param.name)
    return str(own or chinese()["params"].get(param.name) or english)


def _annotation(param: Any) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None)


def _choices(param: Any) -> list[str]:
    choices = getattr(getattr(param, "type_descriptor", None), "choices", None) or ()
    return [c.value if isinstance(c, enum.Enum) else str(c) for c in choices]


def metavar(param: Any, lang: str) -> str:
    """What a parameter takes, as a person reads it: its own metavar, the choices, or a word for
    its type (N, FILE, TEXT); nothing for a flag."""
    if getattr(param, "is_flag", False):
        return ""
    english = param.metavar
    if english is None:
        choices = _choices(param)
        if choices:
            return "|".join(choices)
        kind = _annotation(param)
        inner = (getattr(kind, "__args__", None) or (kind,))[0] if \
            getattr(param, "multiple", False) or getattr(kind, "__origin__", None) is list else kind
        if param.param_type_name == "argument":
            english = param.name.upper()
        elif inner in (int, float):
            english = "N"
        elif inner is Path:
            english = "FILE"
        else:
            english = "TEXT"
    return metavar_words(str(english), lang)


def metavar_words(english: str, lang: str) -> str:
    """A metavar (`FILE.xlsx|FILE.csv`) in `lang`: what help shows, and what an error names."""
    return english if lang == "en" else str(chinese()["metavars"].get(english, english))


def _default(param: Any) -> str | None:
    value = param.default
    if value is None or value is False or getattr(param, "is_flag", False) or value == () \
            or param.required or param.name in ("help", "version"):
        return None
    return str(value.value if isinstance(value, enum.Enum) else value)


def _range(param: Any, lang: str) -> str | None:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return t("help.range.between", lang, low=low, high=high)
    if low is not None:
        return t("help.range.at_least", lang, low=low)
    if high is not None:
        return t("help.range.at_most", lang, high=high)
    return None


def accepted(param: Any, lang: str) -> str:
    """What a parameter accepts, for a usage error."""
    choices = _choices(param)
    if choices:
        return ", ".join(choices)
    bounds = _range(param, lang)
    kind = _annotation(param)
    if kind is float:
        return t("help.accepted.number", lang) + (f" {bounds}" if bounds else "")
    if kind is int or bounds:
        return t("help.accepted.integer", lang) + (f" {bounds}" if bounds else "")
    return metavar(param, lang)


def usage(command: Any, ctx: Any, lang: str) -> str:
    pieces = [ctx.command_path, chinese()["metavars"]["[OPTIONS]"] if lang == "zh" else "[OPTIONS]"]
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            shown = metavar(param, lang)
            if not param.required and not shown.startswith("["):
                shown = f"[{shown}]"
            if param.nargs != 1:
                shown += "..."
            pieces.append(shown)
    if hasattr(command, "commands"):
        pieces += ([chinese()["metavars"]["COMMAND"], chinese()["metavars"]["[ARGS]..."]]
                   if lang == "zh" else ["COMMAND", "[ARGS]..."])
    return t("help.usage", lang, usage=" ".join(pieces))


# -- rendering ---------------------------------------------------------------------------------------

def _panel(title: str, rows: list[tuple[Text, Text, Text]]) -> Panel:
    from rich.panel import Panel
    from rich.table import Table

    table = Table(show_header=False, box=None, expand=True, pad_edge=False, padding=(0, 1))
    table.add_column(no_wrap=True, style="bold cyan")
    table.add_column(no_wrap=True, style="yellow")
    table.add_column(overflow="fold")
    for row in rows:
        table.add_row(*row)
    return Panel(table, title=title, title_align="left", border_style="dim")


def render_help(command: Any, ctx: Any) -> None:
    """Print the help of `command` (a click command or group under `ctx`) in the line's language."""
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    lang = lang_of(ctx)
    key = command_key(ctx)
    console = Console(highlight=False)
    console.print(Padding(Text(usage(command, ctx, lang)), (1, 1, 0, 1)))
    description = command_help(command, key, lang)
    if description:
        console.print(Padding(Text(description), (1, 1, 1, 1)))
    arguments, options = [], []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        notes = [param_help(param, key, lang)]
        bounds = _range(param, lang)
        if bounds:
            notes.append(t("help.bracket", lang, text=bounds))
        default = _default(param)
        if default is not None:
            notes.append(t("help.default", lang, value=default))
        if param.required:
            notes.append(t("help.required", lang))
        text = Text(" ".join(n for n in notes if n))
        if param.param_type_name == "argument":
            arguments.append((Text(metavar(param, lang)), Text(""), text))
        else:
            names = ", ".join(list(param.opts) + list(param.secondary_opts))
            options.append((Text(names), Text(metavar(param, lang)), text))
    if arguments:
        console.print(_panel(t("help.arguments", lang), arguments))
    if options:
        console.print(_panel(t("help.options", lang), options))
    if hasattr(command, "commands"):
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            about = command_help(sub, " ".join(filter(None, [key, name])), lang)
            rows.append((Text(name), Text(""), Text(about.split("\n\n")[0].replace("\n", " "))))
        console.print(_panel(t("help.commands", lang), rows))
    if key == "":
        console.print(Padding(Text(t("help.exit_statuses", lang)), (1, 1, 0, 1)))


# -- usage errors ------------------------------------------------------------------------------------

def _value_given(param: Any, args: Sequence[str]) -> str | None:
    for index, arg in enumerate(args):
        for name in param.opts:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(name + "=") and name.startswith("--"):
                return arg[len(name) + 1:]
    return None


def usage_error(exc: Any, command: Any, ctx: Any, args: Sequence[str]) -> str:
    """One line for a click usage error, in the line's language: what is wrong, and what is
    accepted."""
    lang = lang_of(ctx)
    param = getattr(exc, "param", None)
    kind = type(exc).__name__
    if kind == "MissingParameter" and param is not None:
        what = ", ".join(param.opts) if param.param_type_name == "option" else metavar(param, lang)
        return t("help.error.missing", lang, what=what)
    if kind == "NoSuchOption":
        known = [name for p in command.get_params(ctx) for name in p.opts if name.startswith("-")]
        near = difflib.get_close_matches(exc.option_name, known, n=1)
        return t("help.error.no_such_option", lang, option=exc.option_name,
                 hint=t("validation.did_you_mean_key", lang, near=near[0]) if near else "")
    if kind == "BadOptionUsage":
        return t("help.error.needs_value", lang, option=exc.option_name)
    if param is not None:
        value = _value_given(param, args)
        where = ", ".join(param.opts) if param.param_type_name == "option" else metavar(param, lang)
        shown = t("validation.not_accepted", lang, shown=repr(value)) if value is not None \
            else t("help.error.bad_value", lang)
        return (t("error.field", lang, field=where) + t("error.after_place", lang) + shown
                + t("error.accepted", lang, accepted=accepted(param, lang)))
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)$", exc.message or "")
    if extra:
        return t("help.error.extra", lang, args=extra[1])
    if exc.message == "Missing command.":
        return t("help.error.missing_command", lang)
    unknown = re.match(r"No such command '([^']*)'\.", exc.message or "")
    if unknown and hasattr(command, "commands"):
        near = difflib.get_close_matches(unknown[1], list(command.commands), n=1)
        return t("help.error.no_such_command", lang, command=unknown[1],
                 hint=t("validation.did_you_mean_key", lang, near=near[0]) if near else "")
    return str(exc.format_message())


def print_usage_error(exc: Any, command: Any, ctx: Any, args: Sequence[str]) -> None:
    """The usage line and the error, on stderr; `args`: the line as given (a copy: click's
    parser consumes its list)."""
    from rich.console import Console
    from rich.text import Text

    lang = lang_of(ctx)
    console = Console(stderr=True, highlight=False)
    console.print(Text(usage(command, ctx, lang)), soft_wrap=True)
    console.print(Text(t("error.prefix", lang) + usage_error(exc, command, ctx, args)),
                  soft_wrap=True)
