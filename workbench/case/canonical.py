"""Canonical JSON and hashing for the audit chain.

Canonical content is sorted-key, compact, UTF-8 JSON of Unicode NFC-normalised strings, so that
the same logical row hashes the same on every platform and Python version.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any


def normalise(value: Any) -> Any:
    """Return ``value`` with every string (keys included) NFC-normalised."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {normalise(str(k)): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Sorted-key, compact JSON of the NFC-normalised value; non-finite floats are refused."""
    return json.dumps(
        normalise(value),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
