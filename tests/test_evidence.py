"""Evidence a bureau can file (#25, part 1): `--evidence FILE.zip` on evaluate, timeline,
best-district and whatif writes a deterministic bundle (the record as read and as normalized, the
package, the answer in both languages, the clauses, the version, a SHA-256 manifest); `zjtx
verify` refuses a bundle any byte of which was altered (exit 2), asks the question again with the
package in the bundle and says whether the answer is identical (exit 0) or what differs (exit 1);
hostile archives are clear refusals."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from formats.bundle import MANIFEST, BundleRefused, manifest_of, read_bundle, sha256, write_bundle
from formats.evidence import evidence_bundle, verify_bundle
from models.catalog import open_catalog
from models.limits import MAX_BUNDLE_MEMBERS
from models.record import parse_record_bytes
from solver.questions import Question, ask
from tests.support import assert_input_error

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHIJINGSHAN = EXAMPLES / "shijingshan-municipal-then-national.yaml"
RELOCATING = EXAMPLES / "relocating-little-giant.yaml"
RIVERLAND = ROOT / "tests" / "catalogs" / "riverland"
LATER_EDITION = ROOT / "tests" / "catalogs" / "beijing-later-edition"
RIVER_RECORD = b"id: R1\ndistrict: north\nas_of: 2026-01-01\nrecognitions:\n  - {tier: sapling, date: 2024-05-01}\n"
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(arg) for arg in args])


def made(tmp_path: Path, *args: object, name: str = "answer.zip") -> bytes:
    """Run a command with --evidence; the bundle's bytes (the command succeeded)."""
    out = tmp_path / name
    result = invoke(*args, "--evidence", out)
    assert result.exit_code == 0, (result.output, result.exception)
    assert f"SHA-256 {sha256(out.read_bytes())}" in result.stderr
    return out.read_bytes()


@cache
def river_bundle() -> bytes:
    """A small bundle (the fictional Riverland package) for byte-by-byte tampering."""
    catalog = open_catalog(RIVERLAND)
    record = parse_record_bytes(RIVER_RECORD, source="r.yaml", as_json=False, catalog=catalog)
    question = Question("evaluate").on(record, dt.date(2026, 12, 1))
    from models.catalog import using_catalog
    with using_catalog(catalog):
        answer = ask(question, record, catalog)
        return evidence_bundle(question, RIVER_RECORD, False, record, answer, catalog)


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def forged(data: bytes, **changes: bytes) -> bytes:
    """A forger's bundle: members changed and the manifest and layout written again (what one
    byte flipped can never do, and what only the answer worked out again can catch)."""
    members = members_of(data)
    members.pop(MANIFEST)
    members.update(changes)
    return write_bundle(members)


# -- making ---------------------------------------------------------------------------------------

def test_an_evaluation_filed_today_verifies_and_holds_what_the_issue_lists(tmp_path: Path) -> None:
    data = made(tmp_path, "evaluate", SHIJINGSHAN)
    members = members_of(data)
    assert members["record/as-read.yaml"] == SHIJINGSHAN.read_bytes()  # the bytes as read
    normalized = json.loads(members["record/normalized.json"])
    assert normalized["district"] == "shijingshan" and normalized["recognitions"][1] == {"tier": "municipal", "date": "2022-09-30"}
    # The package itself (so it can be evaluated again), with every file's SHA-256 and edition.
    package = json.loads(members["package.json"])
    shipped = ROOT / "models" / "catalog"
    for entry in package["files"]:
        assert members["package/" + entry["name"]] == (shipped / entry["name"]).read_bytes()
        assert entry["sha256"] == sha256((shipped / entry["name"]).read_bytes())
    assert {entry["name"] for entry in package["files"]} >= {"index.yaml", "shijingshan.yaml",
                                                             "source/beijing-sme-support-brochure.txt"}
    assert package["readings"]["claim-lag"]["used"] == package["readings"]["claim-lag"]["default"]
    # The answer as --format json prints it, in each language, with its reasons in words.
    for lang in ("en", "zh"):
        printed = invoke("evaluate", SHIJINGSHAN, "--format", "json", "--lang", lang)
        assert json.loads(members[f"answer.{lang}.json"]) == json.loads(printed.stdout)
    zh = json.loads(members["answer.zh.json"])
    assert zh["total"]["max"] == 800_000 and "国家级" in zh["awards"][-1]["why"]
    # Every clause the answer rests on, verbatim with its source and telephone.
    clauses = {entry["family"]: entry for entry in json.loads(members["clauses.json"])}
    rule = clauses["shijingshan.tier"]["rules"][0]
    assert rule["quote"] in clauses["shijingshan.tier"]["clause"]
    assert rule["sources"][0]["tel"] and rule["paid_by"] == "shijingshan"
    about = json.loads(members["bundle.json"])
    assert about["zjtx"]["version"] and len(about["zjtx"]["code_sha256"]) == 64
    assert about["question"]["command"] == "evaluate"
    assert about["question"]["today"] is None  # the record has as_of: the day does not matter
    assert members[MANIFEST] == manifest_of({k: v for k, v in members.items() if k != MANIFEST})
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None  # any unzip tool reads it
    path = tmp_path / "answer.zip"
    result = invoke("verify", path)
    assert result.exit_code == 0, result.output
    assert "untouched" in result.stdout and "the answer is identical" in result.stdout
    assert sha256(data) in result.stdout


