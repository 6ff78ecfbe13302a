"""The writer's change feed: after each committed write, what it changed (kinds, ids, rows)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from workbench import geodata, geodata_records, hypotheses
from workbench.case import create_case
from workbench.case.changes import Change, kind_of
from workbench.case.evidence import SourceRecord, save_note, update_source
from workbench.case.intake import import_file
from workbench.tiles import BasemapConfig, save_basemap


@dataclass(frozen=True)
class Named:
    action: str
    target: str
    kind: str
    ident: str


NAMED = (
    Named("camera.add", "landmark:3", "landmark", "3"),
    Named("target.move", "landmark:4", "landmark", "4"),
    Named("observation.bearing", "observation:7", "observation", "7"),
    Named("observation.delete", "observation:7", "observation", "7"),
    Named("hypothesis.update", "hypothesis:2", "hypothesis", "2"),
    Named("continuity.note", "continuity_note:5", "continuity", "5"),
    Named("evidence.flag", "ab12", "evidence", "ab12"),
    Named("note.add", "case", "note", "case"),
    Named("video.frame_table", "ab12", "frames", "ab12"),
    Named("segment.cut_move", "ab12", "cut", "ab12"),
    Named("video.segments_detect", "ab12", "cut", "ab12"),
    Named("frame.export", "ab12", "export", "ab12"),
    Named("map.basemap", "basemap", "basemap", "basemap"),
    Named("case.create", "x.gwcase", "case", "x.gwcase"),
    Named("sun.measure", "ab12", "sun", "ab12"),  # a family nobody named yet: its own kind
)


@pytest.mark.parametrize("row", NAMED, ids=[r.action for r in NAMED])
def test_an_audit_row_names_its_kind_and_id(row):
    assert kind_of(row.action, row.target) == (row.kind, row.ident)


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "feed.gwcase", title="Feed")
    yield c
    c.close()


def listen(case) -> list[tuple[Change, str]]:
    heard: list[tuple[Change, str]] = []
    case.changes.subscribe(lambda ch: heard.append((ch, threading.current_thread().name)))
    return heard


def test_each_committed_write_is_announced_on_the_writer_thread_before_its_future(case):
    heard = listen(case)
    order: list[str] = []
    case.changes.subscribe(lambda _ch: order.append("announced"))
    future = geodata.add_landmark(case, "water tower", 35.62, 36.55, kind="landmark")
    future.add_done_callback(lambda _f: order.append("resolved"))
    point = future.result()
    [(change, thread)] = heard
    assert thread.startswith("case-writer")
    assert order == ["announced", "resolved"]
    assert change.kinds == {"landmark", "audit"}
    assert change.ids_of("landmark") == {str(point)}
    assert [e.action for e in change.audit] == ["landmark.add"]
    assert change.audit[0].row_hash == case.audit_head()[1]
    assert change.touches("observation", "landmark") and not change.touches("evidence")


def test_kinds_of_the_usual_writes(case, tmp_path):
    from tests.synth.media_factory import make_jpeg

    heard = listen(case)
    cam = geodata.add_landmark(case, "roof", 35.6, 36.5, kind="camera").result()
    geodata.add_bearing(case, cam, 90.0, 0.5).result()
    hypotheses.add_hypothesis(case, lat_deg=35.6, lon_deg=36.6, title="site").result()
    e = import_file(case, make_jpeg(tmp_path / "a.jpg"))
    update_source(case, e.id, SourceRecord(url="https://example.org/1")).result()
    save_note(case, None, "seen from the roof").result()
    save_basemap(case, BasemapConfig(kind="none")).result()
    kinds = [sorted(ch.kinds - {"audit"}) for ch, _ in heard]
    assert kinds == [
        ["landmark"],
        ["observation"],
        ["hypothesis"],
        ["evidence"],
        ["evidence"],
        ["note"],
        ["basemap"],
    ]
    assert heard[3][0].ids_of("evidence") == {e.sha256}


def test_a_failed_write_announces_nothing_and_a_failing_listener_stops_no_write(case, caplog):
    heard = listen(case)

    def boom(conn):
        case.log(conn, "landmark.add", "landmark:99", {})
        raise ValueError("refused")

    with pytest.raises(ValueError):
        case.write(boom).result()
    assert heard == []  # rolled back: the row never was
    case.changes.subscribe(lambda _ch: 1 / 0)
    point = geodata.add_landmark(case, "still stored", 35.0, 36.0).result()
    assert geodata_records.get_landmark(case.read(), point).name == "still stored"
    assert len(heard) == 1
    assert any("change subscriber failed" in r.getMessage() for r in caplog.records)
    caplog.clear()  # the ERROR is what this test asked for


def test_unsubscribed_and_unheard_writes_read_nothing_more(case):
    heard: list[Change] = []
    unsubscribe = case.changes.subscribe(heard.append)
    geodata.add_landmark(case, "a", 35.0, 36.0).result()
    unsubscribe()
    assert not case.changes.active
    geodata.add_landmark(case, "b", 35.0, 36.1).result()
    assert len(heard) == 1
