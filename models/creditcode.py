"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character set (the digits and the capital letters without I, O, Z,
S, V). Position 1 is the registration authority, 2 the kind of organization, 3-8 the
administrative division (digits), 9-17 the organization code, and 18 the check character:

    C18 = 31 - (sum of Ci x Wi for i = 1..17) mod 31   (31 becomes 0)

with the weights Wi = 3^(i-1) mod 31 = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, each
character counting as its index in the set.

>>> check_character("91350100M000100Y4")
'3'
>>> problem_of("91350100M000100Y43") is None
True
"""

from __future__ import annotations

from models.i18n import t

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (which must be in the set)."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    """Trim spaces and upper-case (a code is often typed in lower case)."""
    return "".join(code.split()).upper()


def problem_of(code: str) -> str | None:
    """None for a valid code, else what is wrong with it (one sentence, in the current language)."""
    if len(code) != LENGTH:
        return t("creditcode.length", code=code, length=len(code))
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        return t("creditcode.charset", code=code, bad=", ".join(map(repr, bad)))
    if not code[2:8].isdigit():
        return t("creditcode.division", code=code)
    expected = check_character(code[:17])
    if code[17] != expected:
        return t("creditcode.check", code=code, given=code[17], expected=expected)
    return None
