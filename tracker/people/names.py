"""Search keys for people's names in Latin letters, Norwegian letters and Urdu (Arabic script).

Names are stored as given, in full Unicode; only the keys that searches compare are folded.
Arabic-script names stay in Arabic script: nothing here transliterates between scripts.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

# Transliterations of the same Urdu name: the person, the Pakistani registers, airlines and
# Norwegian registers each spell it their own way, so a search for one must find the others.
# Canonical token -> its other spellings, all already folded (lower case, plain a-z).
# Khan and Mirza are spelled alike everywhere and need no group. Extend here.
NAME_VARIANTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    # "Mohd", "Md" and "Muhd" are the usual abbreviations in Pakistani documents.
    "muhammad": ("mohammad", "mohammed", "mohamed", "muhammed", "mohamad", "muhamad",
                 "mohd", "md", "muhd"),
    "chaudhry": ("chaudhary", "choudhry", "chaudri", "chaudhri", "choudhary", "chowdhury"),
    "hussain": ("hussein", "husain", "husein"),
    "rehman": ("rahman",),
    "ahmad": ("ahmed",),
    "syed": ("sayed", "sayyid", "sayyed"),
    "mahmood": ("mahmud", "mehmood", "mahmoud"),
    "yusuf": ("yousaf", "yousuf", "yousef"),
    "qureshi": ("qureshy", "quraishi"),
})
_CANONICAL_TOKEN = {
    variant: canonical
    for canonical, variants in NAME_VARIANTS.items()
    for variant in variants
}

# Spellings of the same Arabic-script letter that keyboards and documents mix (Arabic, Persian
# and Urdu layouts); tatweel only stretches a word. Harakat go with the other combining marks.
_ARABIC_LETTERS = {
    "\u064a": "\u06cc",  # Arabic yeh -> Farsi yeh
    "\u0649": "\u06cc",  # alef maksura -> Farsi yeh
    "\u0643": "\u06a9",  # Arabic kaf -> keheh
    "\u0647": "\u06c1",  # heh -> heh goal
    "\u06c2": "\u06c1",  # heh goal with hamza above -> heh goal
    "\u06c0": "\u06c1",  # heh with yeh above (Persian keyboards) -> heh goal
    "\u06d5": "\u06c1",  # ae -> heh goal
    "\u0629": "\u06c1",  # teh marbuta -> heh goal
    "\u0623": "\u0627",  # alef with hamza above -> alef
    "\u0625": "\u0627",  # alef with hamza below -> alef
    "\u0622": "\u0627",  # alef with madda -> alef
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0624": "\u0648",  # waw with hamza -> waw
    "\u0640": "",  # tatweel
}
# Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN_LETTERS = {"æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th",
                  "ı": "i"}
# Dropped rather than made a space, so that "Ja'far" still finds "Jafar".
_APOSTROPHES = str.maketrans(dict.fromkeys("'`´ʹʻʼʽ‘’′", None))


def fold_name(text: str) -> str:
    """Return the search key of a name: folded tokens, usual transliterations made one."""
    return " ".join(name_tokens(text))


def name_tokens(text: str) -> list[str]:
    """Return the folded words of a name, each in its canonical spelling."""
    folded = unicodedata.normalize("NFKC", text.translate(_APOSTROPHES)).casefold()
    words = "".join(_fold_character(character) for character in folded).split()
    return [_CANONICAL_TOKEN.get(word, word) for word in words]


def names_match(a: str, b: str) -> bool:
    """Whether two names may be the same person's.

    True when their folded tokens are the same set, or when one name's tokens all occur in the
    other's and they share at least two (a middle name left out): "Muhammad Ali Chaudhry" and
    "Mohammed Chaudhary" match, "Ali Khan" and "Imran Khan" do not, nor "Khan" and "Ali Khan".
    An empty name matches nothing.
    """
    tokens_a, tokens_b = set(name_tokens(a)), set(name_tokens(b))
    if not tokens_a or not tokens_b:
        return False
    if tokens_a == tokens_b:
        return True
    common = tokens_a & tokens_b
    return (common == tokens_a or common == tokens_b) and len(common) >= 2


def _fold_character(character: str) -> str:
    if character in _ARABIC_LETTERS:
        return _ARABIC_LETTERS[character]
    category = unicodedata.category(character)
    if category == "Mn":  # harakat, superscript alef, accents left over from case folding
        return ""
    if category == "Cf":  # zero-width (non-)joiners and direction marks inside a word
        return ""
    if category[0] in "PSZC" or character.isspace():
        return " "
    if _is_arabic_script(character):
        return character
    return "".join(
        _LATIN_LETTERS.get(part, part)
        for part in unicodedata.normalize("NFKD", character)
        if not unicodedata.combining(part)
    )


def _is_arabic_script(character: str) -> bool:
    code = ord(character)
    return 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF
