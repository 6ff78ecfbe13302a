"""What libraries say while a command runs, kept off the terminal unless asked for.

A failing command prints one line: its error. Decoders and image libraries also talk: PIL
raises Python warnings, libjpeg and libtiff (inside OpenCV) write straight to file descriptor
2, and our own modules log warnings ("3 decoding problems"). While a command runs:

- Python warnings and log records are collected instead of printed;
- file descriptor 2 is pointed at a temporary file, while ``sys.stderr`` (the progress bar,
  the error line) keeps writing to the terminal, so C libraries' messages are collected too
  (only when ``sys.stderr`` is file descriptor 2: not under a test's capture).

Afterwards the command line prints our own warnings (one line each, ``warning: ...``) or, on
an error, folds them into the error's line; the libraries' messages are printed only with
``--verbose``.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import io
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

OWN_LOGGERS = ("analysis", "workbench", "ui")


@dataclass
class Diagnostics:
    """What was said during a command: ours (our loggers) and the libraries'."""

    own: list[str] = field(default_factory=list)
    library: list[str] = field(default_factory=list)

    def add_own(self, text: str) -> None:
        if text not in self.own:
            self.own.append(text)

    def add_library(self, text: str) -> None:
        for line in text.splitlines():
            line = line.strip()
            if line and line not in self.library:
                self.library.append(line)


class _Collector(logging.Handler):
    def __init__(self, into: Diagnostics) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.name.split(".")[0] in OWN_LOGGERS:
            self.into.add_own(text)
        else:
            self.into.add_library(f"{record.name}: {text}")


def add_verbose_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="also print what decoding libraries said (warnings of PIL, libjpeg, libtiff, ...)",
    )


@contextlib.contextmanager
def captured() -> Iterator[Diagnostics]:
    """Collect warnings, log records and C libraries' stderr output while the block runs."""
    found = Diagnostics()
    handler = _Collector(found)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught, _fd2_captured(found):
            yield found
        for w in caught:
            found.add_library(f"{w.category.__name__}: {w.message}")
    finally:
        root.removeHandler(handler)


def _real_stderr_fd() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


@contextlib.contextmanager
def _fd2_captured(into: Diagnostics) -> Iterator[None]:
    if not _real_stderr_fd():
        yield
        return
    sys.stderr.flush()
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        terminal = open(  # noqa: SIM115 - lives exactly as long as the redirection
            saved, "w", encoding=sys.stderr.encoding, errors="backslashreplace", closefd=False
        )
        previous, fault = sys.stderr, faulthandler.is_enabled()
        os.dup2(sink.fileno(), 2)
        sys.stderr = terminal
        if fault:  # a crash report must still reach the terminal
            faulthandler.enable(terminal)
        try:
            yield
        finally:
            terminal.flush()
            sys.stderr = previous
            os.dup2(saved, 2)
            if fault:
                faulthandler.enable(previous)
            terminal.close()
            os.close(saved)
            sink.seek(0)
            into.add_library(sink.read().decode("utf-8", errors="replace"))


def report(found: Diagnostics, *, verbose: bool, failed: bool) -> list[str]:
    """The lines to print to stderr after the command (the error line is the caller's)."""
    lines = [] if failed else [f"warning: {text}" for text in found.own]
    if verbose:
        lines += [f"library: {text}" for text in found.library]
    return lines


def fold(error: str, found: Diagnostics) -> str:
    """The error line with our own warnings (which often say why) folded in."""
    return error if not found.own else f"{error} (while reading: {'; '.join(found.own)})"
