"""Swedish, Danish, Finnish and Icelandic identity numbers: stored form, shown form, birth date,
and the message for each way a number can be wrong.

"Official" rows are the examples each registry gives in its own description of the number
(Skatteverket's samordningsnummer leaflet, CPR-kontoret's note on numbers without the
modulus-11 check, DVV's HETU and century-sign pages, Þjóðskrá's page on the kennitala); every
other number is synthetic, made here or by tracker.people.synthetic.
"""
from __future__ import annotations

import random
from datetime import date

import pytest

from tracker.people import synthetic
from tracker.people.identifiers import (
    BIRTH_IN_FUTURE,
    DANISH_ID_DATE,
    DANISH_ID_FORM,
    FINNISH_ID_DATE,
    FINNISH_ID_FORM,
    FINNISH_ID_INDIVIDUAL,
    ICELANDIC_ID_COMPANY,
    ICELANDIC_ID_DATE,
    ICELANDIC_ID_FORM,
    NORDIC_CHECK_DIGIT,
    SWEDISH_ID_DATE,
    SWEDISH_ID_FORM,
    IdentifierError,
    canonical_identifier,
    display_identifier,
    identifier_birth_date,
    search_forms,
)

# (kind, as typed, stored, shown, birth date)
VALID = [
    # Sweden: Skatteverket's samordningsnummer example (a man born 3 October 1970, day + 60).
    ("swedish_id", "701063-2391", "197010632391", "19701063-2391", date(1970, 10, 3)),
    # The well-known test personnummer, in 10 and 12 digits, with and without the dash.
    # A 10-digit number's century is the latest that does not put the birth in the future.
    ("swedish_id", "121212-1212", "201212121212", "20121212-1212", date(2012, 12, 12)),
    ("swedish_id", "19121212-1212", "191212121212", "19121212-1212", date(1912, 12, 12)),
    ("swedish_id", "191212121212", "191212121212", "19121212-1212", date(1912, 12, 12)),
    ("swedish_id", " 121212 1212 ", "201212121212", "20121212-1212", date(2012, 12, 12)),
    # "+": 100 years or older, so one century earlier than the dash would give.
    ("swedish_id", "121212+1212", "191212121212", "19121212-1212", date(1912, 12, 12)),
    ("swedish_id", "811228–9874", "198112289874", "19811228-9874", date(1981, 12, 28)),
    # Denmark: a number that passes the modulus-11 check, and one issued without it
    # (CPR-kontoret: since 1 October 2007, mostly with birth date 1 January, e.g. 1960).
    ("danish_id", "070761-4285", "0707614285", "070761-4285", date(1961, 7, 7)),
    ("danish_id", "010160-1235", "0101601235", "010160-1235", date(1960, 1, 1)),
    ("danish_id", "0101601235", "0101601235", "010160-1235", date(1960, 1, 1)),
    # The seventh digit gives the century: 4 with year 00-36 is the 2000s, 5-8 with 58-99 the
    # 1800s.
    ("danish_id", "150310-4001", "1503104001", "150310-4001", date(2010, 3, 15)),
    ("danish_id", "211062-5629", "2110625629", "211062-5629", date(1862, 10, 21)),
    # Finland: DVV's example, its century-sign examples (2023), and the "+" of the 1800s.
    ("finnish_id", "131052-308T", "131052-308T", "131052-308T", date(1952, 10, 13)),
    ("finnish_id", "010594Y9021", "010594Y9021", "010594Y9021", date(1994, 5, 1)),
    ("finnish_id", "020594X903P", "020594X903P", "020594X903P", date(1994, 5, 2)),
    ("finnish_id", "030594W903B", "030594W903B", "030594W903B", date(1994, 5, 3)),
    ("finnish_id", "040594V902Y", "040594V902Y", "040594V902Y", date(1994, 5, 4)),
    ("finnish_id", "050594U903M", "050594U903M", "050594U903M", date(1994, 5, 5)),
    ("finnish_id", "010516B903X", "010516B903X", "010516B903X", date(2016, 5, 1)),
    ("finnish_id", "020516C903K", "020516C903K", "020516C903K", date(2016, 5, 2)),
    ("finnish_id", "030516D9037", "030516D9037", "030516D9037", date(2016, 5, 3)),
    ("finnish_id", "010501E9032", "010501E9032", "010501E9032", date(2001, 5, 1)),
    ("finnish_id", "020503F9037", "020503F9037", "020503F9037", date(2003, 5, 2)),
    ("finnish_id", "100190-999P", "100190-999P", "100190-999P", date(1990, 1, 10)),
    ("finnish_id", "100190y999p", "100190Y999P", "100190Y999P", date(1990, 1, 10)),
    ("finnish_id", "131052+308T", "131052+308T", "131052+308T", date(1852, 10, 13)),
    # Iceland: Þjóðskrá's example (born 12 January 1960, check digit 8, century 9).
    ("icelandic_id", "120160-3389", "1201603389", "120160-3389", date(1960, 1, 12)),
    ("icelandic_id", "1201603389", "1201603389", "120160-3389", date(1960, 1, 12)),
    ("icelandic_id", "120174-3399", "1201743399", "120174-3399", date(1974, 1, 12)),
]

