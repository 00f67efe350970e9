"""Sections other domains add to the case file page.

A panel is a template plus a loader that returns its context. The case file page renders every
registered panel in `order`. The loader must load what the template needs in a constant number of
queries; templates never query.

    from caseflow.participants.panels import case_file_panel

    @case_file_panel(template="placements/_case_file_panel.html", order=30)
    def placements_panel(participant, actor):
        return {"placements": ...}
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

_PANELS: list[Panel] = []


@dataclass(frozen=True)
class Panel:
    template: str
    order: int
    loader: Callable


def case_file_panel(*, template: str, order: int = 50) -> Callable:
    def register(loader: Callable) -> Callable:
        if not any(p.template == template for p in _PANELS):
            _PANELS.append(Panel(template, order, loader))
            _PANELS.sort(key=lambda p: p.order)
        return loader
    return register


# The case file is split into sections with their own addresses; each loads only its own panels.
# A panel's section follows from its domain (the template's folder); others go to the overview.
SECTION_OF_DOMAIN = {
    "measures": "measures",
    "placements": "placements",
    "documents": "documents",
    "privacy": "data-protection",
}
OVERVIEW = "overview"


def section_of(panel: Panel) -> str:
    return SECTION_OF_DOMAIN.get(panel.template.split("/", 1)[0], OVERVIEW)


def panel_sections() -> set[str]:
    """The sections some registered panel belongs to (a section without panels is not offered,
    e.g. documents when the documents domain is not installed)."""
    return {section_of(p) for p in _PANELS}


def render_context(participant, actor, section: str | None = None) -> list[tuple[str, dict]]:
    """[(template, context)] for every panel of `section` (every panel when None), in order. Only
    those panels' loaders run, so a section loads only its own data."""
    return [(p.template, p.loader(participant, actor) or {}) for p in _PANELS
            if section is None or section_of(p) == section]


# --- the summary header ----------------------------------------------------------------------------
# Facts other domains add to the case file's summary header (e.g. the consent state). A source
# returns SummaryFacts in a constant number of queries.

@dataclass(frozen=True)
class SummaryFact:
    key: str
    label: str
    value: str
    warn: bool = False     # shown as a warning (and, when `alert`, at the top of every section)
    alert: str = ""        # a sentence for the warning at the top of the case file
    url: str | None = None


_SUMMARY_SOURCES: list[Callable] = []


def summary_source(func: Callable) -> Callable:
    if func not in _SUMMARY_SOURCES:
        _SUMMARY_SOURCES.append(func)
    return func


def summary_facts(participant) -> list[SummaryFact]:
    facts: list[SummaryFact] = []
    for source in _SUMMARY_SOURCES:
        facts.extend(source(participant) or ())
    return facts
