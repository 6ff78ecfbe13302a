"""One tiny catalog for the Archive window's tests (built once: triage takes seconds)."""

from __future__ import annotations

import pytest

from tests.synth.tiny_catalog import build_tiny_catalog


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    return build_tiny_catalog(tmp_path_factory.mktemp("tiny"))
