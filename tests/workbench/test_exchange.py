"""Bundles: a case travels in one zip and comes back the same (every hash, the chain, the
head), evidence left out is found by hash on the other side, and an unsafe or altered bundle
is refused with nothing written anywhere."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from workbench.case import create_case, open_case
from workbench.case.intake import import_file
from workbench.case.verify import verify_case
from workbench.cli import main
from workbench.exchange import BundleError, bundle_case, unbundle
from workbench.exchange.manifest import MANIFEST_NAME


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def case_path(tmp_path) -> Path:
    """A case with two photos (noise: they do not compress) and a file in exports/."""
    rng = np.random.default_rng(7)
    originals = tmp_path / "originals"
    originals.mkdir()
    with create_case(tmp_path / "hass", title="Hass", analyst="Ana") as case:
        for k in range(2):
            photo = originals / f"photo{k}.png"
            Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(photo)
            import_file(case, photo)
        (case.exports_dir / "notes.txt").write_text("exported", encoding="utf-8")
    return tmp_path / "hass.gwcase"


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): _sha(p)
        for sub in ("evidence", "exports")
        for p in sorted((root / sub).rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


def test_round_trip_keeps_every_hash_the_chain_and_the_head(case_path, tmp_path):
    bundle = bundle_case(case_path, tmp_path / "hass.zip")
    result = unbundle(bundle.path, tmp_path / "other")
    back = result.case_path
    assert back == tmp_path / "other" / "hass.gwcase"
    assert _files(back) == _files(case_path) and len(_files(back)) == 3
    with open_case(case_path, read_only=True) as a, open_case(back, read_only=True) as b:
        assert a.audit_head() == b.audit_head()
        assert f"{a.audit_head()[0]}:{a.audit_head()[1]}" == result.audit_head
        report = verify_case(b)
        assert report.ok and report.evidence_checked == 2
    for p in (back / "evidence").iterdir():
        if p.is_file():
            assert not p.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert [p.name for p in (tmp_path / "other").iterdir()] == ["hass.gwcase"]  # no temp left


def test_the_same_case_gives_the_same_bundle_bytes(case_path, tmp_path):
    a = bundle_case(case_path, tmp_path / "a.zip").path
    b = bundle_case(case_path, tmp_path / "b.zip").path
    assert a.read_bytes() == b.read_bytes()


def test_evidence_left_out_is_found_by_hash_in_a_folder(case_path, tmp_path):
    bundle = bundle_case(case_path, tmp_path / "slim.zip", without_evidence=True).path
    with zipfile.ZipFile(bundle) as zf:
        assert not [n for n in zf.namelist() if n.startswith("case/evidence/")]
        left_out = json.loads(zf.read(MANIFEST_NAME))["left_out"]
    assert len(left_out) == 2
    with pytest.raises(BundleError, match=r"evidence is missing: photo0\.png .*photo1\.png"):
        unbundle(bundle, tmp_path / "t1")
    assert not (tmp_path / "t1").exists() or not list((tmp_path / "t1").iterdir())
    # The originals, renamed, in a nested folder, beside a decoy of the same size.
    found = tmp_path / "found" / "deep"
    found.mkdir(parents=True)
    for k, p in enumerate(sorted((tmp_path / "originals").iterdir())):
        (found / f"renamed{k}.bin").write_bytes(p.read_bytes())
        decoy = bytearray(p.read_bytes())
        decoy[-1] ^= 0xFF
        (found.parent / f"decoy{k}.png").write_bytes(bytes(decoy))
    result = unbundle(bundle, tmp_path / "t2", evidence_from=tmp_path / "found")
    assert sorted(result.found_in_folder) == sorted(e["path"] for e in left_out)
    assert _files(result.case_path) == _files(case_path)
    with open_case(result.case_path, read_only=True) as case:
        assert verify_case(case).ok


def test_the_commands_bundle_and_unbundle(case_path, tmp_path, capsys):
    out = tmp_path / "c.zip"
    assert main(["bundle", str(case_path), "-o", str(out), "--without-evidence"]) == 0
    assert main(["bundle", str(case_path), "-o", str(out)]) == 1  # exists: no --force
    assert "pass --force" in capsys.readouterr().err
    assert main(["unbundle", str(out), str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert "evidence is missing" in err and "--evidence-from" in err
    args = ["unbundle", str(out), str(tmp_path / "d"), "--evidence-from", str(tmp_path)]
    assert main([*args, "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["case"].endswith("hass.gwcase") and len(said["found_in_folder"]) == 2
    assert main(args) == 1  # the case is there now: refused, not replaced
    assert "it exists" in capsys.readouterr().err


def _rewrite(src: Path, dst: Path, extra=(), *, list_extra: bool = True, edit=None) -> Path:
    """A copy of the bundle ``src`` with ``extra`` (ZipInfo, bytes) entries added, listed in
    the manifest when ``list_extra``; ``edit(name, data)`` may change an entry's bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        manifest = json.loads(zin.read(MANIFEST_NAME))
        for info in zin.infolist():
            if info.filename == MANIFEST_NAME:
                continue
            data = zin.read(info)
            if edit is not None:
                data, changed = edit(info.filename, data), data
                if data != changed:
                    entry = next(
                        f for f in manifest["files"] if f"case/{f['path']}" == info.filename
                    )
                    entry["sha256"] = hashlib.sha256(data).hexdigest()
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        for info, data in extra:
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
            name = info.filename.removeprefix("case/")
            if list_extra:
                sha = hashlib.sha256(data).hexdigest()
                manifest["files"].append({"path": name, "sha256": sha, "size": len(data),
                                          "role": "export"})  # fmt: skip
        zout.writestr(MANIFEST_NAME, json.dumps(manifest))
    return dst


