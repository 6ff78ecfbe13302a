"""Typed errors of the case store."""

from __future__ import annotations

from analysis.errors import WorkbenchError


class CaseError(WorkbenchError):
    """The case folder or its database cannot be used as asked."""


class CaseNotFoundError(CaseError):
    """The path is not a case folder."""


class CaseLockedError(CaseError):
    """Another process holds the case's write lock."""


class CaseSchemaError(CaseError):
    """The case was written by a newer version of the workbench, or its schema is damaged."""
