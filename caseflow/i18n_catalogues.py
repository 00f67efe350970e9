"""Message catalogues per domain: which sources feed which catalogue, extraction and update.

`python -m caseflow.i18n_catalogues update` extracts every domain's strings and merges them into its
German and English catalogues (`caseflow/<domain>/translations/<lang>/LC_MESSAGES/messages.po`);
the shared layout's strings go to `caseflow/translations`; `... compile` compiles them all (dev.py
runs it before every start and test run). tests/platform/test_i18n.py fails when a string has no
German translation.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "caseflow"
LANGUAGES = ("de", "en")
DOMAINS = ("accounts", "audit", "audit_log", "participants", "measures", "placements", "reports", "privacy",
           "documents", "imports", "jobs", "notifications", "board", "calendar_feed", "partnerships", "api")


def sources(domain: str | None) -> list[Path]:
    """The files whose strings belong to `domain`'s catalogue (None: the shared layout)."""
    if domain is None:
        shared = [p for p in PKG.glob("*.py")] + [ROOT / "templates" / "base.html"]
        shared += list((ROOT / "templates" / "_macros").glob("*.html"))
        shared += list((ROOT / "templates" / "errors").glob("*.html"))
        return [p for p in shared if p.exists()]
    files = list((PKG / domain).rglob("*.py")) + list((ROOT / "templates" / domain).rglob("*.html"))
    return [p for p in files if "translations" not in p.parts]


def catalogue_dir(domain: str | None) -> Path:
    return (PKG / "translations") if domain is None else (PKG / domain / "translations")


def catalogue_dirs() -> list[Path]:
    """Every catalogue folder that exists: the shared layout's first, then each domain's."""
    return [d for d in map(catalogue_dir, (None, *DOMAINS)) if d.is_dir()]


def extract(domain: str | None, pot: Path) -> bool:
    files = sources(domain)
    if not files:
        return False
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_pgettext:1c,2", "--no-location", "--sort-output", "-o", str(pot),
                    *[str(f.relative_to(ROOT)) for f in files]], cwd=ROOT, check=True)
    return True


_STAMPS = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"$', re.M)


def _pin_header_dates(path: Path) -> None:
    """Babel writes the time of each extraction into the header of every catalogue; a fixed value
    keeps catalogues whose strings did not change unchanged (and parallel branches mergeable)."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        path.write_text(_STAMPS.sub(lambda m: f'"{m.group(1)}: 2026-01-01 00:00+0000\\n"', text), encoding="utf-8")


def update() -> None:
    for domain in (None, *DOMAINS):
        target = catalogue_dir(domain)
        pot = target / "messages.pot"
        target.mkdir(parents=True, exist_ok=True)
        if not extract(domain, pot):
            continue
        for lang in LANGUAGES:
            po = target / lang / "LC_MESSAGES" / "messages.po"
            action = "update" if po.exists() else "init"
            subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", action, "-i", str(pot),
                            "-d", str(target), "-l", lang, "--no-wrap"] + (["--ignore-obsolete"] if action == "update" else []),
                           cwd=ROOT, check=True)
            _pin_header_dates(po)
        _pin_header_dates(pot)


def compile_all() -> None:
    """Compiles every catalogue that exists (the shared one and each domain's) to .mo files."""
    for target in catalogue_dirs():
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "--use-fuzzy",
                        "-d", str(target)], cwd=ROOT, check=True)


if __name__ == "__main__":
    commands = {"update": update, "compile": compile_all}
    if len(sys.argv) == 2 and sys.argv[1] in commands:
        commands[sys.argv[1]]()
    else:
        sys.exit(__doc__)
