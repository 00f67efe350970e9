"""Every catalogue is complete: each string extracted from its sources has a German translation."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from caseflow import i18n_catalogues

PKG = Path(i18n_catalogues.PKG)
CATALOGUES = [None] + sorted(p.parent.name for p in PKG.glob("*/translations") if p.is_dir())


def _key(message) -> tuple[str, str]:
    """A message as gettext finds it: its context (pgettext) and its id (the singular's)."""
    return message.context or "", message.id if isinstance(message.id, str) else message.id[0]


def _ids(catalog) -> set[tuple[str, str]]:
    return {_key(m) for m in catalog if m.id}


@pytest.mark.parametrize("domain", CATALOGUES, ids=lambda d: d or "shared")
def test_every_string_has_a_german_translation(domain, tmp_path):
    pot_path = tmp_path / "messages.pot"
    if not i18n_catalogues.extract(domain, pot_path):
        pytest.fail(f"{domain} has a translations folder but no sources")
    with pot_path.open("rb") as f:
        wanted = _ids(read_po(f))
    po_path = i18n_catalogues.catalogue_dir(domain) / "de" / "LC_MESSAGES" / "messages.po"
    assert po_path.exists(), f"missing {po_path}: run python3 dev.py i18n"
    with po_path.open("rb") as f:
        catalog = read_po(f)
    have = {_key(m): m for m in catalog if m.id}
    missing = sorted(i for i in wanted if i not in have)
    untranslated = sorted(i for i in wanted if i in have and not (
        have[i].string if isinstance(have[i].string, str) else all(have[i].string)))
    fuzzy = sorted(i for i in wanted if i in have and have[i].fuzzy)
    assert not missing, f"{po_path}: not in the catalogue (run python3 dev.py i18n): {missing}"
    assert not untranslated, f"{po_path}: no German msgstr: {untranslated}"
    assert not fuzzy, f"{po_path}: fuzzy (check and remove the flag): {fuzzy}"


@pytest.mark.parametrize("domain", CATALOGUES, ids=lambda d: d or "shared")
def test_placeholders_survive_translation(domain):
    po_path = i18n_catalogues.catalogue_dir(domain) / "de" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        catalog = read_po(f)
    import re
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.string:
            wanted = sorted(re.findall(r"%\(\w+\)[sd]", message.id))
            assert sorted(re.findall(r"%\(\w+\)[sd]", message.string)) == wanted, message.id


def test_catalogues_agree_on_shared_strings():
    """Flask-Babel merges every domain's catalogue into one, so a source string has ONE German
    text at run time: two catalogues translating it differently means one page silently shows the
    other domain's wording (e.g. 'End date' as 'Zeitraum' on a placement form). A context (pgettext)
    makes a string of its own: 'Counsellor' the role and 'Counsellor' the case's counsellor."""
    texts: dict[tuple[str, str], dict[str, str]] = {}
    for domain in CATALOGUES:
        po_path = i18n_catalogues.catalogue_dir(domain) / "de" / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as f:
            for m in read_po(f):
                if m.id and isinstance(m.id, str) and m.string:
                    texts.setdefault(_key(m), {})[domain or "shared"] = m.string
    clashes = {k: v for k, v in texts.items() if len(set(v.values())) > 1}
    assert not clashes, f"translated differently in different catalogues: {clashes}"
