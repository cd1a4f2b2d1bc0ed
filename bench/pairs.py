"""Paired measurement and verdicts shared by every benchmark script.

A figure on a shared machine is a ratio of two sides measured back to back, never
an absolute rate: each pair runs side A and side B one right after the other
(alternating which goes first, so neither always gets the warmer or the quieter
slot), the pair's ratio is A/B, and the figure is the median of at least 7 pairs
with the spread (lowest and highest pair) shown beside it.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

MIN_PAIRS = 7


@dataclass(frozen=True)
class Paired:
    """The per-pair values of two sides (higher is better) and their ratios A/B."""

    a: list[float]
    b: list[float]

    @property
    def ratios(self) -> list[float]:
        """A/B for every pair."""
        return [x / y for x, y in zip(self.a, self.b, strict=True)]

    @property
    def median(self) -> float:
        """The median ratio: the figure a verdict is about."""
        return statistics.median(self.ratios)

    def spread(self) -> str:
        """``min..max over N pairs`` of the ratios."""
        ratios = self.ratios
        return f"{min(ratios):.2f}..{max(ratios):.2f} over {len(ratios)} pairs"

    def describe(self, unit: str = "/s") -> str:
        """The ratio with its spread and each side's median value."""
        return (
            f"{self.median:.2f}x (spread {self.spread()}; medians "
            f"{statistics.median(self.a):,.0f}{unit} vs {statistics.median(self.b):,.0f}{unit})"
        )


def _order(i: int) -> bool:
    """True when A goes first in pair ``i`` (alternating)."""
    return i % 2 == 0


def pairs(a: Callable[[], float], b: Callable[[], float], count: int = MIN_PAIRS) -> Paired:
    """Run ``count`` interleaved pairs of two measures (each returns a rate)."""
    count = max(count, MIN_PAIRS)
    out_a: list[float] = []
    out_b: list[float] = []
    for i in range(count):
        if _order(i):
            out_a.append(a())
            out_b.append(b())
        else:
            out_b.append(b())
            out_a.append(a())
    return Paired(out_a, out_b)


async def async_pairs(
    a: Callable[[], Awaitable[float]],
    b: Callable[[], Awaitable[float]],
    count: int = MIN_PAIRS,
) -> Paired:
    """:func:`pairs` for measures that are coroutines."""
    count = max(count, MIN_PAIRS)
    out_a: list[float] = []
    out_b: list[float] = []
    for i in range(count):
        if _order(i):
            out_a.append(await a())
            out_b.append(await b())
        else:
            out_b.append(await b())
            out_a.append(await a())
    return Paired(out_a, out_b)


VERDICTS: list[tuple[str, bool]] = []


def verdict(label: str, ok: bool, detail: str) -> bool:
    """Print ``label: detail -> PASS|MISS`` and record it for :func:`summary`."""
    VERDICTS.append((label, ok))
    print(f"{label}: {detail} -> {'PASS' if ok else 'MISS'}", flush=True)
    return ok


def ratio_verdict(label: str, paired: Paired, target: float, unit: str = "/s") -> bool:
    """The verdict on a paired ratio whose median must be at least ``target``."""
    ok = paired.median >= target
    return verdict(label, ok, f"{paired.describe(unit)} (target >= {target:g}x)")


def summary() -> int:
    """Print every verdict of this run; the exit status (0 when all passed)."""
    missed = [label for label, ok in VERDICTS if not ok]
    print(
        f"verdicts: {len(VERDICTS) - len(missed)}/{len(VERDICTS)} met"
        + (f"; missed: {', '.join(missed)}" if missed else "")
    )
    return 1 if missed else 0
