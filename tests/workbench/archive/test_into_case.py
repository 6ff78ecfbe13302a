"""Import from the archive catalog into a case: the catalog's sha256 kept, the source record
filled from the catalog's sidecar and paths, audited; a file changed since triage refused."""

from __future__ import annotations

import shutil

import pytest

from tests.synth.tiny_catalog import build_tiny_catalog
from workbench.archive.catalog import Catalog
from workbench.archive.into_case import import_from_catalog
from workbench.case import create_case
from workbench.case.evidence import get_source, list_notes


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_catalog(tmp_path_factory.mktemp("tiny"))


def _sha_of(tiny, path) -> str:
    return next(r["sha256"] for r in Catalog(tiny.folder).files() if str(path) in r["paths"])


def test_import_keeps_the_catalog_sha256_and_fills_the_source_record(tiny, tmp_path):
    sha = _sha_of(tiny, tiny.original)
    case = create_case(tmp_path / "c.gwcase")
    try:
        got = import_from_catalog(case, tiny.folder, [sha])
        assert not got.refused and [i.sha256 for i in got.imported] == [sha]
        conn = case.read()
        stored = conn.execute(
            "SELECT sha256 FROM evidence WHERE id = ?", (got.imported[0].evidence_id,)
        ).fetchone()[0]
        assert stored == sha
        source = get_source(conn, got.imported[0].evidence_id)
        assert source.url == "https://youtu.be/abc" and source.account == "Archive Uploader"
        assert source.upload_time_utc == "2016-10-26T09:37:00Z"
        assert str(tiny.folder) in source.obtained_by and str(tiny.original) in source.obtained_by
        notes = list_notes(conn, got.imported[0].evidence_id)
        assert notes and sha in notes[0].body
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
        assert "evidence.import" in actions and "evidence.source_edit" in actions
    finally:
        case.close()


def test_the_sidecar_comes_from_the_catalog_when_the_file_moved_without_it(tiny, tmp_path):
    """Only the catalog still knows the upload record: it fills the source record."""
    sha = _sha_of(tiny, tiny.original)
    case = create_case(tmp_path / "c.gwcase")
    info = tiny.original.with_suffix(".info.json")
    kept = tmp_path / "kept.info.json"
    shutil.move(info, kept)
    try:
        got = import_from_catalog(case, tiny.folder, [sha])
        source = get_source(case.read(), got.imported[0].evidence_id)
        assert source.platform == "youtube" and source.upload_time_utc == "2016-10-26T09:37:00Z"
    finally:
        shutil.move(kept, info)
        case.close()


def test_a_file_changed_since_triage_is_refused_and_nothing_is_added(tiny, tmp_path):
    sha = _sha_of(tiny, tiny.mirror)
    original_bytes = tiny.mirror.read_bytes()
    case = create_case(tmp_path / "c.gwcase")
    try:
        tiny.mirror.write_bytes(original_bytes + b"\0")  # the catalog's path, other bytes
        got = import_from_catalog(case, tiny.folder, [sha])
        assert not got.imported and len(got.refused) == 1
        reason = got.refused[0].reason
        assert str(tiny.mirror) in reason and "changed since triage" in reason
        assert "Triage the folder again" in reason
        count = case.read().execute("SELECT count(*) FROM evidence").fetchone()[0]
        assert count == 0
    finally:
        tiny.mirror.write_bytes(original_bytes)
        case.close()


def test_a_whole_group_goes_in_and_importing_again_adds_nothing(tiny, tmp_path):
    shas = [_sha_of(tiny, tiny.original), _sha_of(tiny, tiny.mirror)]
    case = create_case(tmp_path / "c.gwcase")
    try:
        first = import_from_catalog(case, tiny.folder, shas)
        assert [i.sha256 for i in first.imported] == shas
        again = import_from_catalog(case, tiny.folder, shas)
        assert all(i.already_present for i in again.imported)
        count = case.read().execute("SELECT count(*) FROM evidence").fetchone()[0]
        assert count == 2
    finally:
        case.close()