def test_the_same_inputs_give_byte_identical_bundles_in_another_process(tmp_path: Path) -> None:
    here = made(tmp_path, "evaluate", SHIJINGSHAN)
    again = tmp_path / "again.zip"
    subprocess.run([sys.executable, "-c", "from cli import app; app()", "evaluate",
                    str(SHIJINGSHAN), "--evidence", str(again), "--format", "json"],
                   check=True, capture_output=True, cwd=ROOT,
                   env={**os.environ, "PYTHONHASHSEED": "12345", "ZJTX_LANG": "zh"})
    assert again.read_bytes() == here  # neither the language, the hash seed nor the format matters


def test_a_record_without_as_of_keeps_the_day_and_verifies_on_any_later_day(tmp_path: Path) -> None:
    raw = b'{"id": "N-1", "district": "dongcheng", "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}'
    catalog = open_catalog()
    record = parse_record_bytes(raw, source="n.json", as_json=True, catalog=catalog)
    question = Question("evaluate").on(record, dt.date(2024, 6, 1))
    assert question.today == dt.date(2024, 6, 1)
    bundle = evidence_bundle(question, raw, True, record, ask(question, record, catalog), catalog)
    answer = json.loads(members_of(bundle)["answer.en.json"])
    assert answer["as_of"] == "2024-06-01" and answer["awards"][0]["status"] == "due"
    found = verify_bundle(bundle, "n.zip")  # today is long after 2024-06-01: the kept day counts
    assert found.identical, found.differences
    other_day = Question("evaluate").on(record, dt.date(2026, 6, 1))
    assert evidence_bundle(other_day, raw, True, record, ask(other_day, record, catalog),
                           catalog) != bundle


@pytest.mark.parametrize("args", [
    ("best-district", RELOCATING, "--move-date", "2027-01-15", "--rank-by", "min"),
    ("timeline", EXAMPLES / "daxing-hydrogen-full.yaml", "--reading", "claim-lag=as-written"),
    ("whatif", SHIJINGSHAN, "move=dongcheng@2024-01-01", "stacking=difference-only"),
    ("whatif", EXAMPLES / "dongcheng-municipal-then-national.yaml", "--sweep",
     "dongcheng.tier.national.amount=0..1000000:500000"),
    ("evaluate", EXAMPLES / "dongcheng-municipal-then-national.yaml", "--all-readings"),
    ("evaluate", EXAMPLES / "dongcheng-municipal-then-national.yaml", "--catalog", LATER_EDITION),
    ("evaluate", EXAMPLES / "dongcheng-municipal-then-national.yaml", "--catalog", "beijing-2025"),
], ids=["best-district", "timeline", "whatif", "sweep", "all-readings", "extended-package",
        "shipped-later-package"])
def test_every_command_files_evidence_that_verifies(tmp_path: Path, args: tuple[object, ...]) -> None:
    data = made(tmp_path, *args, "--format", "json")
    printed = json.loads(invoke(*args, "--format", "json").stdout)
    assert json.loads(members_of(data)["answer.en.json"]) == printed
    found = verify_bundle(data, "answer.zip")
    assert found.identical, found.differences
    assert found.command == args[0]