def _symlink(name: str, to: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, to.encode()


REFUSALS = [
    ("dotdot", [(zipfile.ZipInfo("case/../../escaped.txt"), b"x")], "'..' in the path"),
    ("absolute", [(zipfile.ZipInfo("/tmp/gw-escaped.txt"), b"x")], "an absolute path"),
    ("symlink", [_symlink("case/exports/link", "/etc/passwd")], "a symbolic link"),
    ("bomb", [(zipfile.ZipInfo("case/exports/zeros.bin"), bytes(8 << 20))], r"1:1|zip bomb"),
]


@pytest.mark.parametrize(("label", "extra", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_an_unsafe_bundle_is_refused_and_nothing_is_written(case_path, tmp_path, label, extra,
                                                            message):  # fmt: skip
    good = bundle_case(case_path, tmp_path / "good.zip").path
    bad = _rewrite(good, tmp_path / f"{label}.zip", extra)
    if label == "bomb":
        with zipfile.ZipFile(bad) as zf:
            info = zf.getinfo("case/exports/zeros.bin")
            assert info.file_size / info.compress_size > 1000  # a 1:1000 ratio
    sandbox = tmp_path / "sandbox"
    target = sandbox / "target"
    target.mkdir(parents=True)
    before = sorted(p for p in tmp_path.rglob("*"))
    with pytest.raises(BundleError, match=message):
        unbundle(bad, target)
    assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing anywhere
    assert not Path("/tmp/gw-escaped.txt").exists()


def test_an_unlisted_file_is_refused(case_path, tmp_path):
    good = bundle_case(case_path, tmp_path / "good.zip").path
    bad = _rewrite(good, tmp_path / "bad.zip", [(zipfile.ZipInfo("case/x.txt"), b"x")],
                   list_extra=False)  # fmt: skip
    with pytest.raises(BundleError, match="not listed in the manifest"):
        unbundle(bad, tmp_path / "t")


def test_altered_evidence_is_caught_even_with_a_matching_manifest(case_path, tmp_path):
    """The manifest re-hashed by whoever altered the photo: the case's own chain says no."""
    good = bundle_case(case_path, tmp_path / "good.zip").path

    def flip(name: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("case/evidence/") else data

    bad = _rewrite(good, tmp_path / "bad.zip", edit=flip)
    with pytest.raises(BundleError, match="does not verify: evidence .*content changed"):
        unbundle(bad, tmp_path / "t")
    assert not list((tmp_path / "t").iterdir())


def test_a_damaged_bundle_is_caught_by_the_manifest(case_path, tmp_path):
    good = bundle_case(case_path, tmp_path / "good.zip").path
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(tmp_path / "bad.zip", "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "case/exports/notes.txt":
                data = b"EXPORTED"  # same size, other bytes, manifest untouched
            zout.writestr(info, data)
    with pytest.raises(BundleError, match="notes.txt: sha256 .* not the .* the manifest lists"):
        unbundle(tmp_path / "bad.zip", tmp_path / "t")


def test_allow_missing_writes_the_case_and_names_what_is_missing(case_path, tmp_path):
    bundle = bundle_case(case_path, tmp_path / "slim.zip", without_evidence=True).path
    result = unbundle(bundle, tmp_path / "t", allow_missing=True)
    assert sorted(m.original_name for m in result.missing) == ["photo0.png", "photo1.png"]
    with open_case(result.case_path, read_only=True) as case:
        found = [f for f in verify_case(case).findings if f.severity == "error"]
    assert len(found) == 2 and all(f.problem == "the file is missing" for f in found)


def test_a_case_open_for_writing_is_bundled_as_it_stands(tmp_path):
    """The GUI may hold the case: the copy is read in one transaction, the latest write in."""
    from workbench.hypotheses import add_hypothesis

    with create_case(tmp_path / "live", title="Live", analyst="Ana") as case:
        add_hypothesis(case, "Strike site", 35.62, 36.55).result()
        bundle = bundle_case(case.path, tmp_path / "live.zip")
        head = case.audit_head()
    assert bundle.manifest.audit_head == f"{head[0]}:{head[1]}"
    back = unbundle(bundle.path, tmp_path / "t").case_path
    with open_case(back, read_only=True) as copy:
        assert copy.read().execute("SELECT title FROM hypothesis").fetchall() == [("Strike site",)]


def test_a_bundle_without_its_database_is_not_a_case(case_path, tmp_path):
    good = bundle_case(case_path, tmp_path / "good.zip").path
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(tmp_path / "bad.zip", "w") as zout:
        manifest = json.loads(zin.read(MANIFEST_NAME))
        manifest["files"] = [f for f in manifest["files"] if f["path"] != "case.sqlite"]
        for info in zin.infolist():
            if info.filename not in (MANIFEST_NAME, "case/case.sqlite"):
                zout.writestr(info, zin.read(info))
        zout.writestr(MANIFEST_NAME, json.dumps(manifest))
    with pytest.raises(BundleError, match="not a case bundle"):
        unbundle(tmp_path / "bad.zip", tmp_path / "t")
    with pytest.raises(BundleError, match="cannot read the bundle"):
        unbundle(case_path / "case.sqlite", tmp_path / "t")
