"""SIREN / SIRET numbers with valid Luhn check digits, computed on whole numpy arrays.

A SIREN is 8 digits + a Luhn check digit; a SIRET is the SIREN + a 5-digit NIC whose last
digit makes the 14 digits pass Luhn. (La Poste, SIREN 356000000, uses another rule for its
SIRETs, so the generator never draws it.) Doing this digit by digit in numpy keeps a million
numbers at a few milliseconds instead of a Python loop per row.
"""

from __future__ import annotations

import numpy as np
import polars as pl

LA_POSTE_BASE = 35_600_000  # 356000000 without its check digit


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n,) non-negative ints -> (n, width) digit matrix, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers) % 10


def luhn_check_digit(payload: np.ndarray, width: int) -> np.ndarray:
    """Check digit to append to `width`-digit payloads so the result passes Luhn.

    The appended digit is not doubled, so within the payload the rightmost digit is doubled,
    then every second one going left.
    """
    digits = _digits(payload, width)
    doubled = np.zeros(width, dtype=bool)
    doubled[width - 1 :: -2] = True
    d = np.where(doubled, digits * 2, digits)
    d = np.where(d > 9, d - 9, d)
    return (10 - d.sum(axis=1) % 10) % 10


def siren_from_base(base: np.ndarray) -> np.ndarray:
    """8-digit bases -> 9-digit SIREN integers."""
    return base.astype(np.int64) * 10 + luhn_check_digit(base, 8)


def draw_sirens(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct SIREN integers in random order (never La Poste's)."""
    bases = np.empty(0, dtype=np.int64)
    want = n
    while bases.size < n:
        extra = rng.integers(1_000_000, 99_999_999, size=int(want * 1.05) + 64, dtype=np.int64)
        bases = np.unique(np.concatenate([bases, extra]))
        bases = bases[bases != LA_POSTE_BASE]
        want = n - bases.size
    # np.unique sorted them: shuffle, then keep n (deterministic for a given rng state)
    bases = rng.permutation(bases)[:n]
    return siren_from_base(bases)


def siret_nic(siren: np.ndarray, counter: np.ndarray) -> np.ndarray:
    """NIC integers (counter * 10 + check digit) so that siren + nic passes Luhn over 14 digits."""
    payload = siren.astype(np.int64) * 10_000 + counter.astype(np.int64)
    return counter.astype(np.int64) * 10 + luhn_check_digit(payload, 13)


def zero_pad(values: np.ndarray | pl.Series, width: int, name: str = "") -> pl.Series:
    """Integers -> zero-padded strings ('00065')."""
    series = values if isinstance(values, pl.Series) else pl.Series(name, values)
    return series.cast(pl.String).str.zfill(width).alias(name or series.name)


def luhn_valid(numbers: list[str]) -> list[bool]:
    """Plain-Python Luhn check, for tests and defect injection (not for bulk use)."""
    out = []
    for number in numbers:
        if not number.isdigit():
            out.append(False)
            continue
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        out.append(total % 10 == 0)
    return out