def test_a_scenario_file_travels_in_the_bundle(tmp_path: Path) -> None:
    scenario = tmp_path / "move-to-daxing.yaml"
    scenario.write_text("move: {to: daxing, date: 2027-01-15}\n", encoding="utf-8")
    data = made(tmp_path, "whatif", RELOCATING, scenario, "industry=commercial_aerospace")
    members = members_of(data)
    assert members["scenario/1/move-to-daxing.yaml"] == scenario.read_bytes()
    assert json.loads(members["answer.en.json"])["scenario"].startswith("move-to-daxing")
    scenario.unlink()  # verify needs nothing but the bundle
    assert verify_bundle(data, "answer.zip").identical


def test_other_policies_a_whatif_names_travel_in_the_bundle(tmp_path: Path) -> None:
    """`whatif RECORD catalog=PACKAGE[@DATE]` rests on a second package: the bundle files it
    (policies/1/, its sums in package.json, its clauses), and verify asks again with that copy —
    a package edited or gone since the day of filing changes nothing."""
    drafts = tmp_path / "drafts"
    assert invoke("measures", "export", drafts, "--catalog", "beijing-2025").exit_code == 0
    record = tmp_path / "fs.json"
    record.write_text(json.dumps({"id": "FS-1", "district": "fangshan", "as_of": "2026-11-24",
                                  "recognitions": [{"tier": "municipal", "date": "2025-06-01"}]}),
                      encoding="utf-8")
    data = made(tmp_path, "whatif", record, f"catalog={drafts}@2025-06-01", "--format", "json")
    members = members_of(data)
    answer = json.loads(members["answer.en.json"])
    assert [(a["measure"], a["amount"]["max"]) for a in answer["gained"]] == [("fangshan.tier", 200_000)]
    assert members["policies/1/fangshan-2025.yaml"] == (drafts / "fangshan-2025.yaml").read_bytes()
    [filed] = json.loads(members["package.json"])["policies"]
    assert (filed["package"], filed["in_force"], filed["folder"]) == (str(drafts), "2025-06-01", "policies/1/")
    assert {"name": "fangshan-2025.yaml", "sha256": sha256(members["policies/1/fangshan-2025.yaml"])}.items() \
        <= next(f for f in filed["files"] if f["name"] == "fangshan-2025.yaml").items()
    [clause] = [c for c in json.loads(members["clauses.json"]) if c["family"] == "fangshan.tier"]
    assert clause["package"] == "policies/1/" and "20万元" in clause["rules"][0]["quote"]
    assert verify_bundle(data, "answer.zip").identical
    # The package edited after filing (the amount halved), then gone: the filed copy answers.
    edited = drafts / "fangshan-2025.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("200000", "100000"), encoding="utf-8")
    assert verify_bundle(data, "answer.zip").identical
    shutil.rmtree(drafts)
    assert verify_bundle(data, "answer.zip").identical
    # The shipped package by name: the same.
    data = made(tmp_path, "whatif", record, "catalog=beijing-2025", name="shipped.zip")
    assert "policies/1/index.yaml" in members_of(data) and verify_bundle(data, "shipped.zip").identical


def test_the_evidence_never_overwrites_its_input(tmp_path: Path) -> None:
    record = tmp_path / "r.yaml"
    record.write_bytes(SHIJINGSHAN.read_bytes())
    result = invoke("evaluate", record, "--evidence", record)
    assert_input_error(result, "--evidence", "overwrite the input")
    assert record.read_bytes() == SHIJINGSHAN.read_bytes()


# -- tampering -------------------------------------------------------------------------------------

def structure_positions(data: bytes) -> list[int]:
    """Every byte that is not a member's content but the manifest's: local headers and names,
    the central directory, the end record — and the manifest, and each member's first and last."""
    positions: set[int] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        start = min(info.header_offset for info in infos)
        central = struct.unpack("<I", data[-6:-2])[0]
        for info in infos:
            body = info.header_offset + 30 + len(info.filename.encode())
            positions.update(range(info.header_offset, body))
            if info.filename == MANIFEST:
                positions.update(range(body, body + info.file_size))
            elif info.file_size:
                positions.update({body, body + info.file_size - 1})
    assert start == 0
    positions.update(range(central, len(data)))
    return sorted(positions)


def test_altering_any_byte_of_the_structure_and_a_sample_of_the_rest_is_refused() -> None:
    data = river_bundle()
    assert read_bundle(data, "r.zip")  # untouched: read
    positions = structure_positions(data)
    rng = random.Random(25)
    positions += rng.sample(range(len(data)), 200)
    for number, position in enumerate(positions):
        mask = (0x01, 0x80, 0xFF, 0x20)[number % 4]
        altered = bytearray(data)
        altered[position] ^= mask
        with pytest.raises(BundleRefused):
            read_bundle(bytes(altered), "r.zip")
    assert len(set(positions)) > 1_500


