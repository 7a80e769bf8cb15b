"""People's identifiers: the five Nordic countries' identity numbers, Pakistani CNICs, passports.

Validate, never guess (DOMAIN.md). Whatever an officer typed either becomes the one canonical
form that is stored and searched, or raises IdentifierError with a message that can be shown
next to the form field. Nothing here derives sex from a number: from 2032 numbers carry none.
The Swedish, Danish, Finnish and Icelandic rules are python-stdnum's; only what it lacks
(Swedish samordningsnummer, the century of a 10-digit Swedish number kept in the stored form)
is ours, and the Norwegian rules (with the 2032 rule) are ours entirely.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal

from flask_babel import gettext as _, lazy_gettext as _l
from stdnum import luhn
from stdnum.dk import cpr
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.fi import hetu
from stdnum.is_ import kennitala
from stdnum.se import personnummer


class IdentifierError(ValueError):
    """An identifier as typed is not valid; the message says why, in the officer's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Storage kind -> the kinds of number it covers. The values match PersonIdentifier.kind.
IDENTIFIER_KINDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "norwegian_id": ("fodselsnummer", "d_number", "h_number"),
    "swedish_id": ("personnummer", "samordningsnummer"),
    "danish_id": ("cpr",),
    "finnish_id": ("hetu",),
    "icelandic_id": ("kennitala",),
    "cnic": ("cnic",),
    "passport": ("passport",),
})

NorwegianIdKind = Literal["fodselsnummer", "d_number", "h_number"]
ChecksumRule = Literal["classic", "2032"]


def storage_kind(kind: str) -> str:
    """Return the storage kind ("norwegian_id", "cnic", ...) a kind of number belongs to."""
    for stored, covered in IDENTIFIER_KINDS.items():
        if kind == stored or kind in covered:
            return stored
    raise ValueError(f"unknown identifier kind {kind!r}")


# --- Typed text -------------------------------------------------------------------------------

# An officer may paste Urdu or Arabic digits, or full-width ones, into any field.
_DIGIT_ZEROS = (0x0660, 0x06F0, 0xFF10)  # Arabic-Indic, Extended Arabic-Indic (Urdu), full-width
_TO_ASCII_DIGITS = {zero + n: str(n) for zero in _DIGIT_ZEROS for n in range(10)}

# Text copied from documents and messages brings other dashes and invisible direction marks.
_OTHER_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
             "\u2060\u2066\u2067\u2068\u2069\ufeff"
_TIDY = str.maketrans({**{c: "-" for c in _OTHER_DASHES}, **{c: None for c in _INVISIBLE}})


def ascii_digits(text: str) -> str:
    """Return text with Arabic-Indic, Urdu (Extended Arabic-Indic) and full-width digits as 0-9."""
    return text.translate(_TO_ASCII_DIGITS)


def _tidy(text: str) -> str:
    return ascii_digits(text).translate(_TIDY).strip()


# --- Norwegian national identity number (fødselsnummer, D-number, H-number) -------------------

# Both check digits as control sums: the weighted sum of the digits, check digit included with
# weight 1, modulo 11. This is the classic K = 11 - (sum mod 11) formula written the other way
# round, and the form in which Skatteetaten states the rule for numbers issued from 2032.
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_CLASSIC_K1_REMAINDERS = frozenset({0})
_RULE_2032_K1_REMAINDERS = frozenset({0, 1, 2, 3})
_K2_REMAINDERS = frozenset({0})  # the same under both rules

# (individual numbers from, to, YY from, to, century): the year of birth from a classic number.
_CENTURY_RULES = (
    (0, 499, 0, 99, 1900),
    (500, 749, 54, 99, 1800),
    (500, 999, 0, 39, 2000),
    (900, 999, 40, 99, 1900),
)
_D_NUMBER_OFFSET = 40  # added to the day (first digit + 4)
_H_NUMBER_OFFSET = 40  # added to the month

_NORWEGIAN_ID_FORM = re.compile(r"([0-9]{6})(?:\s*[-.]\s*|\s+)?([0-9]{5})")

NORWEGIAN_ID_LENGTH = _l("A fødselsnummer has 11 digits.")
NORWEGIAN_ID_SEPARATOR = _l(
    "Write the fødselsnummer as 11 digits, or with a space or dash after the first six.")
