"""Labels of the report's static map in any mix of Latin and Arabic script.

Pillow draws a string in one font, and no one bundled font has both scripts: Pillow's
default font (Aileron) has Latin and no Arabic, the bundled Noto Naskh Arabic
(``workbench.paths.ARABIC_FONT``) has Arabic and, of ASCII, only the characters in
``NASKH_ASCII``. So a label is cut into runs by script, each run drawn in the font that has
its glyphs (the Arabic runs shaped right to left by libraqm; without it, their letters
reversed, unjoined), on one baseline. The runs are laid out by the label's first strong
character, as the Unicode bidirectional algorithm (UAX #9, rules P2-P3) chooses a
paragraph's direction: an Arabic label reads right to left, with a Latin run inside it kept
left to right.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from PIL import ImageDraw, ImageFont, features

from workbench.paths import ARABIC_FONT

LATIN_SIZE_PX = 11
ARABIC_SIZE_PX = 13  # Naskh's letters are smaller at one size: this matches Aileron's x-height
# The ASCII characters the bundled Noto Naskh Arabic has (its cmap; checked by a test).
NASKH_ASCII = frozenset(" !,.0123456789:")
RAQM = bool(features.check("raqm"))  # Pillow's libraqm needs fribidi on the system
_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF),
                  (0xFE70, 0xFEFF))  # fmt: skip


@dataclass(frozen=True)
class Run:
    text: str
    arabic: bool
    space_before: bool  # whitespace separated it from the run before (logical order)


def is_arabic(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in _ARABIC_BLOCKS)


def _strong(ch: str) -> bool | None:
    """True: Arabic letter; False: another strong letter (Latin...); None: neutral."""
    if is_arabic(ch):
        return unicodedata.bidirectional(ch) in ("AL", "R") or None
    return False if unicodedata.bidirectional(ch) == "L" else None


def runs(label: str) -> list[Run]:
    """``label`` cut into runs by script, in logical order. A neutral character (space,
    digit, punctuation) joins the Arabic run around it when Arabic is on both sides and the
    Arabic font has it; otherwise the Latin run."""
    kinds = [_strong(ch) for ch in label]
    out: list[tuple[list[str], bool]] = []
    for i, ch in enumerate(label):
        kind = kinds[i]
        if kind is None:
            before = next((k for k in reversed(kinds[:i]) if k is not None), None)
            after = next((k for k in kinds[i + 1 :] if k is not None), None)
            kind = bool(before and after and (is_arabic(ch) or ch in NASKH_ASCII))
        if out and out[-1][1] == kind:
            out[-1][0].append(ch)
        else:
            out.append(([ch], kind))
    result: list[Run] = []
    pending_space = False
    for chars, arabic in out:
        raw = "".join(chars)
        if raw.strip():
            spaced = bool(result) and (pending_space or raw[:1].isspace())
            result.append(Run(raw.strip(), arabic, spaced))
            pending_space = raw[-1:].isspace()
        else:
            pending_space = True
    return result


def rtl(label: str) -> bool:
    """The label's direction: that of its first strong character (UAX #9 P2)."""
    first = next((k for k in map(_strong, label) if k is not None), False)
    return bool(first)


@cache
def fonts() -> tuple[ImageFont.FreeTypeFont, ImageFont.FreeTypeFont]:
    """(Latin, Arabic) fonts: Pillow's bundled default and Noto Naskh Arabic with raqm."""
    latin = ImageFont.load_default(size=LATIN_SIZE_PX)
    engine = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC
    arabic = ImageFont.truetype(str(ARABIC_FONT), ARABIC_SIZE_PX, layout_engine=engine)
    return latin, arabic  # type: ignore[return-value]


def shaped(run: Run) -> tuple[str, dict[str, str]]:
    """The run's text and drawing options: an Arabic run shaped right to left by libraqm,
    or, where Pillow has no libraqm, its letters in reverse order (right to left, unjoined:
    readable, never boxes)."""
    if not run.arabic:
        return run.text, {}
    if RAQM:
        return run.text, {"direction": "rtl", "language": "ar"}
    return run.text[::-1], {}


def _placed(label: str) -> list[tuple[Run, float]]:
    """Each run with its x offset from the label's left edge (visual order)."""
    latin, arabic = fonts()
    order = runs(label)
    if rtl(label):
        order = order[::-1]
    gap = latin.getlength(" ")
    placed, x = [], 0.0
    for k, run in enumerate(order):
        if k:  # the space between two runs belongs to the logically later one
            later = order[k - 1] if rtl(label) else run
            x += gap if later.space_before else 0.0
        placed.append((run, x))
        words, options = shaped(run)
        x += (arabic if run.arabic else latin).getlength(words, **options)
    return placed


def label_bbox(xy: tuple[float, float], label: str) -> tuple[float, float, float, float]:
    """The box a label drawn with its top-left at ``xy`` covers."""
    latin, arabic = fonts()
    placed = _placed(label)
    width = 0.0
    if placed:
        run, x = placed[-1]
        words, options = shaped(run)
        width = x + (arabic if run.arabic else latin).getlength(words, **options)
    ascent = max(latin.getmetrics()[0], arabic.getmetrics()[0] if _any_arabic(placed) else 0)
    descent = max(latin.getmetrics()[1], arabic.getmetrics()[1] if _any_arabic(placed) else 0)
    return xy[0], xy[1], xy[0] + width, xy[1] + ascent + descent


def _any_arabic(placed: list[tuple[Run, float]]) -> bool:
    return any(run.arabic for run, _ in placed)


def draw_label(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], label: str, fill: tuple[int, ...]
) -> tuple[float, float, float, float]:
    """Draw ``label`` with its top-left at ``xy``, each run in its script's font, on one
    baseline; returns the box it covers."""
    latin, arabic = fonts()
    placed = _placed(label)
    ascent = max(latin.getmetrics()[0], arabic.getmetrics()[0] if _any_arabic(placed) else 0)
    baseline = xy[1] + ascent
    for run, x in placed:
        words, options = shaped(run)
        font = arabic if run.arabic else latin
        draw.text((xy[0] + x, baseline), words, fill=fill, font=font, anchor="ls", **options)
    return label_bbox(xy, label)
