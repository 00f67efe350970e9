"""Folding personal names for search and for the duplicate check.

`fold()` is what search compares: lower case, any script transliterated to Latin (anyascii),
accents dropped, German umlaut spellings folded (ä = ae = a, ß = ss), hyphens and spaces normalised,
apostrophes dropped. `fold("Müller") == fold("Mueller") == fold("Muller") == "muller"`.

`name_skeleton()` is coarser and is only used to find possible duplicates: the consonant skeleton
of a folded name after merging common transliteration variants (w/v, y/j, ph/f, kh/ch/k, c/k/q,
z/s, doubled letters), so Kovalenko/Kowalenko, Mohammed/Muhammad and Jusuf/Yusuf meet.
"""
from __future__ import annotations

import re

from anyascii import anyascii

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,/]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")
_UMLAUT_SPELLINGS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
_VOWELS = re.compile(r"[aeiou]+")


def fold(text: str | None) -> str:
    """The search form of a text: lower-case ASCII words separated by single spaces."""
    if not text:
        return ""
    value = anyascii(text).lower()
    value = _SEPARATORS.sub(" ", value)
    value = _NOT_ALNUM.sub("", value)
    for spelled, plain in _UMLAUT_SPELLINGS:
        value = value.replace(spelled, plain)
    return " ".join(value.split())


SEARCH_KEY_LENGTH = 260  # Participant.search_key's length


def search_key(case_number: str | None, first_name: str | None, last_name: str | None,
               phone: str | None = None, email: str | None = None) -> str:
    """What `Participant.search_key` holds: the folded case number, names and e-mail address, the
    phone number's digits, and each name with its separators removed so that "alhassan" finds
    "Al-Hassan"."""
    return folded_search_key(fold(case_number), fold(first_name), fold(last_name),
                             phone_digits(phone), fold(email))


def phone_digits(phone: str | None) -> str:
    """A phone number as search compares it: its digits only, so that "030 123-4567", "0301234567"
    and "030 1234567" all find each other (every digit group of a query is a part of it). A German
    number is held in both forms, national and international (0151 … and 49151 …), so that
    "0151 2345678" and "+49 151 2345678" find it however it was typed in."""
    text = (phone or "").strip()
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if text.startswith("+"):
        digits = "00" + digits
    if digits.startswith("0049") and len(digits) > 4:
        return f"0{digits[4:]} 49{digits[4:]}"
    if digits.startswith("0") and not digits.startswith("00") and len(digits) > 1:
        return f"{digits} 49{digits[1:]}"
    return digits.removeprefix("00")


def folded_search_key(case_number: str, first_name: str, last_name: str,
                      phone: str = "", email: str = "") -> str:
    """search_key() of parts folded already (the demo data folds each distinct name only once).
    The compact names and then the e-mail address come last: they are the first to go when
    very long names and addresses fill the column."""
    parts = [case_number, first_name, last_name, phone, email]
    for name in (first_name, last_name):
        if " " in name:
            parts.append(name.replace(" ", ""))
    return " ".join(p for p in parts if p)[:SEARCH_KEY_LENGTH]


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search query; every one must occur in the search key."""
    return fold(query).split()[:8]


# Applied in this order to a folded word (no spaces).
_TRANSLITERATIONS = (
    ("sch", "sh"), ("tsch", "ch"), ("dzh", "j"), ("dsch", "j"), ("dj", "j"), ("zh", "j"),
    ("kh", "h"), ("ch", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("ck", "k"),
    ("ou", "u"), ("w", "v"), ("y", "j"), ("c", "k"), ("q", "k"), ("z", "s"), ("x", "ks"),
)


def _word_skeleton(word: str) -> str:
    for a, b in _TRANSLITERATIONS:
        word = word.replace(a, b)
    if not word:
        return ""
    # A leading vowel counts (Olena/Elena both start with one), the others do not.
    head = "a" if word[0] in "aeiou" else word[0]
    rest = _VOWELS.sub("", word[1:])
    skeleton = head + rest
    # Doubled letters vary between spellings (Mohammed/Muhamad).
    collapsed: list[str] = []
    for ch in skeleton:
        if not collapsed or collapsed[-1] != ch:
            collapsed.append(ch)
    return "".join(collapsed)


def name_skeleton(name: str | None) -> str:
    """The duplicate-check form of one name (first or last), words joined without spaces."""
    return _word_skeleton(fold(name).replace(" ", ""))


def duplicate_key(first_name: str | None, last_name: str | None) -> str:
    """What `Participant.duplicate_key` holds: the skeletons of both names in alphabetical order, so
    that a swapped first and last name gives the same key."""
    return " ".join(sorted([name_skeleton(first_name), name_skeleton(last_name)]))[:120]


def _distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]


def similar_names(key_a: str | None, key_b: str | None) -> bool:
    """Whether two duplicate keys probably name the same person: the same skeletons (in either
    order, or split differently between first and last name), or one letter apart when long."""
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    compact_a, compact_b = key_a.replace(" ", ""), key_b.replace(" ", "")
    return min(len(compact_a), len(compact_b)) >= 6 and _distance_at_most_one(compact_a, compact_b)
