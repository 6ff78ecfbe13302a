"""The control points of the dialog, without Qt: pairs being made, the fit, and undo history.

A pair is made by a click in the image, then one on the reference (either order works: the
second click completes the pending half). Every change refits at once; the history keeps
each state, so undo and redo step through them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from analysis.errors import WorkbenchError
from analysis.imagery.georeference import GeorefResult, georeference_gcps
from analysis.imagery.register_fit import KINDS, MIN_POINTS, Gcp


@dataclass(frozen=True)
class FitState:
    result: GeorefResult | None
    error: str


class GcpModel:
    """The points, the pending half-pair, the kind, and the fit of the enabled points."""

    def __init__(self, image_wh: tuple[int, int]) -> None:
        self.image_wh = image_wh
        self.gcps: list[Gcp] = []
        self.kind = "projective"
        self.pending_px: tuple[float, float] | None = None
        self.pending_ll: tuple[float, float] | None = None
        self._history: list[list[Gcp]] = [[]]
        self._at = 0

    # -- edits ----------------------------------------------------------------------------
    def _commit(self) -> None:
        self._history = self._history[: self._at + 1] + [list(self.gcps)]
        self._at += 1

    def click_image(self, x: float, y: float) -> bool:
        """A click in the image; True when it completed a pair."""
        self.pending_px = (x, y)
        return self._complete()

    def click_reference(self, lat: float, lon: float) -> bool:
        self.pending_ll = (lat, lon)
        return self._complete()

    def _complete(self) -> bool:
        if self.pending_px is None or self.pending_ll is None:
            return False
        (x, y), (lat, lon) = self.pending_px, self.pending_ll
        self.gcps.append(Gcp(x, y, lat, lon, True, f"P{len(self.gcps) + 1}"))
        self.pending_px = self.pending_ll = None
        self._commit()
        return True

    def move_image(self, i: int, x: float, y: float) -> None:
        self.gcps[i] = replace(self.gcps[i], x=x, y=y)
        self._commit()

    def move_reference(self, i: int, lat: float, lon: float) -> None:
        self.gcps[i] = replace(self.gcps[i], lat=lat, lon=lon)
        self._commit()

    def set_enabled(self, i: int, on: bool) -> None:
        self.gcps[i] = replace(self.gcps[i], enabled=on)
        self._commit()

    def remove(self, i: int) -> None:
        del self.gcps[i]
        self._commit()

    def replace_all(self, gcps: list[Gcp]) -> None:
        self.gcps = list(gcps)
        self.pending_px = self.pending_ll = None
        self._commit()

    def undo(self) -> bool:
        if self._at == 0:
            return False
        self._at -= 1
        self.gcps = list(self._history[self._at])
        return True

    def redo(self) -> bool:
        if self._at + 1 >= len(self._history):
            return False
        self._at += 1
        self.gcps = list(self._history[self._at])
        return True

    # -- the fit --------------------------------------------------------------------------
    def fit(self) -> FitState:
        if self.kind not in KINDS:
            return FitState(None, f"unknown transform {self.kind}")
        n = sum(g.enabled for g in self.gcps)
        need = MIN_POINTS[self.kind]
        if n < need:
            return FitState(None, f"{n} of the {need} control points a {self.kind} fit needs")
        try:
            return FitState(georeference_gcps(self.image_wh, self.gcps, self.kind), "")
        except WorkbenchError as exc:
            return FitState(None, str(exc))
