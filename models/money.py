"""Money as whole-yuan integer intervals (DOMAIN.md section 1): no float ever touches an amount."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Money:
    """An amount `[min, max]` in whole yuan; `open_above` when the payer may pay more."""

    min: int
    max: int
    open_above: bool = False

    def __post_init__(self) -> None:
        if not (isinstance(self.min, int) and isinstance(self.max, int)):
            raise TypeError("money is whole yuan: int only")
        if not 0 <= self.min <= self.max:
            raise ValueError(f"bad interval [{self.min}, {self.max}]")

    @classmethod
    def fixed(cls, amount: int) -> Money:
        return cls(amount, amount)

    @classmethod
    def zero(cls) -> Money:
        return cls(0, 0)

    @classmethod
    def total(cls, amounts: Iterable[Money]) -> Money:
        """The sum of intervals (open above when any is)."""
        low = high = 0
        open_above = False
        for amount in amounts:
            low, high = low + amount.min, high + amount.max
            open_above = open_above or amount.open_above
        return cls(low, high, open_above)

    def __add__(self, other: Money) -> Money:
        return Money(self.min + other.min, self.max + other.max, self.open_above or other.open_above)

    def as_dict(self) -> dict[str, int | bool]:
        return {"min": self.min, "max": self.max, "open_above": self.open_above}

    def text(self) -> str:
        """`800,000`, `0 – 700,000`, `0 – 3,000,000 or more`."""
        body = f"{self.min:,}" if self.min == self.max else f"{self.min:,} – {self.max:,}"
        return body + (" or more" if self.open_above else "")


def percent_of(base: int, percent: int) -> int:
    """`percent`% of `base`, rounded down to the yuan, in integer arithmetic (0.7 × 90 is not 62)."""
    return base * percent // 100
