"""GUI tests: the application environment is prepared before pytest-qt makes the QApplication."""

from __future__ import annotations

from ui.app import prepare_environment

prepare_environment()
