"""Count the English words a person sees under `--lang zh`: what is left of a command's output
once the ids (vocabulary, measures, rules, readings, record fields, options), acronyms, URLs,
file paths and the texts quoted as printed (clauses, and names the catalog carries in English
because no official Chinese name was confirmed) are taken out.

    python -m tests.english_scan           # each command of the Done-when list, its count, the words

The same function is asserted by tests/test_chinese_words.py (0 words), so it can fail: any word
outside the allow-list counts.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from models.catalog import Catalog, load_catalog
from models.catalog.diff import VOCABULARY_LISTS

# Acronyms and product names a Chinese user reads as they are.
ACRONYMS = frozenset({
    "A", "API", "BOM", "CP", "CSV", "GB", "GBK", "HTTP", "ICS", "ID", "IP", "JSON", "JSONL", "MIIT",
    "NEEQ", "PNG", "RFC", "RMB", "SAT", "SME", "SMEs", "URL", "UTF", "XLSX", "YAML", "OpenAPI",
    "Excel", "Dask", "Parquet", "Python", "pip", "zjtx", "Ctrl", "Swagger", "LocalCluster",
    "OR-Tools", "CP-SAT", "Hypothesis", "Noto", "Sans", "CJK", "SC", "OFL", "GB18030", "GB2312",
    "tcp", "Windows", "DNS", "localhost", "Schema", "macOS", "Linux",
})

# Record fields and the other ids of the JSON contract and the command line.
CONTRACT_IDS = frozenset({
    "id", "name", "credit_code", "district", "entity_type", "industries", "recognitions", "tier",
    "date", "moves", "from", "to", "rewards_received", "measure", "amount", "year",
    "qualifications", "kind", "expenses", "category", "project", "project_year", "listings",
    "board", "patents", "standard_annuity", "paid", "patent_year", "as_of", "innovative",
    "municipal", "national", "privileged", "move", "recognition", "expense", "listing",
    "qualification", "patent", "industry", "reading", "set", "add", "readings", "reform",
    "percent", "cap", "min", "max", "open_above", "scenario", "json", "table", "png", "ics", "csv",
    "xlsx", "jsonl", "parquet", "yaml", "yml", "local", "dask", "auto", "exact", "cp-sat", "zh",
    "en", "true", "false", "null", "stdin", "stdout", "stderr", "row", "field", "message",
    "why", "awards", "total", "not_awarded", "benefits", "warnings", "by_status", "status",
    "due", "past", "received", "projected", "enterprise", "paid_by", "claim_year", "clause",
    "source", "contact", "tel", "ZJTX_LANG", "LANG", "LC_ALL", "zh_CN", "level", "extends", "index",
    "serial", "note",  # the columns of a published list (zjtx recognitions import)
    # The catalog's own keys, as `zjtx measures diff` shows a changed rule or vocabulary entry.
    "vocabulary", "fixed", "up_to", "programmes", "zh_short", "aliases",
    "README",  # a file name (a package's README)
})


def _catalog_ids(catalog: Catalog) -> set[str]:
    ids: set[str] = set()
    vocabulary = catalog.vocabulary
    for kind in ("place", "tier", "entity_type", "industry", "expense_category", "board",
                 "qualification", "level"):
        ids.update(vocabulary.ids(kind))
    ids.add(vocabulary.jurisdiction.id)
    for file, spec in catalog.files.items():
        ids.add(Path(file).stem)
        for measure in spec.measures:
            ids.add(measure.id)
            ids.update(rule.id for rule in measure.rules)
            ids.update(rule.measure for rule in measure.rules if rule.measure)
            ids.update(benefit.id for benefit in measure.benefits)
        ids.update(source.key for source in spec.sources)
    for key, reading in catalog.index.readings.items():
        ids.add(key)
        ids.update(reading.alternatives)
    ids.update(catalog.index.conditions)
    ids.update(catalog.index.windows)
    return ids


def quoted_as_printed(catalog: Catalog) -> list[str]:
    """The clauses the catalog quotes as printed (English): clauses, quotes, benefits, window
    clauses. Longest first: a quote inside its clause goes with the clause."""
    texts: set[str] = set()
    for spec in catalog.files.values():
        for measure in spec.measures:
            texts.add(measure.clause)
            texts.update(rule.quote for rule in measure.rules)
            texts.update(benefit.quote for benefit in measure.benefits)
    texts.update(window.clause for window in catalog.index.windows.values())
    return sorted((text for text in texts if text), key=len, reverse=True)


def printed_names(catalog: Catalog) -> list[str]:
    """The English as printed of every name the catalog may show labelled 英文原文 (a title or
    an office whose official Chinese name was not confirmed)."""
    texts = {catalog.index.brochure.title}
    for spec in catalog.files.values():
        for source in spec.sources:
            texts.update((source.document, source.contact))
    for window in catalog.index.windows.values():
        texts.update((window.who, window.contact, window.tel))
    return [_spaced(text) for text in texts]


def command_names() -> list[str]:
    """Every command and subcommand name of the app (ids: what a person types)."""
    import typer.main

    from cli import app

    group = typer.main.get_command(app)
    names = list(group.commands)  # type: ignore[attr-defined]
    for command in group.commands.values():  # type: ignore[attr-defined]
        names += list(getattr(command, "commands", {}))
    return sorted(set(names), key=len, reverse=True)


# A command as typed: `zjtx whatif`, `zjtx measures list`, `pip install`.
_COMMAND = re.compile(r"\bpip install\b|\bzjtx(?: measures)?(?: (?:" +
                      "|".join(re.escape(n) for n in command_names()) + r"))?\b")
# Part of a clause quoted as printed, labelled: allowed when a clause holds exactly that text.
_CLAUSE_PART = re.compile(r"条款原文，英文版[：:]\s*“([^”]*)”")
# English as printed, labelled: allowed when the catalog prints exactly that text.
_LABELLED = re.compile(r"([A-Za-z][\x20-\x7e’]*?)\s*（英文原文）")


_URL = re.compile(r"(?:https?|tcp)://\S+|[\w.+-]+@[\w-]+\.[\w.]+")
_CHUNK = re.compile(r"[A-Za-z0-9_.\-=@:/\[\]+%'’&]*[A-Za-z][A-Za-z0-9_.\-=@:/\[\]+%'’&]*")
_PARTS = re.compile(r"[=:@/.\[\],+]")
_PATH = re.compile(r"(^|/)[\w.\-]+\.(yaml|yml|json|jsonl|csv|xlsx|parquet|png|ics|txt|md|py|zip|sweep\.csv)$")
# Plain words one space apart ("year total", "the brochure prints"): English prose, even when each
# word alone is an id a person may type (`year`, `total`); a metavar `table|json` is no phrase.
_PHRASE = re.compile(r"(?<![\w.\-/'’|=@:\[])[A-Za-z]+(?: [A-Za-z]+)+(?![\w.\-/'’|=@\]])")


def _spaced(text: str) -> str:
    """Any run of spaces and line breaks as one space (quotes as printed may wrap in a cell)."""
    return re.sub(r"\s+", " ", text)


class Scanner:
    """English words in a command's output, against the allow-list of one catalog."""

    def __init__(self, catalog: Catalog | None = None, extra_ids: Iterable[str] = (),
                 extra_quotes: Iterable[str] = ()) -> None:
        catalog = catalog or load_catalog()
        self.ids = _catalog_ids(catalog) | CONTRACT_IDS | set(VOCABULARY_LISTS) | \
            set(command_names()) | set(extra_ids)
        self.quotes = [_spaced(q) for q in quoted_as_printed(catalog)] + \
            sorted((_spaced(q) for q in extra_quotes), key=len, reverse=True)
        self.printed = printed_names(catalog)

    def _allowed(self, chunk: str) -> bool:
        if re.fullmatch(r"'?\.(zip|yaml|json|jsonl|csv|xlsx|parquet|png|ics|txt|docx)'?", chunk):  # 证据包.zip
            return True
        chunk = chunk.rstrip(".,;:'’-[]").lstrip(".,;:'’[]")
        if not re.search(r"[A-Za-z]", chunk):
            return True
        if re.fullmatch(r"[IVX]+\.?(\([IVX]+\))?\.?|[A-Z]", chunk):  # II.(I); a letter: A股, N
            return True
        if "/" in chunk:  # a path (examples/, tests/catalogs/riverland)
            return True
        if chunk.startswith(("-", "/")) or _PATH.search(chunk) or chunk in ACRONYMS or chunk in self.ids:
            return True
        for part in _PARTS.split(chunk):
            part = part.strip("'’-")
            if not re.search(r"[A-Za-z]", part):
                continue
            if part in self.ids or part in ACRONYMS or re.search(r"\d", part):
                continue
            if "-" in part and all(p in self.ids or re.search(r"\d", p) or p in ACRONYMS
                                   for p in part.split("-")):
                continue
            return False
        return True

    def words(self, output: str) -> list[str]:
        """The English words left in `output` (in order, repeats kept)."""
        text = _spaced(output)
        for quote in self.quotes:
            text = text.replace(quote, " ")
        text = _CLAUSE_PART.sub(lambda m: " " if any(m[1] in q for q in self.quotes) else m[0], text)
        text = _LABELLED.sub(lambda m: " " if any(m[1].strip() in p for p in self.printed)
                             else m[0], text)
        text = _URL.sub(" ", text)
        text = _COMMAND.sub(" ", text)
        found = []
        for phrase in _PHRASE.finditer(text):
            if not all(word in ACRONYMS for word in phrase[0].split()):
                found += phrase[0].split()
                text = text.replace(phrase[0], " ", 1)
        return found + [chunk for chunk in _CHUNK.findall(text) if not self._allowed(chunk)]


def main(argv: list[str]) -> int:
    from tests.test_chinese_words import done_when_runs, scanner as make_scanner

    scanner = make_scanner()
    total = 0
    for label, output in done_when_runs(Path(argv[0]) if argv else None):
        found = scanner.words(output)
        total += len(found)
        common = ", ".join(f"{w}×{n}" if n > 1 else w for w, n in Counter(found).most_common(12))
        print(f"{len(found):5d}  {label}" + (f"   ({common})" if found else ""))
    print(f"{total:5d}  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
