"""Evidence: an answer a bureau can file and check years later.

A bundle (`formats.bundle`: a zip in one fixed layout, with a SHA-256 manifest) holds what was
asked and everything needed to ask it again:

    bundle.json             the question (command, readings, options, the day when it matters),
                            the zjtx version and a fingerprint of its code, the layout version
    record/as-read.yaml     the record file's bytes exactly as read (.json for JSON)
    record/normalized.json  the record as the forgiving input read it (ids, ISO dates, yuan)
    scenario/N/NAME         whatif's scenario files as read (inline changes are in bundle.json)
    policies/N/…            the package a whatif item `catalog=NAME[@DATE]` names (item N), its
                            files as `package/` holds the package used
    package/…               every file of the catalog package used (the package itself, so that
                            it can be evaluated again, not only its hashes)
    package.json            each package file's SHA-256 and size, payer and edition; the
                            jurisdiction, the brochure's date, and the readings (default, used)
    answer.en.json          the answer as `--format json --lang en` prints it (reasons in words)
    answer.zh.json          the same in Chinese
    clauses.json            every clause the answer rests on, verbatim, with its source document,
                            contact office and telephone
    README.txt              what this is and how to check it, in both languages
    MANIFEST.sha256         the SHA-256 of every other member

`evidence_members` builds them; `verify_bundle` reads a bundle strictly (any altered byte is
refused), asks the question again with the package in the bundle, builds the members again and
lists every difference. The same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, TypedDict

import orjson

from formats.bundle import BundleRefused, read_bundle, sha256, write_bundle
from models.catalog import (INDEX_FILE, Catalog, build, load_raw, open_catalog, package_files,
                            using_catalog)
from models.errors import InputError
from models.i18n import LANGS, t, using_lang
from models.packages import carried_packages
from models.record import EnterpriseRecord, parse_record_bytes
from models.scenario import Policies, parse_inline
from solver.questions import Answer, Question, ScenarioFile, ask
from views.reasons import with_text
from views.words import with_names

LAYOUT = 1
BUNDLE_JSON = "bundle.json"
RECORD_AS_READ = "record/as-read."
RECORD_NORMALIZED = "record/normalized.json"
PACKAGE = "package/"
POLICIES = "policies/"
ROOT = Path(__file__).resolve().parent.parent


class Origin(TypedDict):
    """Where a batch row's bundle came from (bundle.json's `origin`)."""

    input: str          # the input file's name
    input_sha256: str
    row: int            # the row number as the file shows it


@functools.cache
def zjtx_version() -> dict[str, str]:
    """The version of zjtx, and the SHA-256 of its code: every Python file and the message
    catalogue (the words of the answer), by relative path. Two checkouts of one version that
    differ in a line have different fingerprints."""
    try:
        version = metadata.version("zjtx")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        version = "unknown"
    files = sorted([ROOT / "cli.py", *(path for folder in ("models", "solver", "views", "formats",
                                                          "service")
                                       for path in (ROOT / folder).rglob("*.py")),
                    *(ROOT / "models" / "i18n").glob("*.yaml")])
    digest = hashlib.sha256()
    for path in files:
        if "__pycache__" in path.parts or not path.is_file():
            continue
        body = path.read_bytes()
        digest.update(f"{path.relative_to(ROOT).as_posix()}\0{len(body)}\0".encode())
        digest.update(body)
    return {"version": version, "code_sha256": digest.hexdigest()}


def _json(data: Any) -> bytes:
    """JSON as `json.dumps(data, ensure_ascii=False, indent=2)` writes it, and a newline (orjson:
    the same bytes, several times faster; `zjtx batch --evidence` writes thousands)."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _question_json(question: Question, policies: dict[int, Policies]) -> dict[str, object]:
    """The question as bundle.json keeps it (a scenario file by its member name; an item naming
    other policies with the package as given and the folder that holds its copy)."""
    items: list[dict[str, str]] = []
    for number, item in enumerate(question.scenario, 1):
        if isinstance(item, ScenarioFile):
            items.append({"file": _scenario_member(number, item)})
        elif number in policies:
            items.append({"inline": item, "package": policies[number].given,
                          "files": _policies_folder(number)})
        else:
            items.append({"inline": item})
    return {"command": question.command, "readings": dict(sorted(question.readings.items())),
            "solver": question.solver, "all_readings": question.all_readings,
            "move_date": question.move_date.isoformat() if question.move_date else None,
            "horizon_years": question.horizon_years, "rank_by": question.rank_by,
            "scenario": items, "sweep": question.sweep,
            "today": question.today.isoformat() if question.today else None}


