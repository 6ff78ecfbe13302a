"""Printing one HTML report to PDF on the GUI thread, asynchronously: ``PdfPrinter``.

The print stylesheet (``print_css``) is added to the loaded page, never to the report's file:
A4, every footer carrying the case and its audit head on the left and "page N of M" on the
right (CSS ``@page`` margin boxes, which this Chromium prints), figures and table rows never
split across pages (``break-inside: avoid``), and Arabic shaped right to left with the bundled
Noto Naskh Arabic (``workbench.paths.ARABIC_FONT``), declared for the Arabic code points only
so that Latin text keeps the report's own font. ``ui.report_pdf`` is the way in.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

from analysis.errors import WorkbenchError
from analysis.jobs import JobCancelled, check, report
from workbench.paths import ARABIC_FONT

ARABIC_FAMILY = "GW Noto Naskh Arabic"
# Arabic, Arabic Supplement, Arabic Extended-A, Presentation Forms A and B.
ARABIC_RANGE = "U+0600-06FF, U+0750-077F, U+08A0-08FF, U+FB50-FDFF, U+FE70-FEFF"
PAGE_MARGINS_MM = (16, 14, 18, 14)  # top, right, bottom, left: the footer lives in the bottom
FONT_TIMEOUT_S = 10.0
PRINT_TIMEOUT_S = 300.0


class PdfPrintError(WorkbenchError):
    """The report could not be printed to PDF (names the file and the problem)."""


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@functools.cache
def _font_base64(font_path: Path) -> str:
    # Inline: Chromium treats a font at a file: URL as cross-origin to a file: page.
    try:
        return base64.b64encode(font_path.read_bytes()).decode("ascii")
    except OSError as exc:
        raise PdfPrintError(f"{font_path}: cannot read the Arabic font ({exc})") from exc


def print_css(footer_text: str, font_path: Path = ARABIC_FONT) -> str:
    """The print stylesheet added to the report before printing (module doc)."""
    top, right, bottom, left = PAGE_MARGINS_MM
    box = (
        f'font: 7pt "DejaVu Sans Mono", monospace, {css_string(ARABIC_FAMILY)}; color: #444;'
        ' font-variant-ligatures: none; font-feature-settings: "liga" 0, "clig" 0;'
    )
    return f"""
@font-face {{ font-family: {css_string(ARABIC_FAMILY)};
  src: url("data:font/ttf;base64,{_font_base64(font_path)}") format("truetype");
  unicode-range: {ARABIC_RANGE}; }}
@page {{ size: A4; margin: {top}mm {right}mm {bottom}mm {left}mm;
  @bottom-left {{ content: {css_string(footer_text)}; {box} vertical-align: top;
    padding-top: 3mm; white-space: pre-wrap; }}
  @bottom-right {{ content: "page " counter(page) " of " counter(pages); {box}
    vertical-align: top; padding-top: 3mm; white-space: nowrap; }} }}
figure, img, svg, canvas, .figure, tr, pre, blockquote {{ break-inside: avoid; }}
h1, h2, h3, h4 {{ break-after: avoid; }}
img {{ max-width: 100%; height: auto; }}
/* A portrait phone frame taller than a page is scaled to fit one, with room for its caption. */
img, svg, canvas {{ max-height: 225mm; object-fit: contain; }}
/* A hash printed "ff" as one ligature glyph copies out of the PDF as U+FB00: no optional
   ligatures (the ones Arabic needs are required ligatures, which stay). */
