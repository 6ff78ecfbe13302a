"""A case that travels: ``bundle_case`` writes it into one zip with a manifest of hashes,
``unbundle`` writes it back on the other side, checked, or not at all.

The zip holds ``manifest.json`` and the case under ``case/``: the database copied with
SQLite's backup API (a consistent snapshot, even while the GUI writes), ``evidence/`` (unless
left out: then the manifest lists each original by hash and size, to be found in a folder on
the other side), ``exports/`` and ``derived/``. Unbundling refuses an unsafe archive before
anything is written (absolute names, ``..``, symlinks and other non-files, names outside
``case/``, files the manifest does not list, a compression ratio or size beyond the limits),
unpacks into a temporary folder inside the target, checks every hash, the chain and the
published head (``workbench.case.verify``), and only then renames the case into place.
"""

from __future__ import annotations

from workbench.exchange.bundle import BundleResult, bundle_case
from workbench.exchange.manifest import BundleError
from workbench.exchange.unbundle import UnbundleResult, unbundle

__all__ = ["BundleError", "BundleResult", "UnbundleResult", "bundle_case", "unbundle"]