def _scenario_member(number: int, item: ScenarioFile) -> str:
    return f"scenario/{number}/{Path(item.name).name}"


def _policies_folder(number: int) -> str:
    return f"{POLICIES}{number}/"


def _scenario_policies(question: Question, catalog: Catalog) -> dict[int, Policies]:
    """Item number → the other policies a whatif item names (`catalog=beijing-2025@2025-06-01`),
    read as `ask` reads them."""
    keys = list(catalog.index.readings)
    found: dict[int, Policies] = {}
    for number, item in enumerate(question.scenario, 1):
        if isinstance(item, str):
            policies = parse_inline([item], keys).policies
            if policies is not None:
                found[number] = policies
    return found


def _document(answer: Answer, lang: str) -> dict[str, object]:
    """The answer as `--format json --lang LANG` prints it."""
    with using_lang(lang):
        document: dict[str, object] = with_names(with_text(answer.document()))
        return document


def _measures_in(data: Any, found: set[str]) -> set[str]:
    """Every measure id the answer names (`measure`, and reason parameters `*_measure`)."""
    if isinstance(data, list):
        for item in data:
            _measures_in(item, found)
    elif isinstance(data, dict):
        for key, value in data.items():
            if (key == "measure" or key.endswith("_measure")) and isinstance(value, str):
                found.add(value)
            else:
                _measures_in(value, found)
    return found


def _clauses(document: dict[str, object], catalog: Catalog,
             others: dict[str, Catalog] | None = None) -> list[dict[str, object]]:
    """Every clause the answer (`document`) rests on, verbatim, in catalog order, with its
    sources; then those of other policies (`others`: folder → catalog) that the package used does
    not hold as they do, each with the folder of its package."""
    out = _clauses_of(document, catalog)
    for folder, other in (others or {}).items():
        out += [{**clause, "package": folder} for clause in _clauses_of(document, other)
                if clause not in out]
    return out


def _clauses_of(document: dict[str, object], catalog: Catalog) -> list[dict[str, object]]:
    named = _measures_in(document, set())
    out: list[dict[str, object]] = []
    for family_id, (file, family) in catalog.families.items():
        rules = [rule for rule in catalog.rules if rule.family == family_id
                 and (rule.measure in named or family_id in named)]
        if not rules:
            continue
        out.append({
            "family": family_id, "title": family.title, "file": file,
            "brochure_item": family.brochure_item, "clause": family.clause,
            "rules": [{"id": rule.id, "measure": rule.measure, "quote": rule.spec.quote,
                       "paid_by": rule.payer,
                       "effective_from": _day(rule.spec.effective_from),
                       "effective_to": _day(rule.spec.effective_to),
                       "sources": [{"document": s.document, "contact": s.contact, "tel": s.tel}
                                   for s in rule.sources]} for rule in rules]})
    return out


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _package_json(catalog: Catalog, files: dict[str, bytes], readings: dict[str, str],
                  others: list[dict[str, object]]) -> dict[str, object]:
    """The package as used: each file's SHA-256, size, payer and edition; the readings; and the
    other policies a whatif item names (`others`), when there are."""
    used = catalog.resolve_readings(readings)
    brochure = catalog.index.brochure
    return {"jurisdiction": catalog.index.jurisdiction.id,
            "brochure": {"title": brochure.title, "as_of": brochure.as_of, "file": brochure.file},
            "files": _file_entries(catalog, files),
            "readings": {key: {"default": spec.default, "used": used[key],
                               "alternatives": list(spec.alternatives)}
                         for key, spec in catalog.index.readings.items()},
            **({"policies": others} if others else {})}