NORWEGIAN_ID_DATE = _l("The first six digits are not a real date (DDMMYY).")
NORWEGIAN_ID_D_AND_H = _l(
    "The first six digits are not a real date (DDMMYY): a number cannot be both a D-number "
    "and an H-number.")
NORWEGIAN_ID_CHECK_DIGITS = _l(
    "The check digits do not match: check the number for typing errors.")
NORWEGIAN_ID_CENTURY = _l(
    "The individual number (digits 7 to 9) does not fit the year of birth: "
    "check the number for typing errors.")


@dataclass(frozen=True)
class NorwegianId:
    """A valid fødselsnummer, D-number or H-number, with what can be trusted from it."""

    value: str
    kind: NorwegianIdKind
    # None for a number valid only under the 2032 rule: its date part need not be the birth date.
    birth_date: date | None
    checksum_rule: ChecksumRule


def validate_norwegian_id(text: str) -> NorwegianId:
    """Return the number typed as a NorwegianId, or raise IdentifierError saying what is wrong."""
    value = _norwegian_id_digits(text)
    digits = [int(c) for c in value]
    kind, day, month = _kind_day_month(digits)
    if _control_sum(digits, _K2_WEIGHTS) not in _K2_REMAINDERS:
        raise IdentifierError(NORWEGIAN_ID_CHECK_DIGITS)
    k1_remainder = _control_sum(digits[:10], _K1_WEIGHTS)
    if k1_remainder not in _RULE_2032_K1_REMAINDERS:
        raise IdentifierError(NORWEGIAN_ID_CHECK_DIGITS)
    if k1_remainder not in _CLASSIC_K1_REMAINDERS:
        return NorwegianId(value, kind, None, "2032")
    year_of_century = digits[4] * 10 + digits[5]
    individual = digits[6] * 100 + digits[7] * 10 + digits[8]
    year = _century(individual, year_of_century) + year_of_century
    try:
        birth_date = date(year, month, day)
    except ValueError:
        # The day and month exist (checked above), so this is 29 February in a common year.
        raise IdentifierError(
            _("The first six digits are not a real date: %(year)s has no 29 February.",
              year=year)) from None
    return NorwegianId(value, kind, birth_date, "classic")


def is_valid_norwegian_id(text: str) -> bool:
    """Whether the text is a valid fødselsnummer, D-number or H-number."""
    try:
        validate_norwegian_id(text)
    except IdentifierError:
        return False
    return True


def _norwegian_id_digits(text: str) -> str:
    tidy = _tidy(text)
    match = _NORWEGIAN_ID_FORM.fullmatch(tidy)
    if match:
        return match[1] + match[2]
    if re.fullmatch(r"[0-9\s.\-]*", tidy) and len(re.sub(r"[^0-9]", "", tidy)) == 11:
        raise IdentifierError(NORWEGIAN_ID_SEPARATOR)
    raise IdentifierError(NORWEGIAN_ID_LENGTH)


def _kind_day_month(digits: list[int]) -> tuple[NorwegianIdKind, int, int]:
    day = digits[0] * 10 + digits[1]
    month = digits[2] * 10 + digits[3]
    kind: NorwegianIdKind = "fodselsnummer"
    if day > _D_NUMBER_OFFSET and month > _H_NUMBER_OFFSET:
        raise IdentifierError(NORWEGIAN_ID_D_AND_H)
    if day > _D_NUMBER_OFFSET:
        kind, day = "d_number", day - _D_NUMBER_OFFSET
    elif month > _H_NUMBER_OFFSET:
        kind, month = "h_number", month - _H_NUMBER_OFFSET
    # A leap year, so 29 February passes here; the year itself is checked once it is known.
    try:
        date(2000, month, day)
    except ValueError:
        raise IdentifierError(NORWEGIAN_ID_DATE) from None
    return kind, day, month


