"""What a committed write changed: kinds and ids, announced to subscribers by the writer.

Every write of a case appends its audit rows in the same transaction (ADR 0001, 0003), so the
rows a transaction appended say what it changed: ``landmark:3`` moved, an evidence's source
edited, a cut added. The writer reads them just before COMMIT and, once the transaction is
committed, hands one ``Change`` to each subscriber of the case's ``ChangeFeed``, on the writer
thread. A subscriber must be quick and must not wait on the writer (it is the writer): the GUI
re-emits the change as a queued Qt signal (``ui.changes.CaseChanges``) and returns.

Kinds (the words a panel asks for): ``landmark`` (cameras and targets too), ``observation``,
``hypothesis``, ``evidence``, ``note``, ``frames`` (a frame table), ``cut`` (segments),
``continuity``, ``export``, ``basemap``, ``case``; every change also has ``audit``. An action
of an unknown family is its own kind (its name before the dot), so a new family is announced
before anyone has named it here.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from workbench.case.audit import AuditEntry, entries_after

log = logging.getLogger(__name__)

Subscriber = Callable[["Change"], None]

# action (or its family, the part before the dot) -> kind, where the target does not say it
_ACTION_KINDS = {
    "evidence": "evidence",
    "note": "note",
    "video.frame_table": "frames",
    "video.frame_table_rebuilt": "frames",
    "video.segments_detect": "cut",
    "segment": "cut",
    "frame.export": "export",
    "frame.contact_sheet": "export",
    "geodata.export": "export",
    "geodata.import": "landmark",
    "map.basemap": "basemap",
    "case": "case",
    "continuity": "continuity",
}
# target prefix ("landmark:3") -> kind
_TARGET_KINDS = {
    "landmark": "landmark",
    "observation": "observation",
    "hypothesis": "hypothesis",
    "continuity_note": "continuity",
}


@dataclass(frozen=True)
class Change:
    """One committed transaction: the kinds of record it changed and which ones.

    ``ids`` holds (kind, id) pairs as text: ``("landmark", "3")``, ``("evidence", <sha256>)``
    (evidence, notes, frames and cuts are named by their evidence's SHA-256; a case note by
    ``"case"``). ``audit`` is the rows the transaction appended, in order.
    """

    kinds: frozenset[str]
    ids: frozenset[tuple[str, str]]
    audit: tuple[AuditEntry, ...]

    def touches(self, *kinds: str) -> bool:
        """Whether any of ``kinds`` changed."""
        return not self.kinds.isdisjoint(kinds)

    def ids_of(self, kind: str) -> frozenset[str]:
        """The ids of ``kind`` that changed (as text)."""
        return frozenset(i for k, i in self.ids if k == kind)


def kind_of(action: str, target: str) -> tuple[str, str]:
    """The (kind, id) an audit row names: from its target ``kind:id`` or from its action."""
    prefix, sep, rest = target.partition(":")
    if sep and prefix in _TARGET_KINDS:
        return _TARGET_KINDS[prefix], rest
    family = action.partition(".")[0]
    return _ACTION_KINDS.get(action) or _ACTION_KINDS.get(family) or family, target


def change_of(rows: Iterable[AuditEntry]) -> Change | None:
    """The change that appended ``rows`` (None when it appended none: nothing to announce)."""
    rows = tuple(rows)
    if not rows:
        return None
    ids = {kind_of(r.action, r.target) for r in rows}
    for r in rows:  # an import of points names the file; the rows name the points
        if r.action == "geodata.import":
            ids |= {("landmark", str(i)) for i in r.details.get("ids", [])}
    kinds = {k for k, _ in ids} | {"audit"}
    return Change(frozenset(kinds), frozenset(ids), rows)


class ChangeFeed:
    """Subscribers of one case's changes; the writer calls ``begin``, ``collect``, ``publish``.

    Thread-safe: subscribe and unsubscribe from any thread; subscribers are called on the
    writer thread, in the order the transactions committed.
    """

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(change)`` after every committed write; returns the unsubscribe."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    @property
    def active(self) -> bool:
        """Whether anyone listens (the writer skips reading the new rows when nobody does)."""
        with self._lock:
            return bool(self._subscribers)

    @staticmethod
    def begin(conn: sqlite3.Connection) -> int:
        """Inside the transaction, before the write: the audit head's sequence number."""
        row = conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()
        return int(row[0] or 0)

    @staticmethod
    def collect(conn: sqlite3.Connection, since_seq: int) -> Change | None:
        """Inside the transaction, after the write: what it changed."""
        return change_of(entries_after(conn, since_seq))

    def publish(self, change: Change) -> None:
        """After COMMIT, on the writer thread: hand ``change`` to every subscriber.

        A subscriber that raises is logged at ERROR and the others are still called: the
        write is committed whatever a listener does with the news.
        """
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(change)
            except Exception:
                log.exception("a change subscriber failed on %s", sorted(change.kinds))