def _file_entries(catalog: Catalog, files: dict[str, bytes]) -> list[dict[str, object]]:
    """Each file of a package: its SHA-256, size, and what it is (payer and edition)."""
    entries = []
    for name, data in sorted(files.items()):
        spec = catalog.files.get(name)
        entry: dict[str, object] = {"name": name, "sha256": sha256(data), "bytes": len(data)}
        if name == INDEX_FILE:
            entry["kind"] = "index"
        elif spec is None:
            entry["kind"] = "source text"
        else:
            entry |= {"kind": "source document", "payer": spec.payer,
                      "documents": [source.document for source in spec.sources],
                      "edition": None if spec.edition is None else {
                          "in_force_from": spec.edition.in_force_from.isoformat(),
                          "title": spec.edition.title, "closes": list(spec.edition.closes)}}
        entries.append(entry)
    return entries


def _readme(question: Question, document: dict[str, object], version: dict[str, str]) -> bytes:
    lines = [t("evidence.readme", lang, command=question.command,
               enterprise=document.get("enterprise", ""), version=version["version"])
             for lang in LANGS]
    return ("\n\n".join(lines) + "\n").encode("utf-8")


def evidence_members(question: Question, raw_record: bytes, as_json: bool,
                     record: EnterpriseRecord, answer: Answer, catalog: Catalog,
                     origin: Origin | None = None) -> dict[str, bytes]:
    """Every member of the bundle but the manifest (name → bytes). `origin`: where a batch row
    came from (the input's name and SHA-256, the row number)."""
    version = zjtx_version()
    with using_catalog(catalog):
        files = package_files(catalog)
        policies = _scenario_policies(question, catalog)
        # Other policies a whatif item names: the package itself (whole: the item's date is in
        # the question), so that verify asks again with the copy filed.
        others = {_policies_folder(number): open_catalog(Path(p.directory))
                  for number, p in policies.items()}
        other_files = {folder: package_files(other) for folder, other in others.items()}
        described: list[dict[str, object]] = [{"item": number, "package": p.given,
                      "in_force": _day(p.in_force), "folder": _policies_folder(number),
                      "files": _file_entries(others[_policies_folder(number)],
                                             other_files[_policies_folder(number)])}
                     for number, p in policies.items()]
        documents = {lang: _document(answer, lang) for lang in LANGS}
        members = {
            BUNDLE_JSON: _json({
                "what": "zjtx evidence bundle", "layout": LAYOUT, "zjtx": version,
                "question": _question_json(question, policies),
                "record": RECORD_AS_READ + ("json" if as_json else "yaml"),
                **({"origin": origin} if origin else {})}),
            RECORD_AS_READ + ("json" if as_json else "yaml"): raw_record,
            RECORD_NORMALIZED: _json(record.model_dump(mode="json", by_alias=True)),
            "package.json": _json(_package_json(catalog, files, question.readings, described)),
            "clauses.json": _json(_clauses(documents["en"], catalog, others)),
            "README.txt": _readme(question, documents["en"], version),
            **{f"answer.{lang}.json": _json(documents[lang]) for lang in LANGS},
            **{PACKAGE + name: data for name, data in files.items()},
            **{folder + name: data for folder, held in other_files.items()
               for name, data in held.items()},
        }
    for number, item in enumerate(question.scenario, 1):
        if isinstance(item, ScenarioFile):
            members[_scenario_member(number, item)] = item.data
    return members


def evidence_bundle(question: Question, raw_record: bytes, as_json: bool,
                    record: EnterpriseRecord, answer: Answer, catalog: Catalog,
                    origin: Origin | None = None) -> bytes:
    """The bundle's bytes (`formats.bundle.write_bundle` of `evidence_members`)."""
    return write_bundle(evidence_members(question, raw_record, as_json, record, answer, catalog,
                                         origin))


# -- verify -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    """One place where the bundle and the answer worked out again differ."""

    member: str
    path: str            # a JSON path inside the member (`awards[0].amount.max`), or ""
    filed: Any
    now: Any

    def as_dict(self) -> dict[str, object]:
        return {"member": self.member, "path": self.path, "filed": self.filed, "now": self.now}


