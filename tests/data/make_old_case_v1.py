"""How tests/data/old_v1.gwcase was made (kept for the record; run once, with the code at
schema version 1 semantics): a case at schema version 1 holding one PNG evidence.

    python tests/data/make_old_case_v1.py
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

from PIL import Image

from workbench.case import create_case
from workbench.case.audit import utc_now_iso

HERE = Path(__file__).resolve().parent


def main() -> None:
    target = HERE / "old_v1.gwcase"
    if target.exists():
        shutil.rmtree(target)
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buf, format="PNG")
    data = buf.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    with create_case(
        target, title="Old case (schema 1)", analyst="Tester", _target_version=1
    ) as case:
        (case.evidence_dir / f"{sha}.png").write_bytes(data)

        def add(conn):
            conn.execute(
                "INSERT INTO evidence (sha256, original_name, stored_name, size_bytes, kind,"
                " imported_at_utc, imported_by, source_url, metadata_json)"
                " VALUES (?, ?, ?, ?, 'image', ?, 'Tester', ?, ?)",
                (
                    sha,
                    "صورة.png",
                    f"{sha}.png",
                    len(data),
                    utc_now_iso(),
                    "https://example.org/post/1",
                    json.dumps({"width_px": 8, "height_px": 6}),
                ),
            )
            case.log(conn, "evidence.import", sha, {"name": "صورة.png"})

        case.write_sync(add)
    for leftover in (".incoming",):
        shutil.rmtree(target / "evidence" / leftover, ignore_errors=True)


if __name__ == "__main__":
    main()
