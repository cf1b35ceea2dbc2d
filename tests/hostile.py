"""The hostile corpus of issue 20, as builders: small files that each press on one bound (a long
digit string, an alias bomb, a lone surrogate, a file of two encodings, a spreadsheet bomb, a line
longer than a record, a catalog pushed past its limits…). tests/test_hostile_*.py run them through
the CLI, batch (local, `--jobs 2`, Dask) and the service; `benchmarks/hostile_corpus.py` runs each
as a separate process and records its time and peak memory (README, "Hostile inputs").

Every builder writes into a folder and returns what it made; nothing here is policy data.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from models.limits import MAX_LINE_BYTES, MAX_SHARED_STRINGS, MAX_XLSX_STRINGS_BYTES

ROOT = Path(__file__).resolve().parent.parent
RIVERLAND = ROOT / "tests" / "catalogs" / "riverland"

RECORD = {"id": "H-1", "district": "daxing", "as_of": "2026-01-01",
          "recognitions": [{"tier": "municipal", "date": "2022-06-30"}],
          "expenses": [{"id": "e1", "category": "exhibition", "amount": 100000, "year": 2025}]}
DIGITS = "9" * 5000                      # past Python's 4,300-digit limit for int()
FORMULA = "=cmd|' /C calc'!A0"           # OWASP's example of a cell that runs a command


def record(**changes: object) -> dict:
    return json.loads(json.dumps({**RECORD, **changes}))


def alias_bomb(levels: int = 9) -> str:
    """YAML of a few hundred bytes whose last alias stands for 9**levels strings (the billion
    laughs): `district: *i` names a list of 387 million items at 9 levels."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghijklmnop"[:levels - 1]:
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n", previous


def bomb_record(levels: int = 9) -> str:
    """A record whose `district` is an alias bomb (an unknown field holds the anchors)."""
    anchors, last = alias_bomb(levels)
    return ("id: H-1\nas_of: 2026-01-01\nlaughs:\n" + "".join("  " + line + "\n"
                                                            for line in anchors.splitlines())
            + f"district: *{last}\n")


# -- spreadsheets -------------------------------------------------------------------------------
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
       'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
       'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
       'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
       'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/>{strings}</Types>')
_CT_STRINGS = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
               'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_BOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
         'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
         '2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
              'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
              '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
              '"worksheets/sheet1.xml"/>{strings}</Relationships>')
_BOOK_RELS_STRINGS = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                      'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')


def _cell(ref: str, value: object) -> str:
    if isinstance(value, tuple):  # (type, raw value): a cell written as a hostile file writes it
        return f'<c r="{ref}" t="{value[0]}"><v>{value[1]}</v></c>' if value[0] else \
            f'<c r="{ref}"><v>{value[1]}</v></c>'
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def sheet_xml(rows: list[tuple[int, list[object]]], dimension: str = "A1:C3") -> bytes:
    """A worksheet of `(row number, cells)`: rows may skip numbers, as a real sheet may."""
    body = "".join(f'<row r="{number}">' + "".join(_cell(f"{'ABCDEFGH'[i]}{number}", value)
                                                   for i, value in enumerate(cells)) + "</row>"
                   for number, cells in rows)
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>').encode()


