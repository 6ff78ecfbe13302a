"""The Timeline panel: events by kind on one UTC axis and two synced videos' sound under it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from PySide6.QtCore import Qt

from analysis.audio.decode import decode_audio
from ui.timeline.panel import TimelinePanel
from workbench.scenario import ScenarioConfig, generate_scenario
from workbench.timeline import TimelineEvent

SMALL = ScenarioConfig(
    rooftop_size=(320, 180), rooftop_fps=Fraction(10), second_size=(320, 180),
    second_fps=Fraction(10), still_size=(160, 120), photo_size=(320, 240), gsd_m=4.0,
    write_orthophoto=False, crf=28,
)  # fmt: skip


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    generate_scenario(out, seed=11, config=SMALL)
    return out, json.loads((out / "truth.json").read_text())


def test_two_synced_videos_and_their_events(qtbot, scenario, tmp_path):
    out, truth = scenario
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    events = [TimelineEvent("analyst", truth["strike_utc"].replace("+00:00", "Z"),
                            "flash seen in both", "timeline_event:1", sigma_s=0.05)]  # fmt: skip
    for role, v in truth["videos"].items():
        start = datetime.fromisoformat(v["start_utc"])
        bang = (start + timedelta(seconds=v["bang"]["real_s"])).isoformat()
        events.append(TimelineEvent("observation", bang, f"{role} bang", f"evidence:{role}"))
        track = decode_audio(out / v["file"])
        panel.set_waveform(role.removeprefix("video_"), v["start_utc"], track.samples,
                           track.sample_rate_hz)  # fmt: skip
    panel.set_events(events)
    panel.resize(1100, 260)
    panel.show()
    qtbot.waitExposed(panel)
    panel.repaint()
    qtbot.waitUntil(lambda: len(panel._hits) == 3)
    rect, source = panel._hits[0]
    with qtbot.waitSignal(panel.event_clicked) as got:
        qtbot.mouseClick(panel, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert got.args == [source]
    panel.grab().save(str(tmp_path / "timeline_panel.png"))