@dataclass(frozen=True)
class Verification:
    """What `zjtx verify` found: the bundle untouched (else BundleRefused was raised), who made
    it, what it answers, and every difference from the answer worked out again."""

    sha256: str
    members: int
    command: str
    enterprise: str
    made_by: dict[str, str]
    verified_by: dict[str, str]
    package_files: int
    differences: tuple[Difference, ...]
    problem: str | None = None     # the question could not be answered again (and why)

    @property
    def identical(self) -> bool:
        return not self.differences and self.problem is None

    def as_dict(self) -> dict[str, object]:
        return {"sha256": self.sha256, "untouched": True, "members": self.members,
                "command": self.command, "enterprise": self.enterprise,
                "made_by": self.made_by, "verified_by": self.verified_by,
                "package_files": self.package_files, "identical": self.identical,
                "problem": self.problem,
                "differences": [difference.as_dict() for difference in self.differences]}


def _diff(member: str, filed: Any, now: Any, path: str, out: list[Difference]) -> None:
    """Every leaf where two JSON values differ (a list of another length differs as a whole)."""
    if isinstance(filed, dict) and isinstance(now, dict):
        for key in [*filed, *(k for k in now if k not in filed)]:
            _diff(member, filed.get(key), now.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(filed, list) and isinstance(now, list) and len(filed) == len(now):
        for number, (one, other) in enumerate(zip(filed, now)):
            _diff(member, one, other, f"{path}[{number}]", out)
    elif filed != now or type(filed) is not type(now):
        out.append(Difference(member, path, filed, now))


def _differences(filed: dict[str, bytes], now: dict[str, bytes]) -> list[Difference]:
    out: list[Difference] = []
    for member in sorted(set(filed) | set(now)):
        one, other = filed.get(member), now.get(member)
        if one == other:
            continue
        if one is None or other is None:
            out.append(Difference(member, "", "present" if one is not None else None,
                                  "present" if other is not None else None))
            continue
        if member.endswith(".json"):
            old, new = json.loads(one), json.loads(other)
            if member == BUNDLE_JSON:  # who made it is reported, not compared
                old.pop("zjtx", None)
                new.pop("zjtx", None)
            _diff(member, old, new, "", out)
        else:
            out.append(Difference(member, "", sha256(one), sha256(other)))
    return out


def _bundle_json(members: dict[str, bytes], source: str) -> dict[str, Any]:
    """bundle.json, checked to be one this zjtx can read (else an InputError saying so)."""
    try:
        data = json.loads(members[BUNDLE_JSON])
        if data["layout"] != LAYOUT:
            raise InputError(t("verify.layout", layout=data["layout"], known=LAYOUT), file=source)
        question = data["question"]
        if not isinstance(question, dict) or data["record"] not in members:
            raise KeyError("question")
        return dict(data)
    except InputError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleRefused(t("verify.not_evidence", problem=ascii(str(exc))[:80]), file=source) \
            from None


def _question_from(data: dict[str, Any], members: dict[str, bytes], source: str) -> Question:
    q = data["question"]
    try:
        items: list[str | ScenarioFile] = []
        for item in q["scenario"]:
            if "file" in item:
                items.append(ScenarioFile(name=Path(item["file"]).name, data=members[item["file"]]))
            else:
                items.append(str(item["inline"]))
        return Question(
            command=str(q["command"]), readings={str(k): str(v) for k, v in q["readings"].items()},
            solver=str(q["solver"]), all_readings=bool(q["all_readings"]),
            move_date=dt.date.fromisoformat(q["move_date"]) if q["move_date"] else None,
            horizon_years=int(q["horizon_years"]), rank_by=str(q["rank_by"]),
            scenario=tuple(items), sweep=q["sweep"],
            today=dt.date.fromisoformat(q["today"]) if q["today"] else None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleRefused(t("verify.not_evidence", problem=ascii(str(exc))[:80]), file=source) \
            from None


def _carried(about: dict[str, Any], source: str) -> dict[str, str]:
    """The other policies whatif items named: each package as given → the folder of its copy
    (`policies/N/`, item N's own)."""
    carried: dict[str, str] = {}
    for number, item in enumerate(about["question"]["scenario"], 1):
        if isinstance(item, dict) and "package" in item:
            if item.get("files") != _policies_folder(number):
                raise BundleRefused(t("verify.not_evidence", problem=ascii(str(item))[:80]),
                                    file=source)
            carried[str(item["package"])] = _policies_folder(number)
    return carried


def verify_bundle(data: bytes, source: str) -> Verification:
    """Check a bundle: untouched (else BundleRefused), then asked again with its own package;
    every member worked out again is compared with the one filed."""
    members = read_bundle(data, source)
    about = _bundle_json(members, source)
    question = _question_from(about, members, source)
    record_member = str(about["record"])
    filed_answer = json.loads(members.get("answer.en.json", b"{}") or b"{}")
    enterprise = str(filed_answer.get("enterprise", "")) if isinstance(filed_answer, dict) else ""
    package = {name[len(PACKAGE):]: body for name, body in members.items()
               if name.startswith(PACKAGE)}
    carried = _carried(about, source)

    def verification(differences: tuple[Difference, ...], problem: str | None = None) -> Verification:
        return Verification(sha256=sha256(data), members=len(members) + 1,
                            command=question.command, enterprise=enterprise,
                            made_by=dict(about.get("zjtx") or {}), verified_by=zjtx_version(),
                            package_files=len(package), differences=differences, problem=problem)

    with tempfile.TemporaryDirectory(prefix="zjtx-verify-") as folder:
        root = Path(folder)
        for name, body in members.items():  # names checked by read_bundle: none climbs out
            if name.startswith((PACKAGE, POLICIES)):
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(body)
        index, files, loaded = load_raw(root / PACKAGE)
        catalog = build(root / PACKAGE, index, files, loaded)
        copies = {given: root / folder for given, folder in carried.items()}
        try:
            with using_catalog(catalog), carried_packages(copies):
                raw = members[record_member]
                as_json = record_member.endswith(".json")
                record = parse_record_bytes(raw, source=f"{source}: {record_member}",
                                            as_json=as_json, catalog=catalog)
                answer = ask(question, record, catalog)
                again = evidence_members(question, raw, as_json, record, answer, catalog,
                                         about.get("origin"))
        except InputError as exc:
            return verification((), str(exc))
    return verification(tuple(_differences(members, again)))


# -- batch --------------------------------------------------------------------------------------------

SUMS = "SHA256SUMS"


def check_evidence_folder(directory: Path) -> None:
    """The folder batch bundles go to: new or empty (no bundle is ever written over)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(t("evidence.directory_not_empty"), file=str(directory),
                         field="--evidence", accepted=t("accepted.new_folder"))


def bundle_name(number: int, ident: str) -> str:
    """`E-0001-row2.zip`: the id as far as it is safe in a file name, and the row number."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in ident)[:60].strip("_")
    return f"{safe or 'row'}-row{number}.zip"


def write_row_bundles(input_path: Path, directory: Path, readings: dict[str, str], *,
                      catalog: Catalog, today: dt.date, encoding: str | None = None,
                      column_map: dict[str, str] | None = None,
                      on_progress: Callable[[int], None] | None = None) -> int:
    """One bundle per valid row of a batch input (`zjtx batch --evidence DIR`): the row's full
    evaluation under the run's readings, the row as the reader read it (its cells by field, as
    JSON: `record/as-read.json`), and in bundle.json the input's name and SHA-256 and the row
    number. Rows that are errors get none (they are in the errors file). Writes DIR/SHA256SUMS
    (`sha256sum -c` reads it) and returns the number of bundles."""
    from formats.tables import read_rows
    from formats.worklist import read_records

    with input_path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    directory.mkdir(parents=True, exist_ok=True)
    sums: list[str] = []
    rows = read_rows(input_path, encoding=encoding, column_map=column_map)
    with using_catalog(catalog):
        for number, data, record, _problem in read_records(rows):
            if record is None or data is None:
                continue
            raw = (json.dumps(data, ensure_ascii=False, default=str) + "\n").encode("utf-8")
            question = Question("evaluate", dict(readings)).on(record, today)
            bundle = evidence_bundle(question, raw, True, record, ask(question, record, catalog),
                                     catalog, {"input": input_path.name,
                                               "input_sha256": digest.hexdigest(), "row": number})
            name = bundle_name(number, record.id)
            (directory / name).write_bytes(bundle)
            sums.append(f"{sha256(bundle)}  {name}\n")
            if on_progress is not None:
                on_progress(len(sums))
    (directory / SUMS).write_text("".join(sums), encoding="utf-8")
    return len(sums)
