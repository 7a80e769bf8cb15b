"""Identifiers: fødselsnummer, D- and H-numbers (both check-digit rules), CNICs, passports."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracker.people.identifiers import (
    IDENTIFIER_KINDS,
    Cnic,
    IdentifierError,
    NorwegianId,
    ascii_digits,
    canonical_identifier,
    is_valid_norwegian_id,
    normalise_cnic,
    normalise_passport,
    search_forms,
    storage_kind,
    validate_norwegian_id,
)

PROPERTIES = settings(max_examples=300, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])

# Test numbers are computed here from DOMAIN.md's formulas, not taken from anyone.
K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

URDU = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

LENGTH = "A fødselsnummer has 11 digits."
NOT_A_DATE = "The first six digits are not a real date (DDMMYY)."
CHECK_DIGITS = "The check digits do not match: check the number for typing errors."


def check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """K = 11 - (weighted sum mod 11); 11 becomes 0; 10 means no valid check digit."""
    k = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return {11: 0, 10: None}.get(k, k)


def with_k2(ten: str) -> str:
    k2 = check_digit(ten, K2_WEIGHTS)
    return f"{ten}{k2}" if k2 is not None else ""


def classic_number(ddmmyy: str, individual: int) -> str | None:
    nine = f"{ddmmyy}{individual:03d}"
    k1 = check_digit(nine, K1_WEIGHTS)
    return (with_k2(f"{nine}{k1}") or None) if k1 is not None else None


def first_classic(ddmmyy: str, individuals: range) -> str:
    return next(n for i in individuals if (n := classic_number(ddmmyy, i)))


def number_2032(ddmmyy: str, individual: int, remainder: int) -> str | None:
    """A number whose K1 control sum (K1 with weight 1) leaves `remainder`, K2 as always."""
    nine = f"{ddmmyy}{individual:03d}"
    k1 = (remainder - sum(int(d) * w for d, w in zip(nine, K1_WEIGHTS))) % 11
    return (with_k2(f"{nine}{k1}") or None) if k1 < 10 else None


def first_2032(ddmmyy: str, individuals: range, remainder: int) -> str:
    return next(n for i in individuals if (n := number_2032(ddmmyy, i, remainder)))


def k1_would_be_10(ddmmyy: str, individuals: range) -> str:
    """The first nine digits of a number whose classic K1 would be 10."""
    return next(nine for i in individuals
                if check_digit(nine := f"{ddmmyy}{i:03d}", K1_WEIGHTS) is None)


def error_of(text: str) -> str:
    with pytest.raises(IdentifierError) as caught:
        validate_norwegian_id(text)
    return str(caught.value)


# --- Norwegian national identity numbers -----------------------------------------------------

VALID = [
    pytest.param("150360", range(500, 750), "fodselsnummer", date(1860, 3, 15), id="1854-1899"),
    pytest.param("010154", range(500, 750), "fodselsnummer", date(1854, 1, 1), id="1854"),
    pytest.param("010190", range(0, 500), "fodselsnummer", date(1990, 1, 1), id="1900-1999"),
    pytest.param("241245", range(900, 1000), "fodselsnummer", date(1945, 12, 24),
                 id="1940-1999-via-900-999"),
    pytest.param("311205", range(500, 1000), "fodselsnummer", date(2005, 12, 31), id="2000-2039"),
    pytest.param("070739", range(900, 1000), "fodselsnummer", date(2039, 7, 7),
                 id="2039-via-900-999"),
    pytest.param("410190", range(0, 500), "d_number", date(1990, 1, 1), id="d-number"),
    pytest.param("711299", range(0, 500), "d_number", date(1999, 12, 31), id="d-number-day-71"),
    pytest.param("014190", range(0, 500), "h_number", date(1990, 1, 1), id="h-number"),
    pytest.param("315285", range(0, 500), "h_number", date(1985, 12, 31), id="h-number-december"),
    pytest.param("290200", range(500, 1000), "fodselsnummer", date(2000, 2, 29),
                 id="29-feb-2000-leap"),
    pytest.param("290296", range(0, 500), "fodselsnummer", date(1996, 2, 29),
                 id="29-feb-1996-leap"),
    pytest.param("690296", range(0, 500), "d_number", date(1996, 2, 29), id="d-number-29-feb"),
]


@pytest.mark.parametrize(("ddmmyy", "individuals", "kind", "birth_date"), VALID)
def test_valid_classic_numbers(ddmmyy, individuals, kind, birth_date):
    number = first_classic(ddmmyy, individuals)
    assert validate_norwegian_id(number) == NorwegianId(number, kind, birth_date, "classic")
    assert is_valid_norwegian_id(number)


@pytest.mark.parametrize("write", [
    pytest.param(lambda n: f"{n[:6]} {n[6:]}", id="space"),
    pytest.param(lambda n: f"{n[:6]}-{n[6:]}", id="dash"),
    pytest.param(lambda n: f"{n[:6]}.{n[6:]}", id="dot"),
    pytest.param(lambda n: f"{n[:6]} – {n[6:]}", id="en-dash-and-spaces"),
    pytest.param(lambda n: f"  {n}\n", id="surrounding-space"),
    pytest.param(lambda n: n.translate(URDU), id="urdu-digits"),
    pytest.param(lambda n: f"{n[:6]}-{n[6:]}".translate(ARABIC), id="arabic-indic-digits"),
    pytest.param(lambda n: n.translate(FULL_WIDTH), id="full-width-digits"),
    pytest.param(lambda n: f"\u200e{n}\u200f", id="direction-marks-from-pasting"),
])
def test_notations_give_the_canonical_11_digits(write):
    number = first_classic("010190", range(0, 500))
    assert validate_norwegian_id(write(number)).value == number


def test_number_valid_only_under_2032_rule_is_accepted_without_a_birth_date():
    for remainder in (1, 2, 3):
        number = first_2032("010190", range(0, 500), remainder)
        assert check_digit(number[:9], K1_WEIGHTS) != int(number[9])  # not classic-valid
        assert validate_norwegian_id(number) == NorwegianId(
            number, "fodselsnummer", None, "2032")


@pytest.mark.parametrize(("ddmmyy", "individuals", "kind"), [
    pytest.param("010145", range(500, 750), "fodselsnummer", id="century-not-checked"),
    pytest.param("290201", range(0, 1000), "fodselsnummer", id="29-feb-any-year"),
    pytest.param("450590", range(0, 1000), "d_number", id="d-number"),
    pytest.param("015290", range(0, 1000), "h_number", id="h-number"),
])
def test_2032_numbers_trust_neither_century_nor_year(ddmmyy, individuals, kind):
    number = first_2032(ddmmyy, individuals, 2)
    result = validate_norwegian_id(number)
    assert (result.kind, result.birth_date, result.checksum_rule) == (kind, None, "2032")


@pytest.mark.parametrize(("ddmmyy", "individuals"), [
    pytest.param("310490", range(0, 1000), id="31-april"),
    pytest.param("301390", range(0, 1000), id="month-13"),
    pytest.param("000190", range(0, 1000), id="day-0"),
])
def test_2032_numbers_still_need_a_real_day_and_month(ddmmyy, individuals):
    assert error_of(first_2032(ddmmyy, individuals, 1)) == NOT_A_DATE


def test_wrong_k1():
    nine = "010190123"
    right = check_digit(nine, K1_WEIGHTS)
    control = sum(int(d) * w for d, w in zip(nine, K1_WEIGHTS))
    # A K1 wrong under both rules (control sum remainder 4 to 10), with a K2 that fits it.
    wrong = next(k for k in range(10) if (control + k) % 11 > 3 and with_k2(f"{nine}{k}"))
    assert wrong != right
    assert error_of(with_k2(f"{nine}{wrong}")) == CHECK_DIGITS


def test_wrong_k2():
    number = first_classic("010190", range(0, 500))
    wrong = number[:10] + str((int(number[10]) + 1) % 10)
    assert error_of(wrong) == CHECK_DIGITS


def test_k1_of_10_is_impossible_under_the_classic_rule():
    nine = k1_would_be_10("010190", range(0, 500))
    numbers = {k1: n for k1 in range(10) if (n := with_k2(f"{nine}{k1}"))}
    assert numbers
    for k1, number in numbers.items():
        if k1 <= 2:  # control sum remainder 1 + K1 = 1 to 3: accepted by the 2032 rule only
            assert validate_norwegian_id(number).checksum_rule == "2032"
        else:
            assert error_of(number) == CHECK_DIGITS


def test_k2_of_10_is_impossible():
    ten = next(f"{nine}{k1}" for i in range(500)
               if (k1 := check_digit(nine := f"010190{i:03d}", K1_WEIGHTS)) is not None
               and check_digit(f"{nine}{k1}", K2_WEIGHTS) is None)
    assert not any(is_valid_norwegian_id(f"{ten}{k2}") for k2 in range(10))


INVALID = [
    pytest.param("0101901234", LENGTH, id="10-digits"),
    pytest.param("010190123456", LENGTH, id="12-digits"),
    pytest.param("01019O12345", LENGTH, id="letter-O-for-zero"),
    pytest.param("ABCDEFGHIJK", LENGTH, id="letters"),
    pytest.param("", LENGTH, id="empty"),
    pytest.param("٠١٠١٩٠١٢٣٤", LENGTH, id="10-arabic-digits"),
    pytest.param("0101-9012345",
                 "Write the fødselsnummer as 11 digits, or with a space or dash after the "
                 "first six.", id="dash-in-the-wrong-place"),
    pytest.param("010190--12345",
                 "Write the fødselsnummer as 11 digits, or with a space or dash after the "
                 "first six.", id="two-dashes"),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_form_errors(text, message):
    assert error_of(text) == message
    assert not is_valid_norwegian_id(text)


@pytest.mark.parametrize(("ddmmyy", "individuals", "message"), [
    pytest.param("320190", range(0, 500), NOT_A_DATE, id="day-32"),
    pytest.param("310490", range(0, 500), NOT_A_DATE, id="31-april"),
    pytest.param("011390", range(0, 500), NOT_A_DATE, id="month-13"),
    pytest.param("010090", range(0, 500), NOT_A_DATE, id="month-0"),
    pytest.param("400190", range(0, 500), NOT_A_DATE, id="day-40"),
    pytest.param("720190", range(0, 500), NOT_A_DATE, id="d-number-day-72"),
    pytest.param("015390", range(0, 500), NOT_A_DATE, id="h-number-month-53"),
    pytest.param("810190", range(0, 500), NOT_A_DATE, id="old-style-h-number-first-digit-8"),
    pytest.param("414190", range(0, 500),
                 "The first six digits are not a real date (DDMMYY): a number cannot be both "
                 "a D-number and an H-number.", id="d-and-h-combined"),
    pytest.param("290200", range(0, 500),
                 "The first six digits are not a real date: 1900 has no 29 February.",
                 id="29-feb-1900-not-leap"),
    pytest.param("290201", range(500, 1000),
                 "The first six digits are not a real date: 2001 has no 29 February.",
                 id="29-feb-2001-not-leap"),
    pytest.param("690201", range(500, 1000),
                 "The first six digits are not a real date: 2001 has no 29 February.",
                 id="d-number-29-feb-2001"),
    pytest.param("010145", range(500, 750),
                 "The individual number (digits 7 to 9) does not fit the year of birth: "
                 "check the number for typing errors.", id="500-749-with-yy-40-53"),
    pytest.param("010150", range(750, 900),
                 "The individual number (digits 7 to 9) does not fit the year of birth: "
                 "check the number for typing errors.", id="750-899-with-yy-40-or-more"),
])
def test_date_and_century_errors(ddmmyy, individuals, message):
    assert error_of(first_classic(ddmmyy, individuals)) == message


def test_no_sex_is_derived():
    result = validate_norwegian_id(first_classic("010190", range(0, 500)))
    assert not any("sex" in name or "gender" in name for name in dir(result))


# Property-based: whole classes of numbers.

CENTURY_RULES = [(0, 499, 0, 99, 1900), (500, 749, 54, 99, 1800), (500, 999, 0, 39, 2000),
                 (900, 999, 40, 99, 1900)]


@st.composite
def classic_numbers(draw):
    first, last, yy_first, yy_last, century = draw(st.sampled_from(CENTURY_RULES))
    yy = draw(st.integers(yy_first, yy_last))
    individual = draw(st.integers(first, last))
    born = draw(st.dates(date(century + yy, 1, 1), date(century + yy, 12, 31)))
    kind = draw(st.sampled_from(["fodselsnummer", "d_number", "h_number"]))
    day = born.day + (40 if kind == "d_number" else 0)
    month = born.month + (40 if kind == "h_number" else 0)
    number = classic_number(f"{day:02d}{month:02d}{yy:02d}", individual)
    assume(number is not None)  # K1 or K2 would be 10: no such number exists
    return number, kind, born


@PROPERTIES
@given(classic_numbers())
def test_every_generated_number_validates_and_round_trips(case):
    number, kind, born = case
    result = validate_norwegian_id(number)
    assert result == NorwegianId(number, kind, born, "classic")
    assert validate_norwegian_id(result.value) == result
    assert validate_norwegian_id(f"{number[:6]}-{number[6:]}".translate(URDU)).value == number
    assert canonical_identifier("norwegian_id", f"{number[:6]} {number[6:]}") == number
    assert ("norwegian_id", number) in search_forms(number)


@st.composite
def numbers_2032(draw):
    """Numbers valid only under the 2032 rule: any individual number, any two-digit year."""
    born = draw(st.dates(date(2000, 1, 1), date(2000, 12, 31)))  # a leap year: any day
    yy = draw(st.integers(0, 99))
    number = number_2032(f"{born.day:02d}{born.month:02d}{yy:02d}",
                         draw(st.integers(0, 999)), draw(st.integers(1, 3)))
    assume(number is not None)
    return number


@PROPERTIES
@given(numbers_2032())
def test_every_generated_2032_number_validates_and_round_trips(number):
    result = validate_norwegian_id(number)
    assert result == NorwegianId(number, "fodselsnummer", None, "2032")
    assert validate_norwegian_id(f"{number[:6]} {number[6:]}".translate(ARABIC)) == result


@PROPERTIES
@given(classic_numbers(), st.integers(0, 10), st.integers(1, 9))
def test_changing_one_digit_makes_the_number_invalid(case, position, change):
    number = case[0]
    digit = (int(number[position]) + change) % 10
    changed = f"{number[:position]}{digit}{number[position + 1:]}"
    # DOMAIN.md allows for a changed number passing under the 2032 rule, but K2 keeps its rule
    # under both, and its weights (1 to 7) times any change (1 to 9) are never 0 mod 11: every
    # single changed digit is caught.
    with pytest.raises(IdentifierError):
        validate_norwegian_id(changed)


@PROPERTIES
@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_any_11_digits_are_a_number_or_an_identifier_error(digits):
    try:
        result = validate_norwegian_id(digits)
    except IdentifierError:
        return
    assert result.value == digits
    assert (result.birth_date is None) == (result.checksum_rule == "2032")


@PROPERTIES
@given(st.text(max_size=40))
def test_any_text_raises_nothing_but_identifier_error(text):
    for check in (validate_norwegian_id, normalise_cnic, lambda t: normalise_passport(t, "NO"),
                  lambda t: normalise_passport(t, "PK"), lambda t: normalise_passport("X1234", t)):
        try:
            check(text)
        except IdentifierError as error:
            assert str(error) and str(error)[0].isupper() and str(error).endswith(".")
    search_forms(text)


# --- Pakistani CNIC and NICOP ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    pytest.param("35202-1234567-1", id="canonical"),
    pytest.param("3520212345671", id="no-dashes"),
    pytest.param("35202 1234567 1", id="spaces"),
    pytest.param(" 35202 - 1234567 - 1 ", id="spaced-dashes"),
    pytest.param("35202–1234567–1", id="en-dashes"),
    pytest.param("۳۵۲۰۲-۱۲۳۴۵۶۷-۱", id="urdu-digits"),
    pytest.param("٣٥٢٠٢-١٢٣٤٥٦٧-١", id="arabic-indic-digits"),
    pytest.param("３５２０２－１２３４５６７－１", id="full-width"),
    pytest.param("\u200f۳۵۲۰۲۱۲۳۴۵۶۷۱\u200f", id="urdu-digits-with-direction-marks"),
    pytest.param("35202-12345671", id="only-the-first-dash"),
])
def test_cnic_notations(text):
    assert normalise_cnic(text) == Cnic("35202-1234567-1", 3, "Punjab")


@pytest.mark.parametrize(("text", "code", "region"), [
    pytest.param("17301-1234567-1", 1, "Khyber Pakhtunkhwa", id="kp"),
    pytest.param("21102-1234567-1", 2, "Federally Administered Tribal Areas", id="fata"),
    pytest.param("42101-1234567-2", 4, "Sindh", id="sindh"),
    pytest.param("54400-1234567-3", 5, "Balochistan", id="balochistan"),
    pytest.param("61101-1234567-4", 6, "Islamabad", id="islamabad"),
    pytest.param("71501-1234567-5", 7, "Gilgit-Baltistan", id="gilgit-baltistan"),
])
def test_cnic_regions(text, code, region):
    assert normalise_cnic(text) == Cnic(text, code, region)


CNIC_LENGTH = "A CNIC has 13 digits, written 12345-1234567-1."
CNIC_SEPARATOR = "Write the CNIC as 12345-1234567-1 or as 13 digits."
CNIC_REGION = "The first digit of a CNIC is the region, 1 to 7."


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("35202-1234567", CNIC_LENGTH, id="12-digits"),
    pytest.param("35202-1234567-12", CNIC_LENGTH, id="14-digits"),
    pytest.param("35202-12A4567-1", CNIC_LENGTH, id="letter"),
    pytest.param("", CNIC_LENGTH, id="empty"),
    # 15 digits: the length is the first thing wrong.
    pytest.param("12345-1234-567891", CNIC_LENGTH, id="misplaced-dashes-and-15-digits"),
    pytest.param("12345-123456-71", CNIC_SEPARATOR, id="misplaced-second-dash"),
    pytest.param("352-021234567-1", CNIC_SEPARATOR, id="misplaced-first-dash"),
    pytest.param("35202-1234567-1-", CNIC_SEPARATOR, id="trailing-dash"),
    pytest.param("35202.1234567.1", CNIC_SEPARATOR, id="dots"),
    pytest.param("05202-1234567-1", CNIC_REGION, id="region-0"),
    pytest.param("85202-1234567-1", CNIC_REGION, id="region-8"),
    pytest.param("۹۵۲۰۲-۱۲۳۴۵۶۷-۱", CNIC_REGION, id="region-9-urdu"),
])
def test_cnic_errors(text, message):
    with pytest.raises(IdentifierError) as caught:
        normalise_cnic(text)
    assert str(caught.value) == message


@PROPERTIES
@given(st.integers(1, 7), st.text(alphabet="0123456789", min_size=12, max_size=12),
       st.sampled_from([URDU, ARABIC, FULL_WIDTH, str.maketrans("", "")]),
       st.sampled_from(["-", " ", ""]))
def test_every_cnic_notation_round_trips(region, rest, digits, separator):
    canonical = f"{region}{rest[:4]}-{rest[4:11]}-{rest[11]}"
    typed = canonical.replace("-", separator).translate(digits)
    cnic = normalise_cnic(typed)
    assert cnic.value == canonical
    assert normalise_cnic(cnic.value) == cnic
    assert ("cnic", canonical) in search_forms(typed)


# --- Passports -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("FH123456", "FH123456", id="canonical"),
    pytest.param("fh123456", "FH123456", id="lower-case"),
    pytest.param(" FH 12 34 56 ", "FH123456", id="spaces"),
    pytest.param("12345678", "12345678", id="digits-only"),
    pytest.param("FH۱۲۳۴۵۶", "FH123456", id="urdu-digits"),
])
def test_norwegian_passport_valid(text, expected):
    assert normalise_passport(text, "NO") == expected
    assert normalise_passport(text, "no") == expected


NORWEGIAN_FORM = "A Norwegian passport number has 8 characters: letters A to Z and digits."


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("FH12345", NORWEGIAN_FORM, id="7-characters"),
    pytest.param("FH1234567", NORWEGIAN_FORM, id="9-characters"),
    pytest.param("FH-123456", NORWEGIAN_FORM, id="dash"),
    pytest.param("FH12345ß", NORWEGIAN_FORM, id="sharp-s"),
    pytest.param("FH12345ı", NORWEGIAN_FORM, id="dotless-i"),
    pytest.param("ØH123456",
                 "A Norwegian passport number uses the letters A to Z only, not Æ, Ø or Å.",
                 id="o-slash"),
    pytest.param("fh12345å",
                 "A Norwegian passport number uses the letters A to Z only, not Æ, Ø or Å.",
                 id="a-ring"),
])
def test_norwegian_passport_invalid(text, message):
    with pytest.raises(IdentifierError) as caught:
        normalise_passport(text, "NO")
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "country", "expected"), [
    pytest.param("AB1234561", "PK", "AB1234561", id="pakistan"),
    pytest.param("ab 123-456", "PK", "AB123456", id="spaces-and-dashes"),
    pytest.param("12345", "GB", "12345", id="5-characters"),
    pytest.param("A" * 20, "US", "A" * 20, id="20-characters"),
    pytest.param("C01X00T47", "DE", "C01X00T47", id="germany"),
])
def test_foreign_passport_valid(text, country, expected):
    assert normalise_passport(text, country) == expected


@pytest.mark.parametrize(("text", "country", "message"), [
    pytest.param("1234", "PK", "A passport number has 5 to 20 letters and digits.", id="4"),
    pytest.param("A" * 21, "PK", "A passport number has 5 to 20 letters and digits.", id="21"),
    pytest.param("AB/12345", "PK", "A passport number has only letters A to Z and digits.",
                 id="slash"),
    pytest.param("ÄB123456", "SE", "A passport number has only letters A to Z and digits.",
                 id="umlaut"),
    pytest.param("AB123456", "", "Choose the country that issued the passport.", id="no-country"),
    pytest.param("AB123456", "NOR", "Choose the country that issued the passport.",
                 id="alpha-3-country"),
])
def test_foreign_passport_invalid(text, country, message):
    with pytest.raises(IdentifierError) as caught:
        normalise_passport(text, country)
    assert str(caught.value) == message


# --- Helpers, storage and search -------------------------------------------------------------

def test_ascii_digits():
    assert ascii_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ０１２３４５６７８９ 0123456789 abc") == (
        "0123456789 0123456789 0123456789 0123456789 abc")


def test_ascii_digits_leaves_other_scripts_alone():
    assert ascii_digits("१२३ ১২৩") == "१२३ ১২৩"


def test_identifier_kinds_and_storage_kind():
    from tracker.people.models import IdentifierKind

    assert set(IDENTIFIER_KINDS) == {kind.value for kind in IdentifierKind}
    assert storage_kind("samordningsnummer") == "swedish_id"
    for kind in ("fodselsnummer", "d_number", "h_number", "norwegian_id"):
        assert storage_kind(kind) == "norwegian_id"
    assert storage_kind("cnic") == "cnic"
    assert storage_kind("passport") == "passport"


def test_canonical_identifier_dispatches():
    number = first_classic("410190", range(0, 500))
    assert canonical_identifier("norwegian_id", f"{number[:6]}-{number[6:]}") == number
    assert canonical_identifier("cnic", "3520212345671") == "35202-1234567-1"
    assert canonical_identifier("passport", "fh 123456", country="NO") == "FH123456"


def test_canonical_identifier_refuses():
    with pytest.raises(IdentifierError, match="Choose the country"):
        canonical_identifier("passport", "FH123456")
    with pytest.raises(IdentifierError, match="11 digits"):
        canonical_identifier("norwegian_id", "3520212345671")
    with pytest.raises(ValueError, match="unknown identifier kind"):
        canonical_identifier("driving_licence", "123")


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("35202-1234567-1", [("cnic", "35202-1234567-1"), ("passport", "3520212345671")],
                 id="cnic-or-passport"),
    pytest.param("fh 123456", [("passport", "FH123456")], id="passport"),
    pytest.param("1234", [], id="too-short-for-anything"),
    pytest.param("", [], id="empty"),
    pytest.param("Øyvind", [], id="name"),
    pytest.param("01019012345", [("passport", "01019012345")], id="11-digits-not-valid-id"),
])
def test_search_forms(text, expected):
    assert search_forms(text) == expected


def test_search_forms_of_a_valid_norwegian_id():
    number = first_classic("010190", range(0, 500))
    assert search_forms(f"{number[:6]} {number[6:]}".translate(URDU)) == [
        ("norwegian_id", number), ("passport", number)]
