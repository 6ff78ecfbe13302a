"""GUI tests: the application environment is prepared before pytest-qt makes the QApplication."""

from __future__ import annotations

import gc

import pytest
import shiboken6

from ui.environment import prepare_environment

prepare_environment()


@pytest.fixture(autouse=True)
def _automatic_gc_after_each_test():
    """A window's job runner hands collection to the GUI thread (ui.gui_gc); the tests after
    it, which run no event loop, get the interpreter's own collection back."""
    yield
    gc.enable()


@pytest.fixture
def map_panel(qtbot):
    """A shown MapPanel with no case; deleted at once afterwards (its page before its profile)."""
    from ui.map.panel import MapPanel

    p = MapPanel()
    qtbot.addWidget(p)
    p.resize(700, 500)
    p.show()
    yield p
    p.shutdown()
    shiboken6.delete(p)