@pytest.mark.slow
def test_altering_any_byte_of_a_bundle_is_refused() -> None:
    """Every byte of the small bundle, each XOR-ed with one of three masks in turn (the lowest
    bit, the highest, all eight): not one altered file is read as a bundle (benchmarks/
    evidence_tamper.py tries all three masks at every byte)."""
    data = river_bundle()
    refused = 0
    for position in range(len(data)):
        altered = bytearray(data)
        altered[position] ^= (0x01, 0x80, 0xFF)[position % 3]
        with pytest.raises(BundleRefused):
            read_bundle(bytes(altered), "r.zip")
        refused += 1
    assert refused == len(data) > 15_000


@pytest.mark.parametrize("change", ["append", "truncate", "comment", "prepend"])
def test_bytes_added_or_taken_away_are_refused(change: str) -> None:
    data = river_bundle()
    altered = {"append": data + b"\0", "truncate": data[:-1], "prepend": b"PK" + data,
               "comment": data[:-2] + struct.pack("<H", 4) + b"note"}[change]
    with pytest.raises(BundleRefused):
        read_bundle(altered, "r.zip")


def test_verify_refuses_an_altered_bundle_with_one_line_and_exit_2(tmp_path: Path) -> None:
    data = bytearray(river_bundle())
    position = data.index(b"50000")  # an amount inside answer.en.json
    data[position] = ord("9")
    path = tmp_path / "r.zip"
    path.write_bytes(bytes(data))
    line = assert_input_error(invoke("verify", path), "r.zip", "answer.en.json", "changed")
    zh = invoke("verify", path, "--lang", "zh")
    assert zh.exit_code == 2 and "已被改动" in zh.stderr


def with_crc_fixed(data: bytes, name: str, content: bytes) -> bytes:
    """A member's content replaced (same length) and its CRC-32 fixed in both headers, the
    manifest left alone: what a careful forger who forgot the manifest would write."""
    import zlib

    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    start = info.header_offset + 30 + len(name.encode())
    assert len(content) == info.file_size
    out[start:start + len(content)] = content
    crc = struct.pack("<I", zlib.crc32(content))
    out[info.header_offset + 14:info.header_offset + 18] = crc
    entry = bytes(out).index(b"PK\x01\x02")
    while bytes(out[entry + 46:entry + 46 + len(name.encode())]) != name.encode():
        entry = bytes(out).index(b"PK\x01\x02", entry + 1)
    out[entry + 16:entry + 20] = crc
    return bytes(out)


@pytest.mark.parametrize("member, fragment", [
    ("answer.en.json", "the SHA-256 of answer.en.json is not the one in MANIFEST.sha256"),
    (MANIFEST, "MANIFEST.sha256"),
])
def test_a_member_changed_with_its_crc_fixed_is_refused_by_the_manifest(
        member: str, fragment: str) -> None:
    data = river_bundle()
    content = members_of(data)[member]
    changed = bytearray(content)
    changed[-3] ^= 0x01
    with pytest.raises(BundleRefused, match=fragment.replace(".", r"\.")):
        read_bundle(with_crc_fixed(data, member, bytes(changed)), "r.zip")


def test_a_forged_answer_with_a_new_manifest_is_caught_by_asking_again(tmp_path: Path) -> None:
    """A forger who rewrites the manifest and the archive gets past the sums; asking the question
    again with the package in the bundle shows what was changed."""
    data = made(tmp_path, "evaluate", SHIJINGSHAN)
    answer = json.loads(members_of(data)["answer.en.json"])
    answer["total"]["max"] = 900_000
    fake = tmp_path / "fake.zip"
    fake.write_bytes(forged(data, **{"answer.en.json": (json.dumps(answer, ensure_ascii=False,
                                                                    indent=2) + "\n").encode()}))
    result = invoke("verify", fake)
    assert result.exit_code == 1, result.output
    assert "1 differences" in result.stdout
    assert "answer.en.json total.max: filed 900000, now 800000" in result.stdout
    as_json = json.loads(invoke("verify", fake, "--format", "json").stdout)
    assert as_json["identical"] is False
    assert as_json["differences"] == [{"member": "answer.en.json", "path": "total.max",
                                       "filed": 900_000, "now": 800_000}]
    # The sum recorded when it was filed refuses the forgery outright.
    refused = invoke("verify", fake, "--sha256", sha256(data))
    assert_input_error(refused, "--sha256", sha256(fake.read_bytes()), "not the file that was filed")
    assert invoke("verify", tmp_path / "answer.zip", "--sha256", sha256(data).upper()).exit_code == 0