def _control_sum(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 11


def _century(individual: int, year_of_century: int) -> int:
    for first, last, yy_first, yy_last, century in _CENTURY_RULES:
        if first <= individual <= last and yy_first <= year_of_century <= yy_last:
            return century
    raise IdentifierError(NORWEGIAN_ID_CENTURY)


# --- The other Nordic identity numbers (python-stdnum) -----------------------------------------

@dataclass(frozen=True)
class NordicId:
    """A valid Swedish, Danish, Finnish or Icelandic identity number, stored compact."""

    kind: str  # the storage kind: "swedish_id", "danish_id", "finnish_id", "icelandic_id"
    value: str
    birth_date: date


SWEDISH_ID_FORM = _l(
    "A Swedish personnummer has 10 or 12 digits, written YYMMDD-NNNN or YYYYMMDD-NNNN "
    "(\"+\" instead of the dash for someone 100 or older).")
SWEDISH_ID_DATE = _l(
    "The first digits are not a real date (YYMMDD; a samordningsnummer adds 60 to the day).")
DANISH_ID_FORM = _l("A Danish CPR number has 10 digits, written DDMMYY-SSSS.")
DANISH_ID_DATE = _l("The first six digits are not a real date (DDMMYY).")
FINNISH_ID_FORM = _l(
    "A Finnish personal identity code has 11 characters, written DDMMYYCZZZQ: the century sign "
    "C is - Y X W V U (1900s), A to F (2000s) or + (1800s).")
FINNISH_ID_DATE = _l("The first six digits are not a real date (DDMMYY).")
FINNISH_ID_INDIVIDUAL = _l("The individual number (digits 8 to 10) starts at 002.")
ICELANDIC_ID_FORM = _l("A kennitala has 10 digits, written DDMMYY-NNNN, the last one 9 or 0.")
ICELANDIC_ID_DATE = _l("The first six digits are not a real date (DDMMYY).")
ICELANDIC_ID_COMPANY = _l("This is a company's kennitala (day above 40), not a person's.")
NORDIC_CHECK_DIGIT = _l("The check digit does not match: check the number for typing errors.")
BIRTH_IN_FUTURE = _l(
    "The date in the number is in the future: check the number for typing errors.")

_SAMORDNING_OFFSET = 60  # added to the day of a Swedish samordningsnummer
_KENNITALA_COMPANY_OFFSET = 40


def validate_swedish_id(text: str) -> NordicId:
    """A personnummer or samordningsnummer, stored as 12 digits YYYYMMDDNNNC.

    A 10-digit number's century is the latest one that does not put the birth in the future,
    one century earlier with the "+" sign (100 or older); stdnum reads it so, but knows no
    samordningsnummer, whose day has 60 added.
    """
    tidy = _tidy(text)
    if not re.fullmatch(r"[0-9]{6}(?:[0-9]{2})?\s*[-+]?\s*[0-9]{4}", tidy):
        raise IdentifierError(SWEDISH_ID_FORM)
    number = personnummer.compact(tidy.replace(" ", ""))
    day = int(number[-7:-5])
    as_personnummer = number
    if day > _SAMORDNING_OFFSET:
        as_personnummer = f"{number[:-7]}{day - _SAMORDNING_OFFSET:02d}{number[-5:]}"
    try:
        birth_date = personnummer.get_birth_date(as_personnummer)
    except (InvalidComponent, ValueError):
        raise IdentifierError(SWEDISH_ID_DATE) from None
    if birth_date > date.today():
        raise IdentifierError(BIRTH_IN_FUTURE)
    digits = number[:-5] + number[-4:]
    if not luhn.is_valid(digits[-10:]):
        raise IdentifierError(NORDIC_CHECK_DIGIT)
    return NordicId("swedish_id", f"{birth_date.year // 100}{digits[-10:]}", birth_date)


def validate_danish_id(text: str) -> NordicId:
    """A CPR number, stored as 10 digits. Since 2007 numbers need not pass the modulus-11
    check, so (as in stdnum) only the form and the date are checked."""
    tidy = _tidy(text)
    if not re.fullmatch(r"[0-9]{6}\s*-?\s*[0-9]{4}", tidy):
        raise IdentifierError(DANISH_ID_FORM)
    number = cpr.compact(tidy)
    try:
        cpr.validate(number)
    except InvalidComponent as exc:
        raise IdentifierError(
            BIRTH_IN_FUTURE if "not been born" in str(exc) else DANISH_ID_DATE) from None
    except ValidationError:
        raise IdentifierError(DANISH_ID_FORM) from None
    return NordicId("danish_id", number, cpr.get_birth_date(number))


_HETU_CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}


