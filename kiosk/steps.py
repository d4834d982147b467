"""The step indicator: the steps of the patron's way through a flow, and which one they are on.

Each flow declares its ways (``STEPS`` beside its state table, one tuple of step keys per way) and each state
row its step (``StateInfo.step``; None: no indicator, as on an intro or a choice that decides the way). A
flow whose way branches (expiry by number or by card, renewal with or without the card) lists each branch;
the indicator keeps the way it showed last while the new step is on it, and otherwise takes the first way
that has the step. So a state shared by two ways (a result) is shown on the way the patron came by, with no
state needing to remember it. Kivy-free: the screen widget (screens/step_indicator.py) only draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import i18n
from kiosk.flows import tables


@dataclass(frozen=True)
class Indicator:
    """The steps shown (their keys, in order) and the index of the current one."""

    path: tuple[str, ...]
    current: int

    def labels(self, language: str) -> list[str]:
        """Each step's name in ``language`` (the catalogues' ``step.<key>``)."""
        return [i18n.translate(f"step.{key}", language) for key in self.path]


def indicator(flow: str, state: object, shown: Indicator | None = None) -> Indicator | None:
    """The indicator for ``state`` of ``flow`` (None: the state shows none), after ``shown``, the indicator the
    flow showed last (None at its start): its way is kept while it has the new step."""
    row = tables.info(flow, state)
    if row is None or not row.step:
        return None
    if shown is not None and row.step in shown.path:
        path = shown.path
    else:
        path = next((way for way in tables.STEPS.get(flow, ()) if row.step in way), ())
        if not path:
            return None
    return Indicator(path, path.index(row.step))


def step_labels(flow: str, state: object, language: str,
                shown: Indicator | None = None) -> tuple[list[str], int] | None:
    """(the step names in ``language``, the index of the current one) for ``state``, or None: no indicator."""
    found = indicator(flow, state, shown)
    return (found.labels(language), found.current) if found is not None else None