def test_a_forged_package_shows_in_the_answer_and_the_package_sums(tmp_path: Path) -> None:
    data = made(tmp_path, "evaluate", SHIJINGSHAN)
    package = members_of(data)["package/shijingshan.yaml"]
    assert b"national: {fixed: 800000}" in package
    found = verify_bundle(forged(data, **{"package/shijingshan.yaml": package.replace(
        b"national: {fixed: 800000}", b"national: {fixed: 900000}")}), "fake.zip")
    where = {(d.member, d.path) for d in found.differences}
    assert ("answer.en.json", "total.max") in where and ("answer.zh.json", "total.max") in where
    assert ("package.json", "files[10].sha256") in where or any(
        d.member == "package.json" and d.path.endswith(".sha256") for d in found.differences)


def test_a_forged_record_that_no_longer_reads_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    data = made(tmp_path, "evaluate", SHIJINGSHAN)
    fake = tmp_path / "fake.zip"
    fake.write_bytes(forged(data, **{"record/as-read.yaml": b"id: X\ndistrict: gotham\n"}))
    result = invoke("verify", fake)
    assert result.exit_code == 1 and "could not be asked again" in result.stdout
    assert "gotham" in result.stdout and "Traceback" not in result.output


# -- hostile archives -------------------------------------------------------------------------------

def _zip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in entries:
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), body,
                             compress_type=compression)
    return out.getvalue()


def _with_manifest(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    return [(MANIFEST, manifest_of(dict(entries))), *entries]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "C:\\evil.txt",
                                  "package\\..\\x", "package/../../x", "a/./b", "x\x01y", ""])
def test_a_name_that_climbs_out_or_hides_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "hostile.zip"
    path.write_bytes(_zip(_with_manifest([(name or "a/", b"x")])))
    line = assert_input_error(invoke("verify", path), "hostile.zip")
    assert "not allowed" in line or "not a zjtx evidence bundle" in line
    assert not (tmp_path.parent / "x").exists()


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip(_with_manifest([("answer.en.json", b"\0" * 20_000_000)]),
                          zipfile.ZIP_DEFLATED))
    assert path.stat().st_size < 200_000
    assert_input_error(invoke("verify", path), "bomb.zip", "compressed")


def test_a_huge_member_count_is_refused_from_the_end_record(tmp_path: Path) -> None:
    declared = tmp_path / "declared.zip"
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 65_000, 65_000, 0, 0, 0)
    declared.write_bytes(end)
    assert_input_error(invoke("verify", declared), "65,000 members", f"{MAX_BUNDLE_MEMBERS:,}")
    many = tmp_path / "many.zip"
    many.write_bytes(_zip([(f"m/{n}", b"") for n in range(MAX_BUNDLE_MEMBERS + 1)]))
    assert_input_error(invoke("verify", many), f"{MAX_BUNDLE_MEMBERS + 1:,} members")


@pytest.mark.parametrize("content, fragment", [
    (b"", "does not end as the zip archive"),
    (b"not a zip at all, just text\n" * 3, "does not end as the zip archive"),
    (struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0), "members"),
])
def test_what_is_not_a_bundle_is_refused(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(content)
    assert_input_error(invoke("verify", path), fragment)


def test_an_ordinary_zip_and_a_missing_file_are_clear_refusals(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    plain.write_bytes(_zip([("hello.txt", b"hi")]))
    assert_input_error(invoke("verify", plain), "no MANIFEST.sha256")
    no_layout = tmp_path / "other.zip"  # a manifest, but written by another zip writer
    no_layout.write_bytes(_zip(_with_manifest([("hello.txt", b"hi")])))
    assert_input_error(invoke("verify", no_layout), "not as zjtx writes it")
    assert_input_error(invoke("verify", tmp_path / "missing.zip"), "no such file")
    assert_input_error(invoke("verify", tmp_path), "directory")
    assert_input_error(invoke("verify", plain, "--sha256", "abc"), "--sha256", "not a SHA-256")


# -- the README ---------------------------------------------------------------------------------------

def readme_commands(section: str) -> list[list[str]]:
    """The commands of the first code block of a README section, as argument lists."""
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1]
    block = body.split("```\n", 2)[1]
    return [shlex.split(line.split("#")[0])[1:] for line in block.splitlines()
            if line.startswith("zjtx ")]


def test_the_readme_evidence_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(EXAMPLES)
    monkeypatch.chdir(tmp_path)
    commands = readme_commands("Evidence a bureau can file")
    assert len(commands) >= 5 and any(c[0] == "verify" for c in commands)
    for command in commands:
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output)
    assert verify_bundle((tmp_path / "move.zip").read_bytes(), "move.zip").identical


