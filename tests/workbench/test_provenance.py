"""One provenance shape, explicit as-of times and deterministic bytes (workbench.provenance)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.geometry import geodesy
from tests.synth.video import SynthSpec, write_video
from workbench import cli, geodata, provenance
from workbench.case import audit, create_case, open_case
from workbench.case.intake import import_file
from workbench.frame_export import export_frame
from workbench.mapdoc import export_interactive_map
from workbench.provenance import ProvenanceError

SCHOOL = geodesy.LatLon(35.62, 36.55)
AS_OF = "2026-11-22T10:30:00Z"
TOP_KEYS = {
    "provenance_schema",
    "as_of_utc",
    "audit_head",
    "software",
    "sources",
    "operations",
    "outputs",
    "details",
}
SOURCE_KEYS = {
    "source_sha256",
    "source_name",
    "frame_index",
    "pts",
    "time_base",
    "pts_s",
    "frame_md5",
}


# -- canonical bytes ------------------------------------------------------------------------


def _record(**details) -> provenance.Provenance:
    return provenance.build(
        as_of=AS_OF,
        software=provenance.Software("geoworkbench", "9.9", {"lib": "1.0"}),
        sources=[provenance.SourceFrame("ab" * 32, "clip.mp4", 3, 1536, (1, 12800), 0.12, "f0")],
        operations=[provenance.Operation("levels", {"gamma": 1.5})],
        outputs=[provenance.Output("frame", "f.png", "cd" * 32)],
        details=details,
    )


def test_a_record_has_exactly_this_canonical_form():
    """Known bytes: sorted keys at every depth, the as-of normalised, compact form."""
    text = _record(note="e\u0301t\u00e9").to_json(indent=None)  # NFD "été" is written NFC
    assert text == (
        '{"as_of_utc":"2026-11-22T10:30:00.000000Z","audit_head":null,'
        '"details":{"note":"\u00e9t\u00e9"},'
        '"operations":[{"op":"levels","params":{"gamma":1.5}}],'
        '"outputs":[{"file":"f.png","role":"frame","sha256":"' + "cd" * 32 + '"}],'
        '"provenance_schema":1,'
        '"software":{"libraries":{"lib":"1.0"},"name":"geoworkbench","version":"9.9"},'
        '"sources":[{"frame_index":3,"frame_md5":"f0","pts":1536,"pts_s":0.12,'
        '"source_name":"clip.mp4","source_sha256":"' + "ab" * 32 + '","time_base":[1,12800]}]}'
    )
    assert _record().to_bytes().endswith(b"}\n")


def test_same_inputs_give_the_same_bytes_whatever_the_order_and_normal_form():
    a = _record(x=0.1 + 0.2, name="caf\u00e9", nested={"b": 1, "a": [1.0, -0.0]})
    b = _record(nested={"a": [1.0, 0.0], "b": 1}, name="cafe\u0301", x=0.3)
    assert a.to_bytes() == b.to_bytes()
    assert a.to_bytes() != _record(x=0.31).to_bytes()


@dataclass(frozen=True)
class FloatCase:
    value: float
    written: str


FLOATS = [
    FloatCase(0.1 + 0.2, "0.3"),  # 0.30000000000000004 rounds to 12 significant digits
    FloatCase(-0.0, "0.0"),
    FloatCase(1 / 3, "0.333333333333"),
    FloatCase(1e-20, "1e-20"),
    FloatCase(36.550000000000004, "36.55"),
    FloatCase(2.0, "2.0"),
]


@pytest.mark.parametrize("case", FLOATS, ids=[c.written for c in FLOATS])
def test_floats_have_one_fixed_form(case):
    assert provenance.canonical_json(case.value, indent=None) == case.written


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_non_finite_number_is_refused_when_the_record_is_built(bad):
    with pytest.raises(ProvenanceError, match="non-finite"):
        _record(score=bad)


@dataclass(frozen=True)
class AsOfCase:
    given: str
    utc: str | None  # None: refused


AS_OF_CASES = [
    AsOfCase("2026-11-22T10:30:00Z", "2026-11-22T10:30:00.000000Z"),
    AsOfCase("2026-11-22T11:30:00+01:00", "2026-11-22T10:30:00.000000Z"),
    AsOfCase("2026-11-22T10:30:00.123456Z", "2026-11-22T10:30:00.123456Z"),
    AsOfCase("2026-11-22T10:30:00", None),  # local time: ambiguous
    AsOfCase("yesterday", None),
]


@pytest.mark.parametrize("case", AS_OF_CASES, ids=[c.given for c in AS_OF_CASES])
def test_as_of_is_normalised_to_utc_or_refused(case):
    if case.utc is None:
        with pytest.raises(ProvenanceError, match="UTC"):
            provenance.parse_as_of(case.given)
    else:
        assert provenance.parse_as_of(case.given) == case.utc


def test_the_module_never_reads_the_clock(monkeypatch):
    class NoClock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            raise AssertionError("provenance read the clock")

        @classmethod
        def utcnow(cls):
            raise AssertionError("provenance read the clock")

        @classmethod
        def today(cls):
            raise AssertionError("provenance read the clock")

    monkeypatch.setattr(provenance, "datetime", NoClock)
    assert _record().as_of_utc == "2026-11-22T10:30:00.000000Z"


def test_sidecar_name_is_the_full_file_name_plus_json():
    assert provenance.sidecar_path(Path("out/f90.png")) == Path("out/f90.png.json")
    assert provenance.sidecar_path(Path("a.b.jpg")) == Path("a.b.jpg.json")


# -- frames: the CLI and the case -----------------------------------------------------------


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    return write_video(tmp_path_factory.mktemp("prov") / "clip.mp4", SynthSpec(frames=24))


def _frame_cli(video: Path, out: Path, *extra: str) -> dict:
    assert cli.main(["frame", str(video), "--index", "7", "-o", str(out), *extra]) == 0
    return json.loads(provenance.sidecar_path(out).read_text(encoding="utf-8"))


def test_cli_frame_and_case_frame_export_have_the_same_shape(video, tmp_path, capsys):
    with create_case(tmp_path / "c.gwcase") as case:
        eid = import_file(case, video).id
        exported = export_frame(case, eid, 7)
        head = audit.entries(case.read())[-2]  # the row before the export's own
        in_case = json.loads(exported.sidecar_path.read_text(encoding="utf-8"))
    on_cli = _frame_cli(video, tmp_path / "cli.png")
    capsys.readouterr()
    assert set(in_case) == set(on_cli) == TOP_KEYS
    assert set(in_case["sources"][0]) == SOURCE_KEYS
    # The same frame of the same file: the same source, operations and PNG bytes.
    assert in_case["sources"] == on_cli["sources"]
    assert in_case["sources"][0]["source_sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert in_case["operations"] == on_cli["operations"]
    assert in_case["outputs"][0]["sha256"] == on_cli["outputs"][0]["sha256"]
    assert in_case["software"] == on_cli["software"]
    for key in ("time_code", "time_s", "keyframe", "frame_md5_of", "image"):
        assert in_case["details"][key] == on_cli["details"][key]
    # Where they differ, they differ by design: a case quotes its head, as of that row.
    assert on_cli["audit_head"] is None
    assert in_case["audit_head"] == f"{head.seq}:{head.row_hash}"
    assert in_case["as_of_utc"] == head.at_utc
    assert exported.sidecar_path.name == exported.png_path.name + ".json"


def test_cli_frame_as_of_comes_from_the_flag_or_once_from_the_boundary(
    video, tmp_path, monkeypatch, capsys
):
    clock = iter(["2031-05-06T07:08:09.000000Z", "2031-05-06T07:08:10.000000Z"])
    monkeypatch.setattr(audit, "utc_now_iso", lambda: next(clock))
    a = _frame_cli(video, tmp_path / "a" / "f.png", "--as-of", AS_OF)
    b = _frame_cli(video, tmp_path / "b" / "f.png", "--as-of", AS_OF)
    sidecars = [(tmp_path / d / "f.png.json").read_bytes() for d in "ab"]
    assert sidecars[0] == sidecars[1]
    assert a == b and a["as_of_utc"] == "2026-11-22T10:30:00.000000Z"
    # Without --as-of the command reads the clock once, at its boundary.
    c = _frame_cli(video, tmp_path / "c" / "f.png")
    assert c["as_of_utc"] == "2031-05-06T07:08:09.000000Z"
    assert cli.main(["frame", str(video), "--index", "1", "-o", "x.png", "--as-of", "noon"]) == 2
    assert "ISO 8601" in capsys.readouterr().err


# -- case exports: one case at one head, the same bytes -------------------------------------


@pytest.fixture
def two_copies(tmp_path) -> tuple[Path, Path]:
    """One case with geodata, copied: both copies stand at the same audit head."""
    path = tmp_path / "one.gwcase"
    with create_case(path, title="Hass, Idlib") as case:
        cam = geodesy.destination(SCHOOL, 270.0, 2800.0)
        cam_id = geodata.add_landmark(case, "rooftop", cam.lat_deg, cam.lon_deg, kind="camera")
        geodata.add_landmark(case, "school", SCHOOL.lat_deg, SCHOOL.lon_deg, kind="target").result()
        geodata.add_landmark(case, "مدرسة", 35.6191, 36.5516).result()
        az = geodesy.azimuth_deg(cam, SCHOOL)
        geodata.add_bearing(case, cam_id.result(), az, 0.5, hfov_deg=40.0, range_m=4000.0).result()
    copies = (tmp_path / "a" / "one.gwcase", tmp_path / "b" / "one.gwcase")
    for copy in copies:
        shutil.copytree(path, copy)
    return copies


@pytest.mark.parametrize("flag", ["--kml", "--geojson"])
def test_two_exports_of_one_case_at_one_head_are_byte_identical(
    two_copies, flag, monkeypatch, capsys
):
    # Every read of the clock gives a new time: any that reached the file would show.
    ticks = iter(f"2030-01-01T00:00:{s:02d}.000000Z" for s in range(60))
    monkeypatch.setattr(audit, "utc_now_iso", lambda: next(ticks))
    outs = []
    for copy in two_copies:
        with open_case(copy, read_only=True) as case:
            head = provenance.case_head(case.read())
        out = copy.parent / f"case{flag.replace('--', '.')}"
        assert cli.main(["export", str(copy), flag, str(out)]) == 0
        outs.append(out.read_bytes())
    capsys.readouterr()
    assert outs[0] == outs[1]
    text = outs[0].decode("utf-8")
    assert f"{head.seq}:{head.row_hash}" in text and head.at_utc in text
    assert "2030-01-01" not in text


def test_two_builds_of_the_map_page_at_one_head_are_byte_identical(two_copies):
    pages = []
    for copy in two_copies:
        with open_case(copy, read_only=True) as case:
            head = provenance.case_head(case.read())
            pages.append(export_interactive_map(case, copy.parent / "map.html").read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode("utf-8")
    assert not re.search(r"_[0-9a-f]{32}\b", page)  # no folium uuid left
    record = re.search(r'id="gw-provenance-record">(.*?)</script>', page).group(1)
    record = json.loads(record)
    assert record["audit_head"] == f"{head.seq}:{head.row_hash}"
    assert record["as_of_utc"] == head.at_utc
    assert set(record) == TOP_KEYS