def validate_finnish_id(text: str) -> NordicId:
    """A HETU with any century sign (those added in 2023 included), stored upper case.

    Temporary codes (individual number 900-999) are accepted: they are what a person holds
    until given a permanent one, and DVV's own examples use them.
    """
    number = hetu.compact(_tidy(text).replace(" ", ""))
    try:
        hetu.validate(number, allow_temporary=True)
    except InvalidChecksum:
        raise IdentifierError(NORDIC_CHECK_DIGIT) from None
    except InvalidComponent:
        if int(number[7:10]) < 2:
            raise IdentifierError(FINNISH_ID_INDIVIDUAL) from None
        raise IdentifierError(FINNISH_ID_DATE) from None
    except ValidationError:
        raise IdentifierError(FINNISH_ID_FORM) from None
    year = _HETU_CENTURIES[number[6]] + int(number[4:6])
    birth_date = date(year, int(number[2:4]), int(number[0:2]))
    if birth_date > date.today():
        raise IdentifierError(BIRTH_IN_FUTURE)
    return NordicId("finnish_id", number, birth_date)


def validate_icelandic_id(text: str) -> NordicId:
    """A person's kennitala (the last digit is the century: 9 for 1900s, 0 for 2000s)."""
    tidy = _tidy(text)
    if not re.fullmatch(r"[0-9]{6}\s*-?\s*[0-9]{4}", tidy):
        raise IdentifierError(ICELANDIC_ID_FORM)
    number = kennitala.compact(tidy.replace(" ", ""))
    if int(number[0:2]) > _KENNITALA_COMPANY_OFFSET:
        raise IdentifierError(ICELANDIC_ID_COMPANY)
    try:
        kennitala.validate(number)
    except InvalidChecksum:
        raise IdentifierError(NORDIC_CHECK_DIGIT) from None
    except InvalidComponent:
        raise IdentifierError(ICELANDIC_ID_DATE) from None
    except ValidationError:
        raise IdentifierError(ICELANDIC_ID_FORM) from None
    century = 1900 if number[9] == "9" else 2000
    birth_date = date(century + int(number[4:6]), int(number[2:4]), int(number[0:2]))
    if birth_date > date.today():
        raise IdentifierError(BIRTH_IN_FUTURE)
    return NordicId("icelandic_id", number, birth_date)


_NORDIC_VALIDATORS = {
    "swedish_id": validate_swedish_id,
    "danish_id": validate_danish_id,
    "finnish_id": validate_finnish_id,
    "icelandic_id": validate_icelandic_id,
}


def identifier_birth_date(kind: str, text: str) -> date | None:
    """The birth date an identity number carries, when it can be trusted; None otherwise
    (CNIC, passports, and Norwegian numbers valid only under the 2032 rule)."""
    if kind == "norwegian_id":
        return validate_norwegian_id(text).birth_date
    if kind in _NORDIC_VALIDATORS:
        return _NORDIC_VALIDATORS[kind](text).birth_date
    return None


def display_identifier(kind: str, value: str) -> str:
    """A stored identifier in its country's usual notation."""
    if kind == "swedish_id" and len(value) == 12:
        return f"{value[:8]}-{value[8:]}"
    if kind in ("danish_id", "icelandic_id") and len(value) == 10:
        return f"{value[:6]}-{value[6:]}"
    return value


# --- Pakistani CNIC and NICOP ----------------------------------------------------------------

CNIC_REGIONS: Mapping[int, str] = MappingProxyType({
    1: "Khyber Pakhtunkhwa",
    2: "Federally Administered Tribal Areas",
    3: "Punjab",
    4: "Sindh",
    5: "Balochistan",
    6: "Islamabad",
    7: "Gilgit-Baltistan",
})

# Separators only where the card prints them (after 5 and after 12 digits), so that another
# number typed into the field by mistake is not taken for a CNIC.
_CNIC_FORM = re.compile(r"([0-9]{5})(?:\s*-\s*|\s+)?([0-9]{7})(?:\s*-\s*|\s+)?([0-9])")

CNIC_LENGTH = _l("A CNIC has 13 digits, written 12345-1234567-1.")
CNIC_SEPARATOR = _l("Write the CNIC as 12345-1234567-1 or as 13 digits.")
CNIC_REGION = _l("The first digit of a CNIC is the region, 1 to 7.")


@dataclass(frozen=True)
class Cnic:
    """A Pakistani CNIC or NICOP number in its canonical form 12345-1234567-1."""

    value: str
    region_code: int
    region_name: str