def xlsx(path: Path, sheet: bytes, strings: bytes | None = None) -> Path:
    """A minimal workbook as Excel lays it out, with the sheet and shared strings given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CT.format(strings=_CT_STRINGS if strings else ""))
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _BOOK)
        book.writestr("xl/_rels/workbook.xml.rels",
                      _BOOK_RELS.format(strings=_BOOK_RELS_STRINGS if strings else ""))
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        if strings:
            book.writestr("xl/sharedStrings.xml", strings)
    return path


HEADER = (1, ["id", "district", "name"])


def xlsx_rows_bomb(path: Path) -> Path:
    """2 KB: rows 2, 3 and 99,999,999, a dimension of every column of 99,999,999 rows (before:
    166 s filling the gaps), a `NaN` number cell (before: a traceback, partial files left)."""
    return xlsx(path, sheet_xml([HEADER, (2, ["X-1", "daxing", "ok"]),
                                 (3, ["X-2", "daxing", ("", "NaN")]),
                                 (1_000_000, ["X-3", "daxing", "far down, still a sheet row"]),
                                 (99_999_999, ["X-4", "daxing", "beyond any sheet"])],
                                "A1:XFD99999999"))


def xlsx_one_big_string(path: Path) -> Path:
    """One shared string just over the cap of a part read whole (a 1 GiB string in 1 MB was
    5 GB of memory; the cap is checked on the sizes the zip declares, before unpacking)."""
    text = b"a" * (MAX_XLSX_STRINGS_BYTES + 1)
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b"<si><t>" + text + b"</t></si></sst>")
    return xlsx(path, sheet_xml([HEADER, (2, ["X-1", "daxing", ("s", 0)])]), strings)


def xlsx_many_strings(path: Path) -> Path:
    """One shared string more than the bound (5 million in 220 KB took 147 s)."""
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + b"<si><t/></si>" * (MAX_SHARED_STRINGS + 1) + b"</sst>")
    return xlsx(path, sheet_xml([HEADER, (2, ["X-1", "daxing", "ok"])]), strings)


# -- line files ---------------------------------------------------------------------------------
def long_line(size: int = MAX_LINE_BYTES + 1000) -> str:
    """A JSON object on one line of `size` bytes (a record's name far past any bound)."""
    head = json.dumps({"id": "LONG", "district": "daxing", "name": ""})
    return head[:-2] + "x" * (size - len(head)) + '"}'


def hostile_jsonl(path: Path) -> tuple[Path, dict[str, str]]:
    """A JSON Lines input with one hostile line of each kind between good ones; the message
    each bad line's error row must hold, by id."""
    lines = [json.dumps(record(id="OK-1")),
             json.dumps(record(id="SURROGATE")).replace('"SURROGATE"', '"\\ud800"'),
             json.dumps(record(id="NAME-SURROGATE", name="x")).replace('"x"', '"\\udfff"'),
             json.dumps(record(id="DIGITS", expenses=[{**RECORD["expenses"][0], "year": DIGITS}])),
             json.dumps(record(id="AMOUNT", expenses=[{**RECORD["expenses"][0], "amount": DIGITS}])),
             json.dumps(record(id="WIDE", district="d" * 300_000)),
             long_line(),
             json.dumps(record(id="OK-2"))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, {"row 2": "lone surrogate", "row 3": "lone surrogate",
                  "DIGITS": "5,000 digits", "AMOUNT": "5,000 digits", "WIDE": "not a known district",
                  "row 7": "at most 4,000,000"}


def mixed_csv(path: Path) -> Path:
    """A UTF-8 CSV without BOM into which one GBK line was pasted (before: read whole as GB18030,
    every name garbled, exit 0), and a line longer than a record."""
    data = ("编号,注册区,企业名称\nA1,大兴,氢能科技\n".encode("utf-8") + "A2,大兴,北方重工\n".encode("gbk")
            + "A3,大兴,华夏动力\n".encode("utf-8")
            + b"A4,daxing," + b"x" * (MAX_LINE_BYTES + 10) + b"\n" + b"A5,daxing,fine\n")
    path.write_bytes(data)
    return path


# -- catalogs -----------------------------------------------------------------------------------
def riverland_copy(folder: Path) -> Path:
    """A copy of the fictional Riverland package to break."""
    target = folder / "riverland"
    shutil.copytree(RIVERLAND, target)
    return target


def extends_chain(folder: Path, links: int) -> Path:
    """`links` packages each extending the next, ending in Riverland (2,000 was a RecursionError)."""
    base = riverland_copy(folder)
    previous = base
    for number in range(links):
        package = folder / f"link{number}"
        package.mkdir()
        (package / "index.yaml").write_text(f"extends: ../{previous.name}\n", encoding="utf-8")
        previous = package
    return previous


def many_rules(folder: Path, rules: int) -> Path:
    """Riverland with `rules` tier rules in North (one measure each, one R1 group, each clause in
    the source text): `measures lint` and `evaluate` must stay linear in the rules."""
    package = riverland_copy(folder)
    clauses, measures = [], []
    for number in range(rules):
        amount = 10_000 + number
        clause = (f"{number + 2}. North District, rule {number}: a one-time incentive of RMB "
                  f"{amount:,} will be granted to sapling enterprises.")
        clauses.append(clause)
        measures.append(
            f"  - id: north.many{number}\n    title: North rule {number}\n"
            f"    names: {{zh: 北区规则{number}, en: North rule {number}}}\n    brochure_item: 1\n"
            f"    clause: {json.dumps(clause)}\n    rules:\n"
            f"      - id: north.many{number}\n        kind: tier_reward\n"
            f"        quote: \"a one-time incentive of RMB {amount:,}\"\n"
            f"        r1_group: north.tier\n        levels:\n          sapling: {{fixed: {amount}}}\n")
    north = (package / "north.yaml").read_text(encoding="utf-8")
    (package / "north.yaml").write_text(north.rstrip("\n") + "\n" + "".join(measures),
                                        encoding="utf-8")
    text = package / "source" / "riverland-policies.txt"
    text.write_text(text.read_text(encoding="utf-8") + "\n" + "\n".join(clauses) + "\n",
                    encoding="utf-8")
    return package


RIVERLAND_RECORD = {"id": "R-1", "district": "north", "as_of": "2026-01-01",
                    "recognitions": [{"tier": "sapling", "date": "2024-03-01"}]}
