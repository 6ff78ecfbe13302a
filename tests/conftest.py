"""Test set-up shared by every test: offscreen Qt, isolated settings, real media paths."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--no-sandbox" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (flags + " --no-sandbox").strip()

MEDIA_DATA = Path(__file__).resolve().parent / "data" / "media"


@pytest.fixture
def media_data() -> Path:
    """tests/data/media: small real media kept in the repository (truth in its README.md,
    origins, licences and changes in its LICENSES.md)."""
    return MEDIA_DATA


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory, monkeypatch):
    """Keep QSettings and any user config out of the real home directory."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GEOWORKBENCH_CONFIG_DIR", str(home / ".config" / "geoworkbench"))
    yield


@pytest.fixture(autouse=True)
def _fail_on_error_logs(caplog):
    """A test that logs at ERROR from our packages fails (PySceneDetect's rule)."""
    caplog.set_level(logging.WARNING)
    yield
    ours = ("workbench", "analysis", "ui")
    errors = [
        r
        for r in caplog.get_records("call")
        if r.levelno >= logging.ERROR and r.name.split(".")[0] in ours
    ]
    assert not errors, f"errors were logged: {[r.getMessage() for r in errors]}"
