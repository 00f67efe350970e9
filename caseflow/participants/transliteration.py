"""The reviewed transliteration table of the duplicate check (docs/domain.md, "Names written in
other scripts").

A Cyrillic or Arabic name reaches the case file in whatever Latin spelling the person's papers
use: German (Duden: Schewtschenko, Schukow, Dschamal), English (BGN/PCGN: Shevchenko, Zhukov,
Jamal), French (Chevtchenko, Joukov, Youssef) or Polish (Wójcik, Szewczenko). The letters do not
map one to one between these systems ("ch" is х in German, ч in English, ш in French; "z" is ц
in German and з in English), so a name is not rewritten into one form: it is read once in each
system, and every reading gives a sound skeleton. Two names are taken as spellings of one name
when one of their skeletons is the same (`same_transliterated_name`).

A skeleton is built from the folded name (lower case; Latin letters with diacritics that carry a
sound of their own first: ž/ż/š/ś → S, č/ć/ç → C, ó → u): each system's rules below replace the
spellings of one sound by one symbol, in one pass, longest spelling first; then vowels (and the
semi-vowels j/y/i that systems write differently) are dropped except a leading one, which
counts as "a", and doubled symbols are collapsed.

Symbols: S = ш ж ش (sh, zh, sch, sz, ch in French), C = ч (ch, tsch, cz, tch), J = дж ج (j, dsch,
dzh, dj), Z = ц (ts, tz, German z, Polish c), h = х خ ح ه (kh, German ch, h), s = с з س ز
(s, ss, English z), v = в و (v, w), k = к ق (k, c, ck, q), f = ф (f, ph), t = т ث (t, th),
d = д ذ (d, dh), g = г غ (g, gh).

The table is reviewed: each line below carries a name pair that it exists for, tested in
tests/participants/test_duplicates.py. Changing a line changes who is warned about, never what is
stored (the skeletons are computed when two candidates of the same birth date are compared).
"""
from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from caseflow.translation import lazy_gettext as _l

# Latin letters whose diacritic is the sound (anyascii would drop it): before folding.
DIACRITICS = {
    "ž": "S", "ż": "S", "ź": "S", "š": "S", "ś": "S", "ş": "S",   # Žukov, Żukow, Šapiro, Şahin
    "č": "C", "ć": "C", "ç": "C",                                 # Čech, Wójcić, Çelik
    "ó": "u", "ł": "l", "ğ": "",                                  # Wójcik, Michał, Doğan/Doan
}

# Each system: spelling → symbol. Comment: a pair that this line makes meet.
READINGS: dict[str, dict[str, str]] = {
    "de": {
        "schtsch": "SC",  # Chruschtschow / Khrushchev
        "tsch": "C",      # Schewtschenko / Shevchenko
        "dsch": "J",      # Dschamal / Jamal
        "sch": "S",       # Schukow / Zhukov, Scharif / Sharif
        "ch": "h",        # Chalil / Khalil, Achmed / Ahmad
        "ck": "k", "tz": "Z", "z": "Z",   # Saizew / Zaytsev
        "ss": "s", "j": "y", "w": "v",    # Jussuf / Yusuf, Iwanowa / Ivanova
        "ph": "f", "th": "t", "qu": "kv", "q": "k", "x": "ks", "c": "k",
    },
    "en": {
        "shch": "SC",     # Khrushchev
        "zh": "S",        # Zhukov
        "sh": "S",        # Shevchenko, Sharif
        "kh": "h",        # Khalil, Kharkiv
        "tch": "C", "ch": "C",            # Shevchenko, Chekhov
        "dzh": "J", "dj": "J", "j": "J",  # Dzhamal, Djamal, Jamal
        "ts": "Z", "tz": "Z",             # Zaytsev
        "ck": "k", "ph": "f", "th": "t",  # Uthman / Utman
        "dh": "d", "gh": "g",             # Ramadhan / Ramadan, Ghassan / Gassan
        "q": "k", "x": "ks", "c": "k",    # Qasim / Kasim
        "z": "s", "ss": "s", "w": "v",    # Zaytsev / Saizew, Hussein / Husein
    },
    "fr": {
        "tch": "C",       # Chevtchenko / Shevchenko
        "dj": "J",        # Djamal / Jamal
        "ch": "S",        # Chérif / Sharif, Chevtchenko
        "j": "S",         # Joukov / Zhukov
        "kh": "h", "ou": "u",             # Youssef / Yusuf
        "gu": "g", "qu": "k", "ph": "f", "th": "t",
        "ts": "Z", "ss": "s", "z": "s", "c": "k", "q": "k", "x": "ks", "w": "v",
    },
    "pl": {
        "szcz": "SC",     # Szczepan / Schtschepan
        "cz": "C",        # Szewczenko / Shevchenko
        "sz": "S", "rz": "S",             # Szewczenko, Grzegorz
        "ch": "h",        # Chmielewski / Khmelevsky
        "ci": "C",        # Wójcik / Woitschik
        "c": "Z",         # Cwetajewa / Tsvetaeva
        "dz": "Z", "j": "y", "w": "v",    # Wójcik / Vojcik
        "ck": "k", "ph": "f", "th": "t", "q": "k", "x": "ks",
    },
}

