"""The report's PDF: printed offscreen by QtWebEngine, one layout (footer with the case and the
audit head, page numbers, figures whole on one page), Arabic shaped right to left with the
bundled font. The PDF is read back with pypdf (text, fonts, images per page)."""

from __future__ import annotations

import html
import unicodedata
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from analysis.jobs import CancelToken, JobCancelled
from ui.report_pdf import PdfPrintError, print_css, print_pdf, print_pdf_in_process

CAPTION_AR = "قال الشاهد: لا سقطت القنبلة بالمظلة"  # with لا, a required ligature
HEAD = "42:9ff3c2a1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"  # "ff": no ligature
FOOTER = f'Case "Hass" \\ school · audit head {HEAD}'
FIGURES = 5


def _report(folder: Path) -> Path:
    """A report with five tall figures (each would straddle a page break if it could), an
    Arabic caption and a note that looks like a script."""
    figures = []
    for k in range(FIGURES):
        Image.new("RGB", (600, 700), (40 * k, 120, 200)).save(folder / f"fig{k}.png")
        caption = CAPTION_AR if k == 2 else f"Figure {k} caption"
        # Images of different heights and captions of six lines: without break-inside, some
        # image fits at the foot of a page and its caption runs over to the next.
        lines = "<br>".join(["a line of the caption"] * 5 + [html.escape(caption)])
        figures.append(
            f'<figure><img src="fig{k}.png" style="height:{70 + 12 * k}mm">'
            f"<figcaption>{lines}</figcaption></figure><p>text after {k}</p>"
        )
    note = html.escape("<script>alert(1)</script>")
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><title>r</title></head><body>'
        f"<h1>Evidence report</h1><p>note: {note}</p>{''.join(figures)}</body></html>"
    )
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory, qapp) -> tuple[Path, pypdf.PdfReader]:
    folder = tmp_path_factory.mktemp("report")
    steps: list[float] = []
    pdf = print_pdf(
        _report(folder), folder / "report.pdf", FOOTER, progress=lambda f, _m: steps.append(f)
    )
    assert steps[-1] == 1.0 and steps == sorted(steps)
    return pdf, pypdf.PdfReader(pdf)


def test_every_page_is_a4_with_the_case_head_and_its_number(printed):
    _, reader = printed
    pages = len(reader.pages)
    assert pages >= 3  # five figures of 110 mm: two to a page at most
    for n, page in enumerate(reader.pages, start=1):
        width_pt, height_pt = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width_pt - 595.3) < 1.5 and abs(height_pt - 841.9) < 1.5  # A4
        text = page.extract_text()
        assert f"page {n} of {pages}" in text
        assert FOOTER in text  # quotes and backslash printed as given


def test_a_figure_is_never_split_from_its_caption(printed):
    _, reader = printed
    seen = 0
    for page in reader.pages:
        text = unicodedata.normalize("NFKC", page.extract_text())
        captions = sum(f"Figure {k} caption" in text for k in range(FIGURES))
        captions += "الشاهد" in text
        assert len(page.images) == captions  # each image on the page of its caption
        seen += captions
    assert seen == FIGURES


def test_arabic_is_shaped_right_to_left_in_the_bundled_font(printed):
    pdf, reader = printed
    fonts = set()
    page_text = ""
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
        if "\ufe8e" in page.extract_text() or "الشاهد" in page.extract_text():
            page_text = page.extract_text()
    assert any(name.endswith("+NotoNaskhArabic-Regular") for name in fonts)
    line = next(ln for ln in page_text.splitlines() if any("\u0600" <= c <= "\ufeff" for c in ln))
    # Shaped: the glyphs are contextual forms (Arabic Presentation Forms-B), not bare letters.
    assert any("\ufe70" <= c <= "\ufeff" for c in line)
    # Right to left: read off the page left to right, the words come last word first.
    words = unicodedata.normalize("NFKC", line).replace(":", "").split()
    assert words == CAPTION_AR.replace(":", "").split()[::-1]


def test_a_note_that_looks_like_a_script_is_printed_as_text(printed):
    _, reader = printed
    assert "note: <script>alert(1)</script>" in reader.pages[0].extract_text()


def test_the_footer_is_a_css_string_whatever_it_holds():
    css = print_css('a"b\\c\nd</style>')
    assert 'content: "a\\22 b\\5c c\\a d</style>"' in css


def test_a_missing_report_names_the_file_and_leaves_no_pdf(tmp_path, qapp):
    with pytest.raises(PdfPrintError, match="no such report file"):
        print_pdf(tmp_path / "none.html", tmp_path / "out.pdf", "f")
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_print_leaves_nothing(tmp_path, qapp):
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        print_pdf(_report(tmp_path), tmp_path / "out.pdf", "f", cancel=token)
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".pdf", ".part")]


def test_the_printer_process_prints_and_says_what_failed(tmp_path):
    report = _report(tmp_path)
    steps: list[str] = []
    pdf = print_pdf_in_process(
        report, tmp_path / "p.pdf", "f", progress=lambda _f, m: steps.append(m)
    )
    assert len(pypdf.PdfReader(pdf).pages) >= 3 and steps[-1] == "printed p.pdf"
    with pytest.raises(PdfPrintError, match="none.html: no such report file"):
        print_pdf_in_process(tmp_path / "none.html", tmp_path / "q.pdf", "f")
    assert not (tmp_path / "q.pdf").exists()


def test_cancelling_the_printer_process_ends_it_and_leaves_nothing(tmp_path):
    token = CancelToken()
    with pytest.raises(JobCancelled):
        print_pdf_in_process(
            _report(tmp_path), tmp_path / "c.pdf", "f", progress=lambda *_: token.cancel(),
            cancel=token,
        )  # fmt: skip
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".pdf", ".part")]


def test_a_figure_taller_than_a_page_is_scaled_onto_one(tmp_path, qapp):
    Image.new("RGB", (400, 3000), (90, 90, 90)).save(tmp_path / "tall.png")
    (tmp_path / "tall.html").write_text(
        '<!doctype html><meta charset="utf-8"><p>before</p><figure><img src="tall.png">'
        "<figcaption>Tall caption</figcaption></figure>",
        encoding="utf-8",
    )
    reader = pypdf.PdfReader(print_pdf(tmp_path / "tall.html", tmp_path / "t.pdf", "f"))
    on = [n for n, page in enumerate(reader.pages) if page.images]
    assert len(on) == 1 and "Tall caption" in reader.pages[on[0]].extract_text()
