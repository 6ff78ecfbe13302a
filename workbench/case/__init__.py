"""The case: one investigation in one folder (``NAME.gwcase/``).

Public entry points are re-exported here; see ``store.Case``.
"""

from __future__ import annotations

from workbench.case.errors import (
    CaseError,
    CaseLockedError,
    CaseNotFoundError,
    CaseSchemaError,
)
from workbench.case.store import Case, create_case, delete_case, open_case

__all__ = [
    "Case",
    "CaseError",
    "CaseLockedError",
    "CaseNotFoundError",
    "CaseSchemaError",
    "create_case",
    "delete_case",
    "open_case",
]