READING_LABELS = {"de": _l("German"), "en": _l("English"), "fr": _l("French"), "pl": _l("Polish")}

_PATTERNS = {
    system: re.compile("|".join(re.escape(s) for s in sorted(rules, key=len, reverse=True)))
    for system, rules in READINGS.items()
}
_VOWELS = re.compile(r"[aeiouy]+")
_UMLAUT_SPELLINGS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


_DIACRITICS_TABLE = str.maketrans(DIACRITICS)
_NOT_LETTERS = re.compile(r"[^A-Za-z]+")


def _folded(name: str) -> str:
    """Lower case, sound-bearing diacritics as symbols, the rest in ASCII letters, umlaut spellings
    folded (ä = ae = a), no spaces, hyphens or apostrophes."""
    text = name.lower().translate(_DIACRITICS_TABLE)
    if not text.isascii():
        text = anyascii(text)
    text = _NOT_LETTERS.sub("", text)
    for spelled, plain in _UMLAUT_SPELLINGS:
        text = text.replace(spelled, plain)
    return text


def _skeleton(sounds: str) -> str:
    if not sounds:
        return ""
    head = "a" if sounds[0] in "aeiouy" else sounds[0]
    rest = _VOWELS.sub("", sounds[1:])
    out: list[str] = []
    for ch in head + rest:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def readings(name: str | None) -> dict[str, str]:
    """The name's skeleton as read in each system: {"de": …, "en": …, "fr": …, "pl": …}."""
    return dict(_readings(name or ""))


@lru_cache(maxsize=8192)
def _readings(name: str) -> tuple[tuple[str, str], ...]:
    # cached: a registration compares one name with the few hundred of a birth year, whose names
    # repeat (Mohammed, Olena …)
    folded = _folded(name)
    return tuple((system, _skeleton(_read(system, folded))) for system in READINGS)


def _read(system: str, folded: str) -> str:
    rules = READINGS[system]
    return _PATTERNS[system].sub(lambda m: rules[m.group(0)], folded)


def same_transliterated_name(a: str | None, b: str | None) -> tuple[str, str] | None:
    """(system of a, system of b) in which the two names sound the same, or None. German and
    English are tried first, as they are the usual pair in a German case file."""
    ra, rb = dict(_readings(a or "")), dict(_readings(b or ""))
    for sa_ in _ORDER:
        for sb_ in _ORDER:
            if ra[sa_] and ra[sa_] == rb[sb_]:
                return sa_, sb_
    return None


_ORDER = ("de", "en", "fr", "pl")


@lru_cache(maxsize=8192)
def sounds(name: str | None) -> tuple[str, ...]:
    """The name's distinct skeletons in all systems (empty ones left out): two names are the same
    name transliterated exactly when they share one (`meet`; `same_transliterated_name` says in
    which systems). Cached by name, and a tuple of strings, which costs the garbage collector
    nothing: the import asks for the names of every row of a file and of the cases they are
    compared with."""
    folded = _folded(name or "")
    return tuple({skeleton: None for system in READINGS if (skeleton := _skeleton(_read(system, folded)))})


def meet(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two names' `sounds` share a skeleton."""
    return any(skeleton in b for skeleton in a)
