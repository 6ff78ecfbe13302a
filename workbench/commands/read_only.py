"""Opening a case for an export that needs only to read it.

An export reads the case and writes a file that carries its provenance (the audit head); the
case's log row that records it is a courtesy that only the process holding the writer lock
can add. So when another process (the GUI, usually) holds the case, the export goes ahead on
a read-only opening and says that its log has no row for it. Queueing the row for the holder
was considered and left out: a second process has no safe way into the holder's writer, and
the file already names the head it was made at, which ``verify`` checks for sidecars.
"""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.case import Case, CaseLockedError, open_case


def open_for_export(path: Path, command: str) -> Case:
    """The case open for writing, else (held elsewhere) read-only with a note on stderr."""
    try:
        return open_case(path)
    except CaseLockedError as exc:
        case = open_case(path, read_only=True)
        holder = str(exc).split("; close it there", 1)[0]
        print(
            f"geoworkbench {command}: note: {holder}; exporting from it read-only: the file "
            "carries its provenance and the case's audit head, but the case's log does not "
            "record this export",
            file=sys.stderr,
        )
        return case
