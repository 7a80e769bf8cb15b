"""Mark what matched in a text shown with a search result: escaped first, then <mark>."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup, escape

from tracker.people.names import name_tokens

_WORD = re.compile(r"[^\W_]+")
SNIPPET = 240  # characters of a long text shown around the first match


@dataclass(frozen=True)
class Terms:
    """What a search looked for, folded as the search folds it."""

    words: tuple[str, ...] = ()  # every word of the text: a shown word starting with one
    names: tuple[str, ...] = ()  # folded name tokens: a shown word containing one

    def matches(self, word: str) -> bool:
        folded = name_tokens(word)
        if not folded:
            return False
        key = folded[0]
        return (any(key.startswith(w) for w in self.words)
                or any(n in key for n in self.names))


def highlight(text: str, matches: Callable[[str], bool], snippet: bool = True) -> Markup:
    """The text, HTML-escaped, with each word that `matches` in <mark>; a long text is cut
    to a window around its first match."""
    text = text or ""
    spans = [m.span() for m in _WORD.finditer(text) if matches(m.group())]
    start, end = 0, len(text)
    if snippet and len(text) > SNIPPET:
        first = spans[0][0] if spans else 0
        start = max(0, first - SNIPPET // 3)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + SNIPPET)
        if end < len(text):
            end = max(text.rfind(" ", start, end), first + 1)
    out, at = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        out.append(escape(text[at:span_start]))
        out.append(Markup("<mark>%s</mark>") % text[span_start:span_end])
        at = span_end
    out.append(escape(text[at:end]))
    return Markup("{}{}{}").format("…" if start else "", Markup("").join(out),
                                   "…" if end < len(text) else "")


def mark_all(text: str) -> Markup:
    """The whole text marked (a reference that matched)."""
    return Markup("<mark>%s</mark>") % (text or "")
