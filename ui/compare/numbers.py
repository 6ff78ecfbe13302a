"""FiguresBox: the numbers of a comparison beside the analyst's note.

Shows the viewpoint verdict and its reason, zoom ratio, rotation, overlap, inliers, RMSE,
photometric agreement (NCC, SSIM) and the reminder that "same time" needs shadows, clouds or
smoke; the analyst writes the note in the text box below and Save stores both.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

VERDICT_COLOURS = {
    "same position": "#1b7f2a",
    "different position": "#b3261e",
    "inconclusive": "#8a6d00",
}
# (key, plain title, the technical figure behind it, shown as the row's tooltip)
ROWS = (
    ("zoom", "Zoom of B against A", "Scale of the homography A -> B (1.0: the same zoom)."),
    ("rotation", "Camera roll between them", "Rotation of the homography A -> B, in degrees."),
    ("overlap", "Shared view (A / B)", "Fraction of each frame that the other one also shows."),
    (
        "inliers",
        "Points that agree / matched",
        "Homography inliers (MAGSAC++) out of the tentative feature matches.",
    ),
    (
        "rmse",
        "How well they line up",
        "Reprojection RMSE of the inliers under the homography, in pixels of B.",
    ),
    (
        "photometric",
        "Pictures agree (0-1)",
        "NCC / SSIM of A warped onto B over the overlap (1: identical).",
    ),
    (
        "parallax",
        "Depth cues",
        "Matches one plane (homography H) explains, and those off H that line up on one "
        "epipole: parallax, which only a camera that moved can produce.",
    ),
    ("frames", "Frames compared", "The keyframes of each segment that matched best."),
    ("region", "Landmark in B", "Where the box drawn in A lies in B (region search)."),
)


def _f(v: float | None, spec: str, unit: str = "") -> str:
    return "–" if v is None or v != v else f"{format(v, spec)}{unit}"


def _parallax_text(p) -> str:
    if p is None:
        return "–"
    text = (
        f"{p.n_explained} of {p.n_distinct} points fit one plane; "
        f"{p.n_parallax} of the {p.n_off} others show depth"
    )
    if p.n_parallax and p.parallax_px is not None:
        text += f" (median {p.parallax_px:.1f} px)"
    return text


class FiguresBox(QWidget):
    """The numbers, the verdict, the time note, the analyst's note and Save."""

    save_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.verdict_label = QLabel("No comparison yet")
        self.verdict_label.setTextFormat(Qt.TextFormat.RichText)
        self.reason_label = self._wrapping("")
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key, title, technical in ROWS:
            self.values[key] = QLabel("–")
            self.values[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key].setWordWrap(True)
            self.values[key].setToolTip(technical)
            name = QLabel(title)
            name.setToolTip(technical)
            form.addRow(name, self.values[key])
        self.time_label = self._wrapping("")
        self.time_label.setStyleSheet("font-style: italic; color: #555;")
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(
            "Your note: what the numbers show, and whether shadows, clouds or smoke agree…"
        )
        self.save_button = QPushButton("Save note and figures")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.saved_label = self._wrapping("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.reason_label)
        layout.addLayout(form)
        layout.addWidget(self.time_label)
        layout.addWidget(QLabel("Note"))
        layout.addWidget(self.note_edit, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.saved_label)

    @staticmethod
    def _wrapping(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def clear(self) -> None:
        self.verdict_label.setText("No comparison yet")
        for label in (self.reason_label, self.time_label, self.saved_label):
            label.setText("")
        for v in self.values.values():
            v.setText("–")
        self.note_edit.clear()
        self.save_button.setEnabled(False)

    def show_result(self, result, frames_text: str) -> None:
        """Fill in a ContinuityResult (analysis.matching.continuity)."""
        m = result.match
        colour = VERDICT_COLOURS.get(result.verdict, "#333")
        self.verdict_label.setText(
            f"<span style='font-size: 15pt; font-weight: bold; color: {colour}'>"
            f"{html.escape(result.verdict)}</span>"
        )
        self.reason_label.setText(result.reason)
        self.time_label.setText(result.note)
        v = self.values
        v["zoom"].setText(_f(result.zoom_ratio, ".3f", "×"))
        v["rotation"].setText(_f(result.rotation_deg, ".2f", "°"))
        v["overlap"].setText(
            f"{_f(result.overlap_a_frac, '.0%')} / {_f(result.overlap_b_frac, '.0%')}"
        )
        v["inliers"].setText(f"{m.n_inliers} / {m.n_matches}")
        v["rmse"].setText(_f(m.reprojection_rmse_px, ".2f", " px"))
        v["photometric"].setText(f"{_f(result.ncc, '.3f')} / {_f(result.ssim, '.3f')}")
        v["parallax"].setText(_parallax_text(result.parallax))
        v["frames"].setText(frames_text)
        v["region"].setText("–")
        self.saved_label.setText("")
        self.save_button.setEnabled(True)

    def show_region(self, region, image_b_wh: tuple[int, int] | None = None) -> None:
        """The region search's verdict (analysis.matching.region.RegionResult).

        With B's size, corners of the quadrilateral outside B's frame are pointed out: the
        context around the box may match while the landmark itself is out of view.
        """
        text = region.verdict
        if region.found:
            text += f", confidence {region.confidence:.2f}"
            if image_b_wh is not None:
                q = region.quad_b_px
                w, h = image_b_wh
                out = int(((q[:, 0] < -0.5) | (q[:, 0] > w - 0.5) | (q[:, 1] < -0.5)
                           | (q[:, 1] > h - 0.5)).sum())  # fmt: skip
                if out:
                    text += f"; ⚠ {out} of 4 corners outside B's frame"
        self.values["region"].setText(f"{text} ({region.n_inliers} inliers)")
        self.values["region"].setToolTip(region.reason)

    def zoom_text(self) -> str:
        return self.values["zoom"].text()

    def _on_save_button_clicked(self) -> None:
        self.save_requested.emit(self.note_edit.toPlainText())


def plain_status(match) -> str:
    """One sentence for the status line; the engine's technical reason goes in its tooltip."""
    if not match.matched:
        first = match.reason.split(";")[0].strip()
        return f"No match: {first}."
    text = f"Matched: {match.n_inliers} of {match.n_matches} points agree"
    if match.reprojection_rmse_px is not None:
        text += f", lined up within {match.reprojection_rmse_px:.1f} px"
    return text + ". Hover for the method's details."