def normalise_cnic(text: str) -> Cnic:
    """Return the CNIC or NICOP typed in its canonical form, or raise IdentifierError."""
    tidy = _tidy(text)
    match = _CNIC_FORM.fullmatch(tidy)
    if not match:
        if re.fullmatch(r"[0-9\s.\-]*", tidy) and len(re.sub(r"[^0-9]", "", tidy)) == 13:
            raise IdentifierError(CNIC_SEPARATOR)
        raise IdentifierError(CNIC_LENGTH)
    region_code = int(match[1][0])
    if region_code not in CNIC_REGIONS:
        raise IdentifierError(CNIC_REGION)
    return Cnic(f"{match[1]}-{match[2]}-{match[3]}", region_code, CNIC_REGIONS[region_code])


# --- Passport numbers ------------------------------------------------------------------------

NORWAY = "NO"
_NORWEGIAN_PASSPORT_LENGTH = 8
_OTHER_PASSPORT_LENGTHS = range(5, 21)

PASSPORT_COUNTRY = _l("Choose the country that issued the passport.")
NORWEGIAN_PASSPORT_LETTERS = _l(
    "A Norwegian passport number uses the letters A to Z only, not Æ, Ø or Å.")
NORWEGIAN_PASSPORT_FORM = _l(
    "A Norwegian passport number has 8 characters: letters A to Z and digits.")
PASSPORT_CHARACTERS = _l("A passport number has only letters A to Z and digits.")
PASSPORT_LENGTH = _l("A passport number has 5 to 20 letters and digits.")


def normalise_passport(text: str, country: str) -> str:
    """Return the passport number in upper case without spaces, or raise IdentifierError.

    Norwegian passports (country "NO") are checked strictly; other countries' loosely.
    """
    issuer = country.strip()
    if not re.fullmatch(r"[A-Za-z]{2}", issuer):
        raise IdentifierError(PASSPORT_COUNTRY)
    tidy = _tidy(text)
    if issuer.upper() == NORWAY:
        number = re.sub(r"\s+", "", tidy)
        if re.search(r"[ÆØÅæøå]", number):
            raise IdentifierError(NORWEGIAN_PASSPORT_LETTERS)
        if not re.fullmatch(rf"[A-Za-z0-9]{{{_NORWEGIAN_PASSPORT_LENGTH}}}", number):
            raise IdentifierError(NORWEGIAN_PASSPORT_FORM)
        return number.upper()
    return _loose_passport(tidy)


def _loose_passport(tidy: str) -> str:
    number = re.sub(r"[\s\-]+", "", tidy)
    # Checked before upper-casing: "ß".upper() is "SS" and "ı".upper() is "I".
    if not re.fullmatch(r"[A-Za-z0-9]*", number):
        raise IdentifierError(PASSPORT_CHARACTERS)
    if len(number) not in _OTHER_PASSPORT_LENGTHS:
        raise IdentifierError(PASSPORT_LENGTH)
    return number.upper()


# --- Storing and searching -------------------------------------------------------------------

def canonical_identifier(kind: str, text: str, *, country: str | None = None) -> str:
    """Return the canonical form to store for an identifier of a storage kind."""
    if kind == "norwegian_id":
        return validate_norwegian_id(text).value
    if kind in _NORDIC_VALIDATORS:
        return _NORDIC_VALIDATORS[kind](text).value
    if kind == "cnic":
        return normalise_cnic(text).value
    if kind == "passport":
        if country is None:
            raise IdentifierError(PASSPORT_COUNTRY)
        return normalise_passport(text, country)
    raise ValueError(f"unknown identifier kind {kind!r}")


def search_forms(text: str) -> list[tuple[str, str]]:
    """Return every (storage kind, canonical value) the text typed into a search box could be."""
    forms: list[tuple[str, str]] = []
    try:
        forms.append(("norwegian_id", validate_norwegian_id(text).value))
    except IdentifierError:
        pass
    for kind, validate in _NORDIC_VALIDATORS.items():
        try:
            forms.append((kind, validate(text).value))
        except IdentifierError:
            pass
    try:
        forms.append(("cnic", normalise_cnic(text).value))
    except IdentifierError:
        pass
    try:
        # The issuing country is not known, so the loose rule, which every Norwegian
        # passport number also meets.
        forms.append(("passport", _loose_passport(_tidy(text))))
    except IdentifierError:
        pass
    return forms