# -- batch --------------------------------------------------------------------------------------------

def test_batch_writes_one_bundle_per_valid_row_each_verifying(tmp_path: Path) -> None:
    source = tmp_path / "enterprises.csv"
    source.write_text("编号,企业名称,注册区,专精特新认定日期,评估基准日\n"
                      "A-1,甲公司,东城,2023/6/30,2026-11-01\n"
                      "A-2,乙公司,gotham,2023-06-30,2026-11-01\n"      # an error row: no bundle
                      "企业/3,丙公司,石景山区,2022年9月30日,2026-11-01\n"
                      "A-1,重复,西城,2023-06-30,2026-11-01\n", encoding="utf-8")  # duplicate id
    folder = tmp_path / "bundles"
    result = invoke("batch", source, "--out", tmp_path / "out.csv", "--evidence", folder,
                    "--reading", "claim-lag=as-written")
    assert result.exit_code == 1, result.output  # two error rows
    assert "wrote 2 evidence bundles" in result.stderr
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["A-1-row2.zip", "SHA256SUMS", "企业_3-row4.zip"]
    sums = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    totals = {row.split(",")[0]: row.split(",")[4] for row in (tmp_path / "out.csv").read_text().splitlines()[1:]}
    for name, digest in sums.items():
        data = (folder / name).read_bytes()
        assert sha256(data) == digest
        found = verify_bundle(data, name)
        assert found.identical, found.differences
        members = members_of(data)
        about = json.loads(members["bundle.json"])
        assert about["origin"] == {"input": "enterprises.csv", "input_sha256": sha256(source.read_bytes()),
                                   "row": int(name.split("row")[1].split(".")[0])}
        assert about["question"]["readings"] == {"claim-lag": "as-written"}
        answer = json.loads(members["answer.en.json"])
        assert str(answer["total"]["max"]) == totals[answer["enterprise"]]  # what the batch wrote
    row = json.loads(members_of((folder / "A-1-row2.zip").read_bytes())["record/as-read.json"])
    assert row["district"] == "东城" and row["recognitions"] == [{"tier": "municipal", "date": "2023-06-30"}]


def test_batch_evidence_goes_to_a_new_or_empty_folder_only(tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text('{"id": "E-1", "district": "dongcheng"}\n', encoding="utf-8")
    folder = tmp_path / "full"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    result = invoke("batch", source, "--out", tmp_path / "out.csv", "--evidence", folder)
    assert_input_error(result, "full", "--evidence", "new or empty")
    assert not (tmp_path / "out.csv").exists()  # refused before anything was written
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]


# -- the service --------------------------------------------------------------------------------------

def test_the_service_answers_with_the_bundle_the_cli_writes_for_the_same_bytes(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app

    record = EXAMPLES / "exhibition-expenses.json"
    client = TestClient(create_app())
    answer = client.post("/v1/evaluate?evidence=1&stacking=difference-only",
                         content=record.read_bytes(), headers={"content-type": "application/json"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == 'attachment; filename="EX-6-evidence.zip"'
    assert answer.headers["x-evidence-sha256"] == sha256(answer.content)
    cli = made(tmp_path, "evaluate", record, "--reading", "stacking=difference-only")
    assert answer.content == cli  # the body's bytes are the record as read
    about = json.loads(members_of(answer.content)["bundle.json"])
    assert about["question"]["readings"] == {"stacking": "difference-only"}
    assert verify_bundle(answer.content, "api.zip").identical
    plain = client.post("/v1/evaluate", content=record.read_bytes(),
                        headers={"content-type": "application/json"})
    assert plain.headers["content-type"] == "application/json" and "timeline" in plain.json()
    bad = client.post("/v1/evaluate?evidence=true", json={"id": "X", "district": "gotham"})
    assert bad.status_code == 422 and bad.json()["field"] == "district"
