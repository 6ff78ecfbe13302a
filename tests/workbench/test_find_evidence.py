"""Evidence keys: an id, a hash, or a hash prefix that happens to be all digits."""

from __future__ import annotations

import hashlib

import pytest

from tests.synth.media_factory import make_jpeg
from workbench.case import create_case
from workbench.case.errors import CaseError
from workbench.case.evidence import find_evidence
from workbench.case.intake import import_file


def _photo_whose_hash_starts_with_digits(tmp_path, digits: int):
    for k in range(5000):
        path = make_jpeg(tmp_path / f"p{k}.jpg", colour=(k % 256, (k // 256) % 256, 7))
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        if sha[:digits].isdigit():
            return path, sha
    raise AssertionError("no photo with such a hash in 5000 tries")  # about 1 in 17 per try


def test_an_all_digit_hash_prefix_finds_its_evidence_and_ids_still_work(tmp_path):
    path, sha = _photo_whose_hash_starts_with_digits(tmp_path, 6)
    with create_case(tmp_path / "c") as case:
        first = import_file(case, make_jpeg(tmp_path / "first.jpg", colour=(1, 2, 3)))
        found = import_file(case, path)
        conn = case.read()
        assert find_evidence(conn, sha[:6]).id == found.id  # not read as the id 123456...
        assert find_evidence(conn, str(first.id)).id == first.id
        assert find_evidence(conn, sha).id == found.id
        with pytest.raises(CaseError, match="no evidence with id 99"):
            find_evidence(conn, "99")
