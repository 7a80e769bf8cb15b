"""Name folding: a search finds the usual transliterations, Norwegian letters and Urdu spellings."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.people.names import NAME_VARIANTS, fold_name, name_tokens, names_match

PROPERTIES = settings(max_examples=200, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("spellings", [
    pytest.param(["Muhammad Chaudhry", "Mohammad Chaudhary", "Mohammed Choudhry",
                  "MOHAMED CHAUDRI", "muhammed chaudhary"], id="muhammad-chaudhry"),
    pytest.param(["Hussain", "Hussein", "Husain"], id="hussain"),
    pytest.param(["Rehman", "Rahman"], id="rehman"),
    pytest.param(["Ahmad", "Ahmed"], id="ahmad"),
    pytest.param(["Syed", "Sayed", "Sayyid"], id="syed"),
    pytest.param(["Mahmood", "Mahmud"], id="mahmood"),
    pytest.param(["Yusuf", "Yousaf", "Yousuf"], id="yusuf"),
    pytest.param(["Qureshi", "Qureshy"], id="qureshi"),
    pytest.param(["Khan", "KHAN", "khan"], id="khan-stays"),
    pytest.param(["Mirza", "MIRZA"], id="mirza-stays"),
])
def test_transliterations_fold_equal(spellings):
    assert len({fold_name(spelling) for spelling in spellings}) == 1


@pytest.mark.parametrize(("text", "folded"), [
    pytest.param("Ærlig Østby-Åsen", "aerlig ostby asen", id="norwegian-letters-and-hyphen"),
    pytest.param("ÆRLIG ØSTBY ÅSEN", "aerlig ostby asen", id="upper-case"),
    pytest.param("Jürgen Müller-Lüdenscheidt", "jurgen muller ludenscheidt", id="umlauts"),
    pytest.param("Hélène Bérénice Françoise", "helene berenice francoise", id="accents"),
    pytest.param("Björn Ängström", "bjorn angstrom", id="swedish"),
    pytest.param("  Ali \t  Khan \n", "ali khan", id="whitespace"),
    pytest.param("Khan, Imran (Dr.)", "khan imran dr", id="punctuation"),
    pytest.param("Ja'far D’Souza", "jafar dsouza", id="apostrophes-dropped"),
    pytest.param("Muhammad Ali Chaudhry", "muhammad ali chaudhry", id="canonical-tokens"),
    pytest.param("Ｍｏｈａｍｍｅｄ", "muhammad", id="full-width-letters"),
    pytest.param("", "", id="empty"),
])
def test_fold_name(text, folded):
    assert fold_name(text) == folded


@pytest.mark.parametrize(("one", "other"), [
    pytest.param("مُحَمَّد", "محمد", id="harakat"),
    pytest.param("علي", "علی", id="arabic-yeh-vs-farsi-yeh"),
    pytest.param("مصطفى", "مصطفی", id="alef-maksura"),
    pytest.param("كريم", "کریم", id="arabic-kaf"),
    pytest.param("فاطمه", "فاطمہ", id="heh-vs-heh-goal"),
    pytest.param("فاطمة", "فاطمہ", id="teh-marbuta"),
    pytest.param("أحمد", "احمد", id="alef-with-hamza"),
    pytest.param("إسماعيل", "اسماعیل", id="alef-with-hamza-below"),
    pytest.param("آمنہ", "امنہ", id="alef-with-madda"),
    pytest.param("مؤمن", "مومن", id="waw-with-hamza"),
    pytest.param("محـــمد", "محمد", id="tatweel"),
    pytest.param("چوہدری", "چوهدري", id="urdu-vs-arabic-keyboard"),
    pytest.param("ﻣﺤﻤﺪ", "محمد", id="presentation-forms"),
    pytest.param("عبد\u200cالله", "عبدالله", id="zero-width-non-joiner"),
])
def test_arabic_script_variants_fold_equal(one, other):
    assert fold_name(one) == fold_name(other)


def test_arabic_script_stays_arabic_script():
    assert fold_name("مُحَمَّد علی چوہدری") == "محمد علی چوہدری"
    assert fold_name("محمد") != fold_name("Muhammad")


def test_name_tokens():
    assert name_tokens("Mohammed Ali-Chaudhary") == ["muhammad", "ali", "chaudhry"]
    assert name_tokens("") == []


@pytest.mark.parametrize(("a", "b"), [
    pytest.param("Muhammad Ali Chaudhry", "Mohammed Chaudhary", id="middle-name-left-out"),
    pytest.param("Mohammed Chaudhary", "Muhammad Ali Chaudhry", id="either-way-round"),
    pytest.param("Chaudhry Muhammad", "Muhammad Chaudhry", id="order"),
    pytest.param("Imran Khan", "imran khan", id="case"),
    pytest.param("Kari Østby", "Kari Ostby", id="norwegian-letter"),
    pytest.param("Syed Hussain Ahmad Shah", "Sayyid Husain Shah", id="variants-and-left-out"),
    pytest.param("Khan", "KHAN", id="single-equal-token"),
    pytest.param("فاطمة", "فاطمہ", id="urdu"),
])
def test_names_match(a, b):
    assert names_match(a, b)


@pytest.mark.parametrize(("a", "b"), [
    pytest.param("Ali Khan", "Imran Khan", id="different-people-same-family-name"),
    pytest.param("Khan", "Ali Khan", id="only-one-token-in-common"),
    pytest.param("Muhammad Ali", "Muhammad Imran Chaudhry", id="neither-within-the-other"),
    pytest.param("Kari Nordmann", "Ola Nordmann", id="norwegian"),
    pytest.param("", "", id="empty"),
    pytest.param("Ali Khan", "", id="one-empty"),
    pytest.param("محمد علی", "Muhammad Ali", id="different-scripts"),
])
def test_names_do_not_match(a, b):
    assert not names_match(a, b)


def test_variant_table_is_folded_and_each_spelling_in_one_group():
    spellings = [c for canonical, variants in NAME_VARIANTS.items() for c in (canonical, *variants)]
    assert len(spellings) == len(set(spellings))
    for canonical, variants in NAME_VARIANTS.items():
        for spelling in (canonical, *variants):
            assert spelling.isascii() and spelling.isalpha() and spelling.islower()
            assert fold_name(spelling) == canonical


@PROPERTIES
@given(st.text(max_size=60))
def test_folding_is_idempotent_and_tidy(text):
    folded = fold_name(text)
    assert fold_name(folded) == folded
    assert folded == " ".join(folded.split())
    assert folded == folded.casefold()


@PROPERTIES
@given(st.text(max_size=40), st.text(max_size=40))
def test_names_match_is_symmetric(a, b):
    assert names_match(a, b) == names_match(b, a)
