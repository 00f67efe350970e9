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


def render_context(participant, actor) -> list[tuple[str, dict]]:
    """[(template, context)] for every panel, in order."""
    return [(p.template, p.loader(participant, actor) or {}) for p in _PANELS]
