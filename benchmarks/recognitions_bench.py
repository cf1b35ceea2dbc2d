"""Matching a published list to a large registry: `zjtx recognitions import` on seeded
synthetic files (a registry of N enterprises, a list of M rows: most by code, some by name only
or under the other legal-form wording, some near misses, some with a wrong check character).

Usage: python benchmarks/recognitions_bench.py [--registry 100000] [--list 2000] [--seed 0]
Prints the wall time of the whole command (read both CSV files, match, write the registry out and
the report), the peak RSS, and the counts by status.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bytecode import compile_project  # noqa: E402
from models.creditcode import CHARSET, check_character  # noqa: E402

CHARACTERS = "华兴星辰海天泰和瑞丰恒达新源创智云鼎博远鑫盛宏图安康金石中科航宇精密微电光谷汇通"
SUFFIXES = ("科技有限公司", "技术有限公司", "股份有限公司", "信息技术有限公司")
DISTRICTS = ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "大兴区", "顺义区")


def make(directory: Path, registry: int, listed: int, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    names: set[str] = set()
    rows = []
    while len(rows) < registry:
        name = "北京" + "".join(rng.choice(CHARACTERS) for _ in range(4)) + rng.choice(SUFFIXES)
        if name in names:
            continue
        names.add(name)
        body = "911101" + "".join(rng.choice("0123456789") for _ in range(2)) + \
            "".join(rng.choice(CHARSET) for _ in range(9))
        code = body + check_character(body) if rng.random() < 0.8 else ""
        rows.append([f"E{len(rows):06d}", name, code, rng.choice(DISTRICTS), "2024-03-31"])
    registry_path = directory / "registry.csv"
    with registry_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "企业名称", "统一社会信用代码", "注册区", "创新型认定日期"])
        writer.writerows(rows)
    list_path = directory / "list.csv"
    with list_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["序号", "企业名称", "统一社会信用代码", "认定等级", "认定日期"])
        for number, row in enumerate(rng.sample(rows, listed), 1):
            name, code = row[1], row[2]
            kind = rng.random()
            if kind < 0.2:                                   # name only, the other wording
                name, code = name.replace("有限公司", "有限责任公司"), ""
            elif kind < 0.3:                                 # a near miss: one character off
                name, code = name[:3] + rng.choice(CHARACTERS) + name[4:], ""
            elif kind < 0.4 and code:                        # a wrong check character
                code = code[:-1] + ("1" if code[-1] != "1" else "2")
            writer.writerow([number, name, code, "北京市专精特新中小企业", "2026年6月30日"])
    return registry_path, list_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registry", type=int, default=100_000)
    parser.add_argument("--list", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    compile_project()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        registry, listed = make(folder, args.registry, args.list, args.seed)
        out = folder / "updated.csv"
        command = [sys.executable, "-c", "from cli import app; app()", "recognitions", "import",
                   str(listed), "--registry", str(registry), "--out", str(out)]
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with (folder / "updated.matches.csv").open(encoding="utf-8") as handle:
            statuses = Counter(row["status"] for row in csv.DictReader(handle))
    print(f"registry {args.registry:,} rows, list {args.list:,} rows: {seconds:.1f} s, "
          f"peak RSS {peak:.0f} MB; " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    main()
