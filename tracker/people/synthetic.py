"""Invented, checksum-valid identifiers and names for demo data and generated test volumes.

Never real people's: numbers are drawn at random and kept only when they validate.
"""
from __future__ import annotations

import random
from datetime import date

from stdnum import luhn

from tracker.people.identifiers import IdentifierError, validate_norwegian_id

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

NORWEGIAN_GIVEN = ("Ingrid", "Ola", "Kari", "Nora", "Emma", "Jakob", "Henrik", "Sofie",
                   "Aksel", "Maja", "Sindre", "Ådne", "Øyvind", "Ragnhild", "Tone", "Ali",
                   "Fatima", "Ayesha", "Bilal", "Hamza", "Zainab", "Usman", "Sana", "Imran")
NORWEGIAN_FAMILY = ("Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen", "Dahl",
                    "Solberg", "Ødegård", "Aasen", "Khan", "Ahmed", "Hussain", "Chaudhry",
                    "Qureshi", "Malik", "Butt", "Rana", "Sheikh", "Mirza")
PAKISTANI_GIVEN = ("Muhammad", "Mohammad", "Ahmed", "Ali", "Hassan", "Usman", "Bilal",
                   "Ayesha", "Fatima", "Zainab", "Maryam", "Sana", "Hira", "Imran", "Tariq")
PAKISTANI_FAMILY = ("Chaudhry", "Chaudhary", "Khan", "Hussain", "Qureshi", "Malik", "Rana",
                    "Butt", "Sheikh", "Mirza", "Awan", "Abbasi", "Siddiqui", "Raza")


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    k = 11 - sum(d * w for d, w in zip(digits, weights)) % 11
    return 0 if k == 11 else (None if k == 10 else k)


def norwegian_id(birth: date, rng: random.Random, *, d_number: bool = False) -> str:
    """A valid fødselsnummer (or D-number) for the birth date, with a random individual part."""
    if 1900 <= birth.year <= 1999:
        individuals = range(0, 500)
    elif 2000 <= birth.year <= 2039:
        individuals = range(500, 1000)
    else:
        raise ValueError("birth years 1900-2039 only")
    while True:
        day = birth.day + (40 if d_number else 0)
        head = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.choice(individuals):03d}"
        digits = [int(c) for c in head]
        k1 = _check_digit(digits, _K1)
        if k1 is None:
            continue
        k2 = _check_digit(digits + [k1], _K2)
        if k2 is None:
            continue
        value = head + f"{k1}{k2}"
        try:
            validate_norwegian_id(value)
        except IdentifierError:
            continue
        return value


def cnic(rng: random.Random) -> str:
    """A CNIC in its canonical notation (no check digit exists; any region 1-7)."""
    digits = f"{rng.randint(1, 7)}{rng.randrange(10**12):012d}"
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def swedish_id(birth: date, rng: random.Random, *, samordning: bool = False) -> str:
    """A valid personnummer (or samordningsnummer: day + 60), written YYYYMMDD-NNNC."""
    day = birth.day + (60 if samordning else 0)
    head = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{rng.randrange(1000):03d}"
    return f"{birth.year // 100}{head[:6]}-{head[6:]}{luhn.calc_check_digit(head)}"


def danish_id(birth: date, rng: random.Random) -> str:
    """A CPR number, DDMMYY-SSSS, whose first serial digit gives the birth's century."""
    if 1900 <= birth.year <= 1999:
        first = rng.randint(0, 3)
    elif 2000 <= birth.year <= 2036:
        first = 4
    elif 2037 <= birth.year <= 2057:
        first = rng.randint(5, 8)
    else:
        raise ValueError("birth years 1900-2057 only")
    return f"{birth:%d%m%y}-{first}{rng.randrange(1000):03d}"


_HETU_CONTROL = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def finnish_id(birth: date, rng: random.Random) -> str:
    """A HETU, DDMMYYCZZZQ, with a century sign of the birth's century (new ones too)."""
    signs = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}.get(birth.year // 100 * 100)
    if signs is None:
        raise ValueError("birth years 1800-2099 only")
    individual = rng.randint(2, 899)
    control = _HETU_CONTROL[int(f"{birth:%d%m%y}{individual:03d}") % 31]
    return f"{birth:%d%m%y}{rng.choice(signs)}{individual:03d}{control}"


_KENNITALA_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def icelandic_id(birth: date, rng: random.Random) -> str:
    """A person's kennitala, DDMMYY-RRCK: K the century (9 for the 1900s, 0 for the 2000s)."""
    if birth.year // 100 not in (19, 20):
        raise ValueError("birth years 1900-2099 only")
    while True:
        head = f"{birth:%d%m%y}{rng.randint(20, 99):02d}"
        check = -sum(int(d) * w for d, w in zip(head, _KENNITALA_WEIGHTS)) % 11
        if check != 10:
            return f"{head[:6]}-{head[6:]}{check}{9 if birth.year < 2000 else 0}"


def norwegian_passport(rng: random.Random) -> str:
    """Eight characters, letters and digits, as Norwegian passports have."""
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    return "".join(rng.choice(alphabet[:23]) for _ in range(2)) + "".join(
        rng.choice("0123456789") for _ in range(6))


def person_name(rng: random.Random, pakistani: bool = False) -> str:
    given, family = (PAKISTANI_GIVEN, PAKISTANI_FAMILY) if pakistani else (
        NORWEGIAN_GIVEN, NORWEGIAN_FAMILY)
    return f"{rng.choice(given)} {rng.choice(family)}"
