"""The report's PDF: the same HTML printed by QtWebEngine (``QWebEnginePage.printToPdf``).

One layout (ARCHITECTURE.md, Figures and the report): A4, page numbers and the case and its
audit head in every footer, figures never split across pages, Arabic shaped right to left with
the bundled Noto Naskh Arabic (``ui.report_printer`` says how). The report's HTML file is never
changed.

Three ways in:

- ``PdfPrinter`` (``ui.report_printer``, where the layout is): asynchronous, on the GUI
  thread of a running application (signals).
- ``print_pdf``: synchronous, for a script or a test; makes the application if there is none.
- ``python -m ui.report_pdf HTML PDF [--footer TEXT]``: a process of its own, offscreen when
  there is no screen; what the CLI's ``report --pdf`` and File > Export report run
  (``print_pdf_in_process``), so that Chromium never starts inside a worker thread.

The PDF is written beside its target and renamed into place: a failed or cancelled print
leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop

from analysis.jobs import CancelToken, JobCancelled, ProgressFn, check, report
from ui.report_printer import PdfPrinter, PdfPrintError, print_css, temporary_path

__all__ = ["PdfPrintError", "PdfPrinter", "print_css", "print_pdf", "print_pdf_in_process"]


def _has_screen() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _application():
    """The running application, or a new one (offscreen when there is no screen)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if not _has_screen():
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from ui.environment import prepare_environment

        prepare_environment()
        app = QApplication(sys.argv[:1])
    return app


def print_pdf(
    html_path: Path,
    pdf_path: Path,
    footer_text: str,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Print the report at ``html_path`` to ``pdf_path`` and wait for it.

    Runs a local event loop until the page is printed: for scripts, tests and
    ``python -m ui.report_pdf``; the GUI uses ``PdfPrinter`` or ``print_pdf_in_process``.

    Args:
        footer_text: the left of every footer (the case and its audit head).

    Returns:
        ``pdf_path``.

    Raises:
        PdfPrintError: the report is missing, did not load, or could not be printed.
        JobCancelled: ``cancel`` was cancelled (nothing is left at ``pdf_path``).
    """
    _application()
    printer = PdfPrinter(html_path, pdf_path, footer_text, progress=progress, cancel=cancel)
    outcome: dict[str, str] = {}
    loop = QEventLoop()
    printer.printed.connect(lambda path: (outcome.setdefault("ok", path), loop.quit()))
    printer.failed.connect(lambda message: (outcome.setdefault("error", message), loop.quit()))
    printer.start()
    if not outcome:
        loop.exec()
    cancelled = printer.cancelled
    printer.deleteLater()
    # The page, its view and profile go now, in order, before anyone quits the application.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    if "error" in outcome:
        if cancelled:
            raise JobCancelled(outcome["error"])
        raise PdfPrintError(outcome["error"])
    return Path(pdf_path)


def _read_lines(stream, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _progress_line(line: str, progress: ProgressFn | None) -> None:
    """``P <fraction> <message>``, as ``main --progress`` prints it."""
    parts = line.rstrip("\n").split(" ", 2)
    if len(parts) == 3 and parts[0] == "P":
        report(progress, float(parts[1]), parts[2])


def _child_error(errors, pdf_path: Path) -> str:
    """The printer process's one-line error, or the tail of what it said."""
    errors.seek(0)
    said = errors.read().decode("utf-8", "replace")
    lines = [ln for ln in said.splitlines() if ln.startswith("report_pdf: ")]
    if lines:
        return lines[-1][len("report_pdf: ") :]
    return f"{pdf_path}: the PDF printer failed ({said.strip()[-300:]})"


def print_pdf_in_process(
    html_path: Path,
    pdf_path: Path,
    footer_text: str,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """``print_pdf`` in a process of its own (``python -m ui.report_pdf``); callable from a
    worker thread or a Qt-free program. Cancelling ends that process.

    Raises:
        PdfPrintError: the printer process failed (its one-line message is kept).
        JobCancelled: ``cancel`` was cancelled.
    """
    command = [sys.executable, "-m", "ui.report_pdf", str(Path(html_path).resolve()),
               str(Path(pdf_path).resolve()), "--footer", footer_text, "--progress"]  # fmt: skip
    env = dict(os.environ)
    if not _has_screen():
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # What Chromium says goes to a file, never to a pipe that could fill up.
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
            text=True,
            encoding="utf-8",
            errors="replace",
        ) as proc,  # fmt: skip
    ):
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True)
        reader.start()
        try:
            while proc.poll() is None or reader.is_alive() or not lines.empty():
                check(cancel)
                try:
                    _progress_line(lines.get(timeout=0.1), progress)
                except queue.Empty:
                    continue
            if proc.wait() != 0:
                raise PdfPrintError(_child_error(errors, Path(pdf_path)))
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
            temporary_path(Path(pdf_path)).unlink(missing_ok=True)
    return Path(pdf_path)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ui.report_pdf HTML PDF [--footer TEXT]``: 0 printed, 1 failed, 2 usage."""
    parser = argparse.ArgumentParser(
        prog="python -m ui.report_pdf", description="Print an HTML report to PDF."
    )
    parser.add_argument("html", type=Path)
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--footer", default="", help="left of every footer (case, audit head)")
    parser.add_argument("--progress", action="store_true", help="progress lines on stdout")
    args = parser.parse_args(argv)

    def progress(fraction: float, message: str) -> None:
        print(f"P {fraction:.3f} {message}", flush=True)

    try:
        out = print_pdf(args.html, args.pdf, args.footer,
                        progress=progress if args.progress else None)  # fmt: skip
    except (PdfPrintError, JobCancelled) as exc:
        print(f"report_pdf: {exc}", file=sys.stderr)
        return 1
    print(out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