# (kind, as typed, the message the officer sees)
REFUSED = [
    ("swedish_id", "701063-2392", NORDIC_CHECK_DIGIT),
    ("swedish_id", "121212-1213", NORDIC_CHECK_DIGIT),
    ("swedish_id", "811328-9874", SWEDISH_ID_DATE),  # month 13
    ("swedish_id", "810230-9874", SWEDISH_ID_DATE),  # 30 February
    ("swedish_id", "701093-2391", SWEDISH_ID_DATE),  # samordningsnummer with day 33
    ("swedish_id", "12121-21212", SWEDISH_ID_FORM),
    ("swedish_id", "121212/1212", SWEDISH_ID_FORM),
    ("swedish_id", "20991212-1212", BIRTH_IN_FUTURE),
    ("danish_id", "320160-1235", DANISH_ID_DATE),
    ("danish_id", "290201-1234", DANISH_ID_DATE),  # 1901 had no 29 February
    ("danish_id", "010160-12345", DANISH_ID_FORM),
    ("danish_id", "0101601A35", DANISH_ID_FORM),
    ("finnish_id", "131052-308U", NORDIC_CHECK_DIGIT),
    ("finnish_id", "131052Y308U", NORDIC_CHECK_DIGIT),
    ("finnish_id", "310252-308T", FINNISH_ID_DATE),
    ("finnish_id", "131052-001T", FINNISH_ID_INDIVIDUAL),
    ("finnish_id", "131052G308T", FINNISH_ID_FORM),  # no such century sign
    ("finnish_id", "131052308T", FINNISH_ID_FORM),
    ("finnish_id", "131052A308T", BIRTH_IN_FUTURE),  # 2052
    ("icelandic_id", "120160-3379", NORDIC_CHECK_DIGIT),
    ("icelandic_id", "120160-3388", ICELANDIC_ID_FORM),  # century digit 8 is not accepted
    ("icelandic_id", "320160-3389", ICELANDIC_ID_DATE),
    ("icelandic_id", "12016-03389", ICELANDIC_ID_FORM),
    ("icelandic_id", "520160-3389", ICELANDIC_ID_COMPANY),
]


@pytest.mark.parametrize("kind, typed, stored, shown, born", VALID)
def test_valid_numbers_are_stored_compact_and_shown_in_the_usual_notation(
        kind, typed, stored, shown, born):
    assert canonical_identifier(kind, typed) == stored
    assert display_identifier(kind, stored) == shown
    assert identifier_birth_date(kind, typed) == born
    # The stored form is itself accepted and gives the same number and date.
    assert canonical_identifier(kind, stored) == stored
    assert identifier_birth_date(kind, stored) == born


@pytest.mark.parametrize("kind, typed, message", REFUSED)
def test_invalid_numbers_say_why(kind, typed, message):
    with pytest.raises(IdentifierError) as refused:
        canonical_identifier(kind, typed)
    assert refused.value.message == message


def test_the_danish_century_digit_four_with_a_late_year_is_the_1900s():
    assert identifier_birth_date("danish_id", "010199-4001") == date(1999, 1, 1)


def test_a_finnish_century_sign_tells_two_people_apart():
    """DVV: 100190-999P and 100190Y999P are two different persons' codes."""
    assert canonical_identifier("finnish_id", "100190-999P") != canonical_identifier(
        "finnish_id", "100190Y999P")


def test_a_search_finds_each_kind_in_any_notation():
    assert ("swedish_id", "197010632391") in search_forms("19701063 2391")
    assert ("danish_id", "0101601235") in search_forms("010160 1235")
    assert ("finnish_id", "010594Y9021") in search_forms("010594y9021")
    assert ("icelandic_id", "1201603389") in search_forms("120160-3389")


GENERATORS = {
    "swedish_id": synthetic.swedish_id,
    "danish_id": synthetic.danish_id,
    "finnish_id": synthetic.finnish_id,
    "icelandic_id": synthetic.icelandic_id,
}


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_synthetic_numbers_validate_and_carry_their_birth_date(kind):
    rng = random.Random(kind)
    for _ in range(200):
        born = date(rng.randint(1901, 2024), rng.randint(1, 12), rng.randint(1, 28))
        number = GENERATORS[kind](born, rng)
        assert identifier_birth_date(kind, number) == born, number


def test_a_synthetic_samordningsnummer_adds_60_to_the_day():
    number = synthetic.swedish_id(date(1970, 10, 3), random.Random(3), samordning=True)
    assert number[6:8] == "63"
    assert identifier_birth_date("swedish_id", number) == date(1970, 10, 3)
