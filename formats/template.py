"""`zjtx template`: an empty enterprise sheet with the flat columns, in Chinese or English (the
Chinese one teaches Chinese values: 大兴区, 氢能, 2023年6月30日, 400万).

CSV: the header row only (UTF-8 with BOM, so that Excel shows the Chinese headers). XLSX: the
empty sheet first (the one `zjtx batch` reads), then a filled example and a sheet explaining each
column. The output is byte-stable (fixed timestamps).
"""

from __future__ import annotations

import csv
from pathlib import Path

from formats.columns import VOCABULARY, CHINESE, TEMPLATE_COLUMNS, TIER_COLUMNS
from models.i18n import t
from models.errors import InputError

LANGS = ("zh", "en")

def _names(kind: str, lang: str) -> str:
    """The vocabulary's names of a kind, as a sheet may write them."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(VOCABULARY.name(kind, ident, lang, short=kind == "tier")
                    for ident in VOCABULARY.ids(kind))


# What each column holds: (English, Chinese), the project's own words; the Chinese teaches the
# Chinese values a clerk types (东城区, 氢能, 2023年6月30日, 400万).
ABOUT: dict[str, tuple[str, str]] = {
    "id": ("Required. Your own key for the enterprise, unique in the sheet.",
           "必填。企业在本表中的唯一编号。"),
    "name": ("The enterprise's name (copied to the results).", "企业名称（原样写入结果）。"),
    "credit_code": ("Unified social credit code, 18 characters; the check character is verified "
                    "(GB 32100-2015).", "18位统一社会信用代码，按GB 32100-2015校验最后一位校验码。"),
    "district": ("Required. The district of registration now: dongcheng … yanqing, or "
                 "outside_beijing.",
                 "必填。现注册区：" + _names("district", "zh") + "，或 京外；“东城”也可。"),
    "entity_type": ("enterprise (default) or private_non_enterprise.",
                    "企业（默认）或 民办非企业单位。"),
    "industries": ("Industry tags separated by commas, e.g. hydrogen_energy, foreign_trade.",
                   "行业，多个以顿号或逗号分隔；政策目录用到的有：" + _names("industry", "zh") + "。"),
    # One recognition-date column per tier of the catalog (names from its vocabulary).
    **{tier: (f"Date recognized as {VOCABULARY.name('tier', tier, 'en')}"
              + ("; several dates separated by ; are the first recognition and its "
                 "re-examinations." if number == 0 else " (same format)."),
              VOCABULARY.name("tier", tier, "zh") + "认定日期，写法如 2023年6月30日、2023/6/30"
              + ("；多个日期以 ; 分隔（首次认定及复核）。" if number == 0 else "（同上）。"))
       for number, tier in enumerate(TIER_COLUMNS)},
    "moves": ('Registration moves as a JSON list: [{"from": "outside_beijing", "to": "daxing", '
              '"date": "2022-05-01"}].',
              '迁移记录，JSON 列表：[{"from": "京外", "to": "大兴区", "date": "2022年5月1日"}]。'),
    "expenses": ('Expenses as a JSON list: [{"id": "X1", "category": "rd_investment", '
                 '"amount": 4000000, "year": 2025}].',
                 '费用支出，JSON 列表：[{"id": "X1", "category": "研发投入", "amount": "400万", '
                 '"year": 2025}]；支出类别：' + _names("expense_category", "zh") + "；金额为整元，可写 400万。"),
    "listings": ('Listings as a JSON list: [{"board": "a_share", "year": 2026}].',
                 '上市记录，JSON 列表：[{"board": "A股", "year": 2026}]；板块：' + _names("board", "zh") + "。"),
    "patents": ('Invention patent annuities as a JSON list: [{"id": "ZL…", "standard_annuity": '
                '1200, "paid": 1020, "year": 2025, "patent_year": 4}].',
                '发明专利年费，JSON 列表：[{"id": "ZL…", "standard_annuity": 1200, "paid": 1020, '
                '"year": 2025, "patent_year": 4}]（标准年费、实缴金额、缴费年度、专利年度）。'),
    "qualifications": ('Fengtai qualifications as a JSON list: [{"kind": "tech_center", '
                       '"date": "2023-03-01"}].',
                       '丰台区资质，JSON 列表：[{"kind": "企业技术中心", "date": "2023年3月1日"}]；资质：'
                       + _names("qualification", "zh") + "。"),
    "rewards_received": ('District rewards already paid, as a JSON list: [{"measure": '
                         '"daxing.tier", "tier": "municipal", "amount": 500000, "year": 2024}].',
                         '已获区级奖励，JSON 列表：[{"measure": "daxing.tier", "tier": "专精特新", '
                         '"amount": "50万", "year": 2024}]。'),
}

# The filled example: the same enterprise in each language (the Chinese as a clerk writes it).
EXAMPLE: dict[str, dict[str, object]] = {
    "en": {
        "id": "E-0001", "name": "Example Hydrogen Co.", "credit_code": "91110115MA01HYD2X3",
        "district": "daxing", "entity_type": "enterprise", "industries": "hydrogen_energy, foreign_trade",
        # The example's recognition dates, tier by tier in the catalog's order (lowest first).
        **dict(zip(TIER_COLUMNS, ("2022-01-31", "2023-06-30", "2025-07-01", None))),
        "moves": '[{"from": "outside_beijing", "to": "daxing", "date": "2022-05-01"}]',
        "expenses": '[{"id": "X1", "category": "rd_investment", "amount": 4000000, "year": 2025, '
                    '"project": "P1", "project_year": 1}, {"id": "X3", "category": "exhibition", '
                    '"amount": 300000, "year": 2025}]',
        "listings": '[{"board": "a_share", "year": 2026}]',
        "patents": '[{"id": "ZL2021XXXX", "standard_annuity": 1200, "paid": 1020, "year": 2025, '
                   '"patent_year": 4}]',
        "qualifications": None,
        "rewards_received": '[{"measure": "daxing.tier", "tier": "municipal", "amount": 500000, '
                            '"year": 2024}]',
    },
    "zh": {
        "id": "E-0001", "name": "京南氢能示例有限公司", "credit_code": "91110115MA01HYD2X3",
        "district": "大兴区", "entity_type": "企业", "industries": "氢能、外贸",
        **dict(zip(TIER_COLUMNS, ("2022年1月31日", "2023年6月30日", "2025年7月1日", None))),
        "moves": '[{"from": "京外", "to": "大兴区", "date": "2022年5月1日"}]',
        "expenses": '[{"id": "X1", "category": "研发投入", "amount": "400万", "year": 2025, '
                    '"project": "P1", "project_year": 1}, {"id": "X3", "category": "国际展会", '
                    '"amount": "30万", "year": 2025}]',
        "listings": '[{"board": "A股", "year": 2026}]',
        "patents": '[{"id": "ZL2021XXXX", "standard_annuity": 1200, "paid": 1020, "year": 2025, '
                   '"patent_year": 4}]',
        "qualifications": None,
        "rewards_received": '[{"measure": "daxing.tier", "tier": "专精特新", "amount": "50万", '
                            '"year": 2024}]',
    },
}

SHEETS = {"zh": ("企业名单", "示例", "填写说明"), "en": ("enterprises", "example", "columns")}
ABOUT_HEADER = {"zh": ("列名", "字段", "英文列名", "说明"), "en": ("column", "field", "Chinese", "what it holds")}


def headers(lang: str) -> list[str]:
    return [CHINESE[c] if lang == "zh" else c for c in TEMPLATE_COLUMNS]


def write_template(path: Path, lang: str = "zh") -> Path:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}", field="--lang", accepted=", ".join(LANGS))
    from formats.safety import writing

    with writing(path, "FILE"):
        return _write_template(path, lang)


def _write_template(path: Path, lang: str) -> Path:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerow(headers(lang))
        return path
    if suffix != ".xlsx":
        raise InputError(t("io.unknown_format", suffix=suffix or t("io.no_extension")),
                         file=str(path), field="FILE", accepted=".xlsx, .csv")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from formats.tables import fix_xlsx_timestamps

    book = Workbook()
    empty, example, about = book.active, book.create_sheet(), book.create_sheet()
    empty.title, example.title, about.title = SHEETS[lang]
    for sheet in (empty, example):
        sheet.append(headers(lang))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(TEMPLATE_COLUMNS):
            letter = sheet.cell(row=1, column=index + 1).column_letter
            sheet.column_dimensions[letter].width = 14 if column not in ("moves", "expenses") else 40
            sheet.cell(row=1, column=index + 1).font = Font(bold=True)
    example.append([EXAMPLE[lang][c] for c in TEMPLATE_COLUMNS])
    about.append(ABOUT_HEADER[lang])
    for column in TEMPLATE_COLUMNS:
        english, chinese = ABOUT[column]
        about.append([CHINESE[column] if lang == "zh" else column, column,
                      column if lang == "zh" else CHINESE[column],
                      chinese if lang == "zh" else english])
    about.freeze_panes = "A2"
    for letter, width in zip("ABCD", (26, 18, 26, 90)):
        about.column_dimensions[letter].width = width
    book.save(path)
    fix_xlsx_timestamps(path)
    return path