body {{ font-variant-ligatures: none; }}
"""


# Adds the stylesheet, puts the Arabic face first on every element that holds Arabic text
# (the face covers only Arabic code points, so the rest keeps its font), then loads the face.
_PREPARE_JS = """
(function (css, family) {
  var style = document.createElement('style');
  style.textContent = css;
  (document.head || document.documentElement).appendChild(style);
  var arabic = /[\\u0600-\\u06FF\\u0750-\\u077F\\u08A0-\\u08FF\\uFB50-\\uFDFF\\uFE70-\\uFEFF]/;
  var quoted = '"' + family + '"';
  document.querySelectorAll('body, body *').forEach(function (el) {
    for (var n = el.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3 && arabic.test(n.nodeValue)) {
        var now = getComputedStyle(el).fontFamily;
        if (now.indexOf(family) < 0) { el.style.fontFamily = quoted + ', ' + now; }
        break;
      }
    }
  });
  window.__gwPdfReady = false;
  document.fonts.load('16px ' + quoted, '\\u0639').then(
    function () { return document.fonts.ready; }).then(
    function () { window.__gwPdfReady = true; },
    function () { window.__gwPdfReady = 'font failed'; });
  return true;
})(%s, %s)
"""


def _page_layout() -> QPageLayout:
    # Chromium takes the margins from the stylesheet's @page; these are the same, in case.
    top, right, bottom, left = PAGE_MARGINS_MM
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(left, top, right, bottom),
        QPageLayout.Unit.Millimeter,
    )


def _readable(path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def temporary_path(pdf_path: Path) -> Path:
    """Where the PDF is printed before it is renamed into place."""
    return pdf_path.with_name(f".{pdf_path.name}.part")


def _check_paths(html_path: Path, pdf_path: Path) -> None:
    if not html_path.is_file():
        raise PdfPrintError(f"{html_path}: no such report file")
    if not pdf_path.parent.is_dir():
        raise PdfPrintError(f"{pdf_path}: its folder does not exist")


class LocalOnly(QWebEngineUrlRequestInterceptor):
    """Lets the page read its own folder, the font, data: and blob:; blocks the rest
    (nothing leaves the machine, and no other local file is read)."""

    def __init__(self, folder: Path, parent) -> None:
        super().__init__(parent)
        self.roots = (str(folder.resolve()), str(ARABIC_FONT.resolve().parent))
        self.blocked: list[str] = []

    def interceptRequest(self, info) -> None:  # noqa: N802 (Qt override)
        url = info.requestUrl()
        if url.scheme() in ("data", "blob"):
            return
        if url.scheme() == "file":
            local = os.path.realpath(url.toLocalFile())
            if any(local == r or local.startswith(r + os.sep) for r in self.roots):
                return
        self.blocked.append(url.toString())
        info.block(True)


class PdfPrinter(QObject):
    """Prints one report to PDF, asynchronously; emits ``printed(path)`` or
    ``failed(message)`` exactly once. Keep a reference until then."""

    printed = Signal(str)
    failed = Signal(str)

    def __init__(self, html_path, pdf_path, footer_text, *, progress=None, cancel=None,
                 parent=None) -> None:  # fmt: skip
        super().__init__(parent)
        self.html_path, self.pdf_path = Path(html_path), Path(pdf_path)
        self.footer_text = footer_text
        self._progress, self._cancel = progress, cancel
        self._done = False
        self.cancelled = False  # set when a failure was a cancellation
        # Off the record (no cache, no cookies); unparented, so that it goes after the page.
        self._profile = QWebEngineProfile()
        self._guard = LocalOnly(self.html_path.parent, self._profile)
        self._profile.setUrlRequestInterceptor(self._guard)
        # A page in a view that is "shown" (never on screen) is laid out and loads its fonts;
        # a page without one never finishes loading a web font before printing.
        self._view = QWebEngineView()
        self._view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self._view.resize(794, 1123)  # A4 at 96 dpi
        self._page = QWebEnginePage(self._profile, self._view)
        self._view.setPage(self._page)
        settings = self._page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptEnabled, True)
        settings.setAttribute(
            QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False
        )
        self._page.loadProgress.connect(self._on_page_load_progress)
        self._page.loadFinished.connect(self._on_page_load_finished)
        self._page.pdfPrintingFinished.connect(self._on_page_pdf_printing_finished)
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._waiting_since = 0.0
        self._stage = "idle"

    def start(self) -> None:
        try:
            _check_paths(self.html_path, self.pdf_path)
            check(self._cancel)
        except (PdfPrintError, JobCancelled) as exc:
            message, cancelled = str(exc), isinstance(exc, JobCancelled)
            QTimer.singleShot(0, lambda: self._fail(message, cancelled=cancelled))
            return
        report(self._progress, 0.02, f"loading {self.html_path.name}")
        self._stage = "loading"
        self._view.show()
        self._timer.start()
        self._page.load(QUrl.fromLocalFile(str(self.html_path.resolve())))

    @property
    def blocked_requests(self) -> list[str]:
        return list(self._guard.blocked)

    # -- steps ----------------------------------------------------------------------
    def _on_page_load_progress(self, percent: int) -> None:
        report(self._progress, 0.02 + 0.5 * percent / 100, "loading the report")

    def _on_page_load_finished(self, ok: bool) -> None:
        if self._done or self._stage != "loading":
            return
        if not ok:
            self._fail(f"{self.html_path}: the report page did not load")
            return
        self._stage = "fonts"
        self._waiting_since = time.monotonic()
        js = _PREPARE_JS % (json.dumps(print_css(self.footer_text)),
                            json.dumps(ARABIC_FAMILY))  # fmt: skip
        self._page.runJavaScript(js, 0, lambda _result: None)
        report(self._progress, 0.6, "loading the Arabic font")

    def _on_timer_timeout(self) -> None:
        if self._done:
            return
        if self._cancel is not None and self._cancel.cancelled:
            self._fail("cancelled by the user", cancelled=True)
        elif self._stage == "fonts":
            if time.monotonic() - self._waiting_since > FONT_TIMEOUT_S:
                self._fail(f"{ARABIC_FONT}: the Arabic font did not load")
            else:
                self._page.runJavaScript("window.__gwPdfReady", 0, self._on_fonts_polled)
        elif self._stage == "printing" and time.monotonic() - self._waiting_since > PRINT_TIMEOUT_S:
            self._fail(f"{self.pdf_path}: printing took longer than {PRINT_TIMEOUT_S} s")

    def _on_fonts_polled(self, ready) -> None:
        if self._done or self._stage != "fonts" or ready is False or ready is None:
            return
        if ready is not True:
            self._fail(f"{ARABIC_FONT}: {ready}")
            return
        self._stage = "printing"
        self._waiting_since = time.monotonic()
        report(self._progress, 0.7, f"printing {self.pdf_path.name}")
        self._page.printToPdf(str(temporary_path(self.pdf_path)), _page_layout())

    def _on_page_pdf_printing_finished(self, path: str, ok: bool) -> None:
        if self._done:
            Path(path).unlink(missing_ok=True)
            return
        if not ok or not Path(path).is_file():
            Path(path).unlink(missing_ok=True)
            self._fail(f"{self.pdf_path}: Chromium could not print the report")
            return
        _readable(Path(path))  # Chromium writes 0600; a report is for others to read
        os.replace(path, self.pdf_path)
        self._finish()
        report(self._progress, 1.0, f"printed {self.pdf_path.name}")
        self.printed.emit(str(self.pdf_path))

    def _finish(self) -> None:
        self._done = True
        self._stage = "done"
        self._timer.stop()
        self._view.hide()
        # The page (inside the view) must go before its profile: deleted in this order.
        self._view.deleteLater()
        self._profile.deleteLater()

    def _fail(self, message: str, *, cancelled: bool = False) -> None:
        if self._done:
            return
        self._finish()
        self.cancelled = cancelled
        temporary_path(self.pdf_path).unlink(missing_ok=True)
        self.failed.emit(message)
