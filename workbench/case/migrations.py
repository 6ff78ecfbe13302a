"""Numbered schema migrations. The schema version lives in ``PRAGMA user_version``.

Never edit a migration that has shipped: add a new one. tests/data holds a case written at
version 1 that must open after every change.
"""

from __future__ import annotations

import sqlite3

from workbench.case.errors import CaseSchemaError

MIGRATIONS: tuple[str, ...] = (
    # 1: the first release: case facts, evidence, the hash-chained audit log.
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        original_name TEXT NOT NULL,
        stored_name TEXT NOT NULL UNIQUE,
        size_bytes INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('image', 'video')),
        imported_at_utc TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        source_url TEXT,
        metadata_json TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at_utc TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details_json TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        row_hash TEXT NOT NULL UNIQUE
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 2: source records, flags, other names of the same bytes, notes, job runs.
    """
    ALTER TABLE evidence ADD COLUMN is_graphic INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE evidence ADD COLUMN is_reference INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE evidence_source (
        evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,
        platform TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        account TEXT NOT NULL DEFAULT '',
        upload_time_utc TEXT NOT NULL DEFAULT '',
        upload_time_basis TEXT NOT NULL DEFAULT '',
        caption TEXT NOT NULL DEFAULT '',
        archive_url TEXT NOT NULL DEFAULT '',
        obtained_by TEXT NOT NULL DEFAULT '',
        downloader TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO evidence_source (evidence_id, url)
        SELECT id, COALESCE(source_url, '') FROM evidence;
    CREATE TABLE evidence_name (
        evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        first_seen_utc TEXT NOT NULL,
        PRIMARY KEY (evidence_id, name)
    );
    INSERT INTO evidence_name (evidence_id, name, first_seen_utc)
        SELECT id, original_name, imported_at_utc FROM evidence;
    CREATE TABLE note (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER REFERENCES evidence(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at_utc TEXT NOT NULL,
        updated_at_utc TEXT NOT NULL
    );
    CREATE INDEX note_by_evidence ON note(evidence_id);
    CREATE TABLE job_run (
        id INTEGER PRIMARY KEY,
        algorithm TEXT NOT NULL,
        version TEXT NOT NULL,
        params_json TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at_utc TEXT NOT NULL,
        ended_at_utc TEXT
    );
    """,
    # 3: video frames and segments, exports, annotations, continuity notes, geometry.
    """
    CREATE TABLE frame_table (
        evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,
        meta_json TEXT NOT NULL,
        built_at_utc TEXT NOT NULL
    );
    CREATE TABLE frame (
        evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
        frame_index INTEGER NOT NULL,
        pts INTEGER,
        pts_s REAL,
        keyframe INTEGER NOT NULL,
        md5 TEXT NOT NULL,
        PRIMARY KEY (evidence_id, frame_index)
    ) WITHOUT ROWID;
    CREATE TABLE segment (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
        start_frame INTEGER NOT NULL,
        end_frame INTEGER NOT NULL,
        keyframe_index INTEGER,
        boundary_kind TEXT NOT NULL DEFAULT '',
        boundary_score REAL,
        origin TEXT NOT NULL DEFAULT 'auto' CHECK (origin IN ('auto', 'user')),
        UNIQUE (evidence_id, start_frame)
    );
    CREATE TABLE frame_export (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        frame_index INTEGER NOT NULL,
        png_path TEXT NOT NULL,
        png_sha256 TEXT NOT NULL,
        sidecar_json TEXT NOT NULL,
        exported_at_utc TEXT NOT NULL
    );
    CREATE TABLE annotation (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
        frame_index INTEGER,
        geometry_json TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        created_at_utc TEXT NOT NULL
    );
    CREATE TABLE continuity_note (
        id INTEGER PRIMARY KEY,
        evidence_a INTEGER NOT NULL REFERENCES evidence(id),
        frame_a INTEGER,
        evidence_b INTEGER NOT NULL REFERENCES evidence(id),
        frame_b INTEGER,
        verdict TEXT NOT NULL,
        figures_json TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        created_at_utc TEXT NOT NULL
    );
    CREATE TABLE landmark (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'landmark' CHECK (kind IN ('landmark', 'camera', 'target')),
        lat_deg REAL NOT NULL CHECK (lat_deg BETWEEN -90 AND 90),
        lon_deg REAL NOT NULL CHECK (lon_deg BETWEEN -180 AND 180),
        height_m REAL,
        notes TEXT NOT NULL DEFAULT '',
        evidence_id INTEGER REFERENCES evidence(id) ON DELETE SET NULL,
        created_at_utc TEXT NOT NULL
    );
    CREATE TABLE observation (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        evidence_id INTEGER REFERENCES evidence(id) ON DELETE SET NULL,
        frame_index INTEGER,
        inputs_json TEXT NOT NULL,
        result_json TEXT NOT NULL,
        created_at_utc TEXT NOT NULL
    );
    CREATE TABLE hypothesis (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        lat_deg REAL,
        lon_deg REAL,
        radius_m REAL,
        confidence TEXT NOT NULL DEFAULT '',
        rationale TEXT NOT NULL DEFAULT '',
        created_at_utc TEXT NOT NULL
    );
    CREATE TABLE case_setting (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
    );
    """,
    # 4: the mixed frames of the fade or dissolve a segment begins with (NULL: a hard cut, a
    # user's cut, or a segment stored before this version).
    """
    ALTER TABLE segment ADD COLUMN transition_first INTEGER;
    ALTER TABLE segment ADD COLUMN transition_last INTEGER;
    """,
    # 5: the tables bound to the chain (workbench.case.binding): each audit row may carry the
    # state of the rows its transaction changed. An INSERT must take the next seq: INSERT OR
    # REPLACE over an existing row would otherwise rewrite it without any delete trigger.
    """
    ALTER TABLE audit_log ADD COLUMN state_json TEXT;
    CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log
    WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: a row must take the next seq'); END;
    """,
    # 6: names that are not valid UTF-8 kept losslessly (workbench.file_names): the name
    # columns hold the display form (bad bytes as U+FFFD), these the raw bytes as hex digits;
    # NULL for every valid name, so no existing row (nor its bound digest) changes.
    """
    ALTER TABLE evidence ADD COLUMN original_name_bytes_hex TEXT;
    ALTER TABLE evidence_name ADD COLUMN name_bytes_hex TEXT;
    """,
    # 7: correspondence figures (workbench.correspondence): points or boxes marked by hand on
    # two views, drawn as a figure for the report (PNG and provenance sidecar in derived/).
    """
    CREATE TABLE correspondence_figure (
        id INTEGER PRIMARY KEY,
        evidence_a INTEGER NOT NULL REFERENCES evidence(id),
        frame_a INTEGER,
        evidence_b INTEGER NOT NULL REFERENCES evidence(id),
        frame_b INTEGER,
        title TEXT NOT NULL DEFAULT '',
        pairs_json TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        png_path TEXT NOT NULL,
        png_sha256 TEXT NOT NULL CHECK (length(png_sha256) = 64),
        created_at_utc TEXT NOT NULL
    );
    """,
    # 8: a landmark's or camera position's one-sigma on each horizontal axis, in metres
    # (workbench.geodata.set_position_sigma); NULL: not stated (no existing row's digest moves).
    """
    ALTER TABLE landmark ADD COLUMN position_sigma_m REAL;
    """,
    # 9: claims and what decides them, hypotheses in time and the observations behind them,
    # the analyst's own timeline events (workbench.claims, workbench.hypotheses,
    # workbench.timeline; issue 18). New columns are NULL, so no existing digest moves.
    """
    CREATE TABLE claim (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        language TEXT NOT NULL DEFAULT '',
        translation TEXT NOT NULL DEFAULT '',
        claimed_by TEXT NOT NULL,
        claimed_at_utc TEXT NOT NULL,
        claimed_at_given TEXT NOT NULL,
        source_url TEXT NOT NULL DEFAULT '',
        source_evidence_id INTEGER REFERENCES evidence(id) ON DELETE SET NULL,
        verdict TEXT NOT NULL DEFAULT 'unverified'
            CHECK (verdict IN ('unverified', 'supported', 'refuted')),
        verdict_note TEXT NOT NULL DEFAULT '',
        created_at_utc TEXT NOT NULL
    );
    CREATE TABLE claim_link (
        id INTEGER PRIMARY KEY,
        claim_id INTEGER NOT NULL REFERENCES claim(id) ON DELETE CASCADE,
        target_kind TEXT NOT NULL
            CHECK (target_kind IN ('observation', 'figure', 'frame', 'hypothesis', 'evidence')),
        target_id INTEGER NOT NULL,
        frame_index INTEGER,
        note TEXT NOT NULL DEFAULT ''
    );
    ALTER TABLE hypothesis ADD COLUMN time_from_utc TEXT;
    ALTER TABLE hypothesis ADD COLUMN time_to_utc TEXT;
    CREATE TABLE hypothesis_observation (
        hypothesis_id INTEGER NOT NULL REFERENCES hypothesis(id) ON DELETE CASCADE,
        observation_id INTEGER NOT NULL REFERENCES observation(id) ON DELETE CASCADE,
        PRIMARY KEY (hypothesis_id, observation_id)
    );
    CREATE TABLE timeline_event (
        id INTEGER PRIMARY KEY,
        at_utc TEXT NOT NULL,
        until_utc TEXT,
        sigma_s REAL,
        label TEXT NOT NULL,
        at_given TEXT NOT NULL DEFAULT '',
        evidence_id INTEGER REFERENCES evidence(id) ON DELETE SET NULL,
        note TEXT NOT NULL DEFAULT '',
        created_at_utc TEXT NOT NULL
    );
    """,
    # 10: the job_run table goes: nothing ever wrote it. What ran, with which version and
    # parameters, is recorded in the audit row of the result it produced, inside the chain;
    # a second, unchained copy would only be a place for the two to disagree.
    """
    DROP TABLE job_run;
    """,
    # 11: tracks of an object through a video (workbench.tracks; issue 14): the tracker's
    # method and parameters, and one row per frame saying who set the point (analyst or
    # tracker), how sure, on which picture (framemd5), and where it lies on the background.
    """
    CREATE TABLE track (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
        label TEXT NOT NULL DEFAULT '',
        method TEXT NOT NULL,
        params_json TEXT NOT NULL,
        created_at_utc TEXT NOT NULL
    );
    CREATE TABLE track_point (
        track_id INTEGER NOT NULL REFERENCES track(id) ON DELETE CASCADE,
        frame_index INTEGER NOT NULL,
        pts_s REAL,
        x_px REAL NOT NULL,
        y_px REAL NOT NULL,
        bg_x_px REAL,
        bg_y_px REAL,
        confidence REAL NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('analyst', 'tracker')),
        md5 TEXT NOT NULL DEFAULT '',
        usable_for_rates INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (track_id, frame_index)
    );
    """,
    # 12: reviewer sign-off (workbench.review; issue 15): a second analyst marks a hypothesis,
    # an observation or a figure reviewed, or disputed with a note. Rows are only added: the
    # latest per target is its standing, the earlier ones its history.
    """
    CREATE TABLE review (
        id INTEGER PRIMARY KEY,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('hypothesis', 'observation', 'figure')),
        target_id INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('reviewed', 'disputed')),
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        reviewed_at_utc TEXT NOT NULL
    );
    CREATE INDEX review_target ON review (target_kind, target_id);
    """,
    # 13: imagery layers (workbench.imagery; issue 16): an orthophoto, a DEM or a registered
    # image, each a reference evidence with its acquisition date, source, licence and
    # georeference (JSON: the grid of a GeoTIFF/world file, or a registration's transform).
    """
    CREATE TABLE imagery_layer (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('ortho', 'dem', 'registered')),
        name TEXT NOT NULL DEFAULT '',
        acquired_date TEXT,
        source TEXT NOT NULL DEFAULT '',
        licence TEXT NOT NULL DEFAULT '',
        georef_json TEXT NOT NULL,
        observation_id INTEGER REFERENCES observation(id) ON DELETE SET NULL,
        created_at_utc TEXT NOT NULL
    );
    """,
)

# The triggers that keep the audit log append-only; verify names any that is missing.
AUDIT_TRIGGERS: dict[int, tuple[str, ...]] = {
    1: ("audit_log_no_update", "audit_log_no_delete"),
    5: ("audit_log_append_only",),
}

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, *, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations after the database's version up to ``target``, each atomically.

    Returns the version before migrating. Raises CaseSchemaError when the database is newer
    than this software.
    """
    before = current_version(conn)
    if before > SCHEMA_VERSION:
        raise CaseSchemaError(
            f"the case has schema version {before}, newer than this workbench's "
            f"{SCHEMA_VERSION}: update the workbench to open it"
        )
    for number in range(before + 1, target + 1):
        script = MIGRATIONS[number - 1]
        # executescript commits first; wrap each migration in its own transaction.
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise CaseSchemaError(
                f"migration {number} failed, the case is unchanged: {exc}"
            ) from exc
    return before
