"""Archive triage (issue 19): scaling on Dask, duplicate finding against a peer, the hash index.

Usage:
    .venv/bin/python bench/bench_archive.py [--part all|scaling|dupes|index] [--work DIR]
        [--max-seconds 10] [--max-width 640] [--repeats 1] [--sizes 1000000,4000000]
        [--keep-catalog]

Run on demand, not a test. Everything generated goes under ``--work`` (default
/tmp/bench_archive): the scenario (rendered once), the variants, the catalogs.

Media. The source clips are real footage: tests/data/media/video/*, ../shared/data/video/*
when present (the longer copy when both hold a clip of one name) and the scenario's rooftop
and second-angle videos. Each is cut to its first ``--max-seconds`` and scaled to at most
``--max-width`` px (so every variant set fits in memory), then made into its re-uploads by
tests/synth/video_variants.py: the original, re-encoded at three bitrates, scaled 0.5x,
cropped 10%, letterboxed, mirrored, a logo, trimmed (20-75%), and concatenated (the first
40% of the next source, resampled to this clip's frame rate, then the first 60% of this
clip). The truth of a file is the source it was made from; a concatenation's is the source
that makes the larger part of it.

Part 1, scaling: ~50 files (the unique-content raw clips at their own resolution, plus six
variant kinds of every source) triaged by ``run_triage`` with 1 then 2 local worker
processes, each into a fresh catalog, on a LocalCluster started as the engine starts it
(its start-up timed apart). Printed: files/s, frames/s, the speed-up, the load average next to
each run, each worker's CPU time against the wall time (on a loaded machine a worker gets
less than a core), and the per-task cost split (``summary.cost_s``; scheduler overhead and
idle = wall * workers - the tasks' time), with decoding against hashing measured in-process
on the raw clips. Then, on paper, 100,000 one-minute videos.

Part 2, duplicate finding: every variant of every source in one catalog (2 workers), grouped
by ``find_dupes`` at its default radius; the peer is PySceneDetect (ContentDetector) for shots
plus a plain 8x8 average hash of each shot's middle frame, two videos linked when any pair of
their keyframes is within T bits, groups the connected components. T is swept and the peer
is shown at its best T on this very truth (an oracle choice, in the peer's favour), also with
flat keyframes left out as the core leaves out flat samples, and both without the
concatenations. Pair
metrics: recall = share of same-source pairs in one group; false grouping = share of
different-source pairs in one group. Per variant kind, whether each file landed with its
source's original, and for a miss the hash distances from its samples to the original's.

Part 3, the index: ``HashIndex`` over 1,000,000 (and 4,000,000) synthetic 64-bit hashes,
clustered like keyframe hashes (shots of ~25 samples a few bits apart), against the linear
numpy scan: build time, mean and worst query time at radius 12, answers compared.

PySceneDetect is installed for the bench only (``pip install scenedetect-headless``: the
same library, packaged against OpenCV's headless build that the project already uses; the
plain ``scenedetect`` package would pull the GUI build over it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.archive.fingerprint import FLAT_STD_MAX  # noqa: E402
from analysis.archive.groups import (  # noqa: E402
    DEFAULT_RADIUS,
    VideoSamples,
    group_keys,
    shared_footage,
)
from analysis.archive.hash_index import HashIndex  # noqa: E402
from analysis.archive.phash import hamming  # noqa: E402
from tests.synth.video_variants import (  # noqa: E402
    concatenated,
    make_variants,
    trimmed,
    write_video,
)
from workbench.archive.catalog import Catalog  # noqa: E402
from workbench.archive.dupes import find_dupes  # noqa: E402
from workbench.archive.engine import run_triage, start_local_client  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEST_VIDEOS = ROOT / "tests" / "data" / "media" / "video"
SHARED_VIDEOS = ROOT.parent / "shared" / "data" / "video"
SCALING_KINDS = ("original", "bitrate-mid", "scaled", "cropped", "mirrored", "logo")
DASK_OVERHEAD_S = 1e-3  # per task: distributed.dask.org, "Each task suffers about 1ms of overhead"
ARCHIVE_VIDEOS = 100_000
ARCHIVE_VIDEO_S = 60.0


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f} on {os.cpu_count()} CPUs"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------- media


def scenario_videos(work: Path) -> list[Path]:
    out = work / "scenario"
    rooftop, second = out / "rooftop_strike.mp4", out / "second_angle.mp4"
    if not (rooftop.exists() and second.exists()):
        from workbench.scenario import generate_scenario

        print("rendering the scenario (once) ...", flush=True)
        generate_scenario(out)
    return [rooftop, second]


def raw_clips(work: Path) -> list[Path]:
    """Every real clip: the tests' and the shared ones, the scenario's two."""
    found = sorted(TEST_VIDEOS.glob("*.mp4")) + sorted(TEST_VIDEOS.glob("*.avi"))
    if SHARED_VIDEOS.is_dir():
        found += sorted(p for p in SHARED_VIDEOS.iterdir() if p.suffix in (".mp4", ".avi"))
    return found + scenario_videos(work)


def source_clips(raw: list[Path]) -> dict[str, Path]:
    """One clip per name: the longer (larger) file when the tests and shared both hold it."""
    by_name: dict[str, Path] = {}
    for p in raw:
        kept = by_name.get(p.stem)
        if kept is None or p.stat().st_size > kept.stat().st_size:
            by_name[p.stem] = p
    return dict(sorted(by_name.items()))


def read_clip(path: Path, max_s: float, max_w: int) -> tuple[list[np.ndarray], float]:
    """The first ``max_s`` seconds, RGB, at most ``max_w`` wide (even sizes), and the rate."""
    frames = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 25)
        for frame in container.decode(video=0):
            img = frame.to_ndarray(format="rgb24")
            h, w = img.shape[:2]
            if w > max_w:
                size = (max_w, round(h * max_w / w / 2) * 2)
                img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
            frames.append(img)
            if len(frames) >= round(max_s * fps):
                break
    return frames, fps


def at_rate(frames: list[np.ndarray], src_fps: float, dst_fps: float) -> list[np.ndarray]:
    """The frames resampled by time to another rate (nearest earlier frame)."""
    n = int(len(frames) / src_fps * dst_fps)
    return [frames[min(len(frames) - 1, int(i * src_fps / dst_fps))] for i in range(n)]


def build_variants(work: Path, sources: dict[str, Path], max_s: float, max_w: int) -> dict:
    """{path: (source name, kind)} of every variant; made once per settings."""
    out = work / f"variants-{max_s:g}s-{max_w}px"
    truth_file = out / "truth.tsv"
    if truth_file.exists():
        rows = [line.split("\t") for line in truth_file.read_text().splitlines()]
        return {Path(p): (s, k) for p, s, k in rows}
    tmp = out.with_suffix(".part")
    shutil.rmtree(tmp, ignore_errors=True)
    names = list(sources)
    clips = {n: read_clip(sources[n], max_s, max_w) for n in names}
    truth = {}
    for i, name in enumerate(names):
        frames, fps = clips[name]
        made = make_variants(frames, name, tmp, fps=fps)  # all but the concatenation
        for v in made:
            truth[out / v.path.name] = (name, v.path.name.split(".")[-2])
        other = names[(i + 1) % len(names)]
        ofr, ofps = clips[other]
        filler = at_rate(trimmed(ofr, 0.0, 0.4), ofps, fps)
        own = trimmed(frames, 0.0, 0.6)
        path = write_video(
            tmp / f"{name}.concatenated.mp4", concatenated(filler, own), fps=fps, bitrate=600_000
        )
        majority = name if len(own) >= len(filler) else other
        truth[out / path.name] = (majority, "concatenated")
        print(
            f"  {name}: {len(frames)} frames at {fps:.2f} fps, {frames[0].shape[1]}x"
            f"{frames[0].shape[0]}; concatenated with {len(filler)} frames of {other}",
            flush=True,
        )
    (tmp / "truth.tsv").write_text(
        "".join(f"{p}\t{s}\t{k}\n" for p, (s, k) in sorted(truth.items()))
    )
    tmp.rename(out)
    return truth


# --------------------------------------------------------------------------- part 1


def start_cluster(workers: int):
    """A local cluster as ``workbench.archive.engine.start_client`` starts it."""
    return start_local_client(workers, dashboard_address=None)


def _cpu_s() -> float:
    """This process's CPU time, its threads (FFmpeg's decoding) and its children included."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def one_run(files: list[Path], catalog: Path, workers: int) -> dict:
    shutil.rmtree(catalog, ignore_errors=True)
    t = time.perf_counter()
    client = start_cluster(workers)
    startup = time.perf_counter() - t
    try:
        before_load = load()
        cpu0 = client.run(_cpu_s)
        here0 = _cpu_s()  # this process: the scheduler, the client and the workers' nannies
        summary = run_triage(files, catalog, client=client)
        here1 = _cpu_s()
        cpu1 = client.run(_cpu_s)
        after_load = load()
    finally:
        client.close()
        client.cluster.close()
    cpu = [cpu1[w] - cpu0[w] for w in cpu1]
    durations = [float(r["duration_s"] or 0) for r in Catalog(catalog).files()]
    return {
        "summary": summary,
        "startup": startup,
        "cpu": cpu,
        "here_cpu": here1 - here0,
        "load": (before_load, after_load),
        "video_s": sum(durations),
    }


def print_run(r: dict) -> None:
    s = r["summary"]
    task_s = sum(s.cost_s.values())
    overhead = s.wall_s * s.workers - task_s
    print(
        f"  {s.workers} worker(s): {s.done} files ({s.triaged} triaged, {s.seen} seen, "
        f"{s.errors} errors), {s.frames} frames, {r['video_s']:.0f} s of video in "
        f"{s.wall_s:.1f} s wall (+{r['startup']:.1f} s cluster start-up)"
    )
    print(
        f"    {s.done / s.wall_s:.2f} files/s, {s.frames / s.wall_s:.0f} frames/s   "
        f"[{r['load'][0]} before, {r['load'][1]} after]"
    )
    cpus = ", ".join(f"{c:.1f} s ({100 * c / s.wall_s:.0f}% of a core)" for c in r["cpu"])
    print(f"    worker CPU time: {cpus}; {sum(r['cpu']) / s.done:.2f} CPU-s per file")
    print(
        f"    the scheduler's process (scheduler, client, the workers' nannies): "
        f"{r['here_cpu']:.2f} s ({100 * r['here_cpu'] / s.wall_s:.0f}% of a core)"
    )
    split = ", ".join(
        f"{k} {v:.1f} s ({100 * v / task_s:.0f}%)" for k, v in sorted(s.cost_s.items())
    )
    print(f"    task time {task_s:.1f} s: {split}")
    print(
        f"    scheduler overhead and idle (wall x workers - task time): {overhead:.1f} s, "
        f"{1000 * overhead / max(1, s.done):.0f} ms per task "
        f"({100 * overhead / (s.wall_s * s.workers):.0f}% of worker time)"
    )
    for path, error in s.failed:
        print(f"    failed: {path}: {error}")


def part_scaling(work: Path, files: list[Path], repeats: int) -> dict:
    print(f"\n== 1. Scaling: {len(files)} files, run_triage on a local cluster ==")
    runs = []
    for rep in range(repeats):
        pair = {}
        for workers in (1, 2):
            r = one_run(files, work / f"catalog-scaling-{workers}", workers)
            print_run(r)
            pair[workers] = r
        one, two = pair[1]["summary"], pair[2]["summary"]
        speed = (two.done / two.wall_s) / (one.done / one.wall_s)
        got1 = sum(pair[1]["cpu"]) / one.wall_s
        got2 = sum(pair[2]["cpu"]) / two.wall_s
        work_ratio = (sum(pair[2]["cpu"]) / two.done) / (sum(pair[1]["cpu"]) / one.done)
        print(
            f"  repeat {rep + 1}: speed-up 1 -> 2 workers {speed:.2f}x (target >= 1.8x). The "
            f"machine gave the run {got1:.2f} core(s) with 1 worker, {got2:.2f} with 2 "
            f"({got2 / got1:.2f}x); CPU work per file with 2 workers / with 1: {work_ratio:.2f}"
        )
        runs.append(pair)
    best = max(runs, key=lambda p: p[1]["summary"].wall_s / p[2]["summary"].wall_s)
    return best


def decode_split(files: list[Path]) -> dict:
    """CPU time of decoding alone (the fingerprint's decoder settings) against the whole
    fingerprint (decode, cut features, hashes, keyframe JPEGs), in this process."""
    from analysis.archive.fingerprint import DECODE_WIDTH_PX, fingerprint_video
    from analysis.video.frames import iter_frames

    decode = total = video_s = 0.0
    frames = 0
    for path in files:
        t = time.process_time()
        n = sum(1 for _ in iter_frames(path, width_px=DECODE_WIDTH_PX, fast=True))
        decode += time.process_time() - t
        t = time.process_time()
        fp = fingerprint_video(path)
        total += time.process_time() - t
        frames += n
        video_s += fp.duration_s
    return {"decode": decode, "total": total, "video_s": video_s, "frames": frames}


def on_paper(r: dict, split: dict) -> None:
    s = r["summary"]
    task_s = sum(s.cost_s.values())
    wall_per_s = task_s / r["video_s"]
    cpu_per_s = sum(r["cpu"]) / r["video_s"]
    fp_per_s = split["total"] / split["video_s"]
    other = (task_s - s.cost_s.get("decode_and_hash", 0.0)) / task_s  # facts, sha256, write
    native_per_s = fp_per_s / (1 - other)
    dask = ARCHIVE_VIDEOS * DASK_OVERHEAD_S
    measured_overhead = max(0.0, s.wall_s * s.workers - task_s) / max(1, s.done)
    print(
        f"\n  Decode against hashing, in-process CPU time over the {split['frames']} frames "
        f"({split['video_s']:.0f} s) of the raw clips at their own sizes: decoding "
        f"{split['decode']:.1f} s ({100 * split['decode'] / split['total']:.0f}%), cut features"
        f" + hashes + keyframes {split['total'] - split['decode']:.1f} s "
        f"({100 * (1 - split['decode'] / split['total']):.0f}%); "
        f"{1000 * split['total'] / split['frames']:.1f} ms CPU per frame"
    )
    print(
        f"\n  On paper, {ARCHIVE_VIDEOS:,} videos of {ARCHIVE_VIDEO_S:.0f} s. Per second of video,"
        f" from the 1-worker run: {wall_per_s:.3f} s of task time (wall, at this load), "
        f"{cpu_per_s:.3f} s of CPU; from the raw clips at their own sizes (up to 1920x1080): "
        f"{native_per_s:.3f} s of CPU (fingerprint {fp_per_s:.3f} + facts/sha256/write "
        f"{100 * other:.0f}% of a task)"
    )
    print(
        f"    Dask's documented ~1 ms per task: {dask:.0f} s of scheduler time in all, at most "
        f"{1 / DASK_OVERHEAD_S:.0f} tasks/s through one scheduler; measured here: "
        f"{measured_overhead * 1000:.0f} ms of overhead and idle per task"
    )
    for label, per_s in (("wall at this load", wall_per_s), ("CPU, native sizes", native_per_s)):
        per_task = per_s * ARCHIVE_VIDEO_S
        total = ARCHIVE_VIDEOS * per_task
        line = ", ".join(f"{w} workers {(total / w + dask) / 3600:.1f} h" for w in (2, 16, 64, 256))
        need = [int(np.ceil(total / (h * 3600 - dask))) for h in (24, 8)]
        print(
            f"    [{label}] one task {per_task:.1f} s, {total / 3600:,.0f} worker-hours; "
            f"{line}; {need[0]} workers for 24 h, {need[1]} for 8 h; Dask's 1 ms is "
            f"{100 * DASK_OVERHEAD_S / per_task:.3f}% of a task"
        )


# --------------------------------------------------------------------------- part 2


def ahash(bgr: np.ndarray) -> int:
    """The plain average hash: 8 x 8 gray, one bit per pixel above the mean."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(gray, (8, 8), interpolation=cv2.INTER_AREA).astype(np.float32)
    bits = (small > small.mean()).reshape(-1)
    return int(sum(1 << i for i, b in enumerate(bits) if b))


def peer_keyframes(path: Path) -> list[tuple[int, bool]]:
    """The aHash of each PySceneDetect shot's middle frame, and whether that frame is flat
    (the core's own test: 32 x 32 gray, standard deviation under 6 levels)."""
    from scenedetect import ContentDetector, detect

    scenes = detect(str(path), ContentDetector(), show_progress=False)
    cap = cv2.VideoCapture(str(path))
    if not scenes:
        n = cap.get(cv2.CAP_PROP_FRAME_COUNT)
        fps = cap.get(cv2.CAP_PROP_FPS) or 25
        spans = [(0.0, n / fps)]
    else:
        spans = [(a.seconds, b.seconds) for a, b in scenes]
    hashes = []
    for a, b in spans:
        cap.set(cv2.CAP_PROP_POS_MSEC, 1000 * (a + b) / 2)
        ok, frame = cap.read()
        if ok:
            gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            small = cv2.resize(gray, (32, 32), interpolation=cv2.INTER_AREA)
            hashes.append((ahash(frame), bool(small.std() < FLAT_STD_MAX)))
    cap.release()
    return hashes


def peer_sweep(keys: list[str], truth: dict[str, str], hashes: dict[str, list[int]]):
    """Pair scores of the peer at every threshold; its best (the highest recall with false
    grouping <= 1%, or, when no threshold keeps that, the best recall - false)."""
    n = len(keys)
    dist = np.full((n, n), 64)
    for i, a in enumerate(keys):
        for j in range(i + 1, n):
            pairs = [int(hamming(x, y)) for x in hashes[a] for y in hashes[keys[j]]]
            dist[i, j] = dist[j, i] = min(pairs, default=64)
    sweep = []
    for threshold in range(0, 25):
        rows, cols = np.nonzero(np.triu(dist <= threshold, 1))
        links = [(keys[i], keys[j]) for i, j in zip(rows, cols, strict=True)]
        groups = components(keys, links)
        r, f, _, _ = pair_scores(truth, groups)
        sweep.append((threshold, r, f, groups))
    ok = [s for s in sweep if s[2] <= 0.01]
    best = max(ok, key=lambda s: (s[1], -s[2])) if ok else max(sweep, key=lambda s: s[1] - s[2])
    rule = "highest recall at false <= 1%" if ok else "no T keeps false <= 1%: best recall - false"
    return best, sweep, rule


def components(keys: list[str], links: list[tuple[str, str]]) -> dict[str, int]:
    parent = {k: k for k in keys}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = sorted({root(k) for k in keys})
    return {k: roots.index(root(k)) for k in keys}


def pair_scores(truth: dict[str, str], group: dict[str, int]) -> tuple[float, float, int, int]:
    keys = sorted(truth)
    same = found = diff = wrong = 0
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            together = group[a] == group[b]
            if truth[a] == truth[b]:
                same += 1
                found += together
            else:
                diff += 1
                wrong += together
    return found / max(1, same), wrong / max(1, diff), same, diff


def groups_of(grouped: list[list[str]], keys: list[str]) -> dict[str, int]:
    where = {k: n for n, g in enumerate(grouped) for k in g}
    extra = len(grouped)
    out = {}
    for k in keys:
        if k in where:
            out[k] = where[k]
        else:
            out[k] = extra
            extra += 1
    return out


# What each variant kind should be said to be (beyond "re-encoded"); the claims' first words.
EXPECTED_CLAIMS = {
    "cropped": {"cropped"}, "letterboxed": {"letterboxed"}, "mirrored": {"mirrored"},
    "logo": {"overlay"}, "trimmed": {"trimmed"}, "concatenated": {"joined", "trimmed"},
}  # fmt: skip
CLAIM_WORDS = ("joined", "trimmed", "cropped", "letterboxed", "mirrored", "overlay", "speed")


def print_claims(report, by_sha: dict[str, str], kinds: dict[str, str]) -> None:
    """How each copy was described, against what was done to it: per claim, how many copies
    of the kinds that should carry it do (true) and how many others carry it (false)."""
    said: dict[str, set[str]] = {}
    for group in report.groups:
        for m in group.members:
            said[by_sha[m.sha256]] = {w for w in CLAIM_WORDS for d in m.differences
                                      if d.startswith(w)}  # fmt: skip
    parts = []
    for word in CLAIM_WORDS:
        due = [k for k in said if word in EXPECTED_CLAIMS.get(kinds[k], set())]
        true = sum(word in said[k] for k in due)
        false = sum(word in said[k] for k in said if k not in due)
        parts.append(f"{word} {true}/{len(due)} true, {false} false")
    print("  differences (grouped copies): " + "; ".join(parts))


def part_dupes(work: Path, truth_by_path: dict[Path, tuple[str, str]], keep: bool) -> None:
    files = sorted(truth_by_path)
    print(
        f"\n== 2. Duplicate finding: {len(files)} variants of "
        f"{len({s for s, _ in truth_by_path.values()})} real source clips =="
    )
    catalog = work / "catalog-dupes"
    if not keep:
        shutil.rmtree(catalog, ignore_errors=True)  # fresh: the hashes may have changed
    summary = run_triage(files, catalog, workers=2, resume=True)
    print(
        f"  triaged into {catalog}: {summary.triaged} files, {summary.skipped} kept from before "
        f"(--keep-catalog), {summary.errors} errors [{load()}]"
    )
    cat = Catalog(catalog)
    sha_of = {r["path"]: r["sha256"] for r in cat.query("SELECT path, sha256 FROM paths")}
    name = {str(p): p.name.removesuffix(".mp4") for p in files}
    key_of = {name[str(p)]: sha_of[str(p)] for p in files}
    truth = {name[str(p)]: s for p, (s, _) in truth_by_path.items()}
    kinds = {name[str(p)]: k for p, (_, k) in truth_by_path.items()}
    keys = sorted(truth)
    by_sha = {v: k for k, v in key_of.items()}

    t = time.perf_counter()
    report = find_dupes(cat)
    dupes_s = time.perf_counter() - t
    grouped = [[by_sha[m.sha256] for m in g.members] for g in report.groups]
    core = groups_of(grouped, keys)
    recall, false, same, diff = pair_scores(truth, core)
    print(f"  {same} same-source pairs, {diff} different-source pairs")
    print(
        f"  core  find_dupes (radius {DEFAULT_RADIUS}, its default): recall {100 * recall:.1f}%, "
        f"false grouping {100 * false:.2f}%  ({len(report.groups)} groups; {dupes_s:.1f} s "
        f"incl. the differences)"
    )
    print_claims(report, by_sha, kinds)

    arrays = cat.hash_arrays()
    facts = {r["sha256"]: r for r in cat.files()}
    videos = [
        VideoSamples(k, float(facts[k]["duration_s"] or 0), a["time_s"], a["value"], a["mirrored"])
        for k, a in sorted(arrays.items())
        if len(a["value"])
    ]
    durations = {v.key: v.duration_s for v in videos}
    for radius in (8, 10, 14):
        links = shared_footage(videos, radius=radius)
        g = group_keys([v.key for v in videos], links, durations)
        r, f, _, _ = pair_scores(truth, groups_of([[by_sha[k] for k in x] for x in g], keys))
        print(
            f"        (sensitivity) grouping at radius {radius}: recall {100 * r:.1f}%, "
            f"false {100 * f:.2f}%"
        )

    t = time.perf_counter()
    peer_hashes = {name[str(p)]: peer_keyframes(p) for p in files}
    peer_s = time.perf_counter() - t
    plain = {k: [h for h, _ in v] for k, v in peer_hashes.items()}
    solid = {k: [h for h, flat in v if not flat] for k, v in peer_hashes.items()}
    peer_groups: dict[str, int] = {}
    for label, hashes in (("", plain), (", flat keyframes left out", solid)):
        best, sweep, rule = peer_sweep(keys, truth, hashes)
        peer_groups = peer_groups or best[3]  # the plain peer's, for the table below
        print(
            f"  peer  PySceneDetect + aHash{label}: best T = {best[0]} bits ({rule}; chosen on "
            f"this truth): recall {100 * best[1]:.1f}%, false grouping {100 * best[2]:.2f}%"
        )
        print(
            "        sweep T:recall/false% "
            + "  ".join(f"{t}:{100 * r:.0f}/{100 * f:.1f}" for t, r, f, _ in sweep if t % 2 == 0)
        )
    print(f"        ({peer_s:.1f} s for the peer's shots and hashes of {len(files)} files)")

    per_kind: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        per_kind[kinds[k]].append(k)
    plain_keys = [k for k in keys if kinds[k] != "concatenated"]
    plain_truth = {k: truth[k] for k in plain_keys}
    kept = [v for v in videos if by_sha[v.key] in plain_truth]
    g = group_keys([v.key for v in kept], shared_footage(kept), durations)
    r, f, _, _ = pair_scores(
        plain_truth, groups_of([[by_sha[k] for k in x] for x in g], plain_keys)
    )
    best, _, rule = peer_sweep(plain_keys, plain_truth, plain)
    print(
        f"  without the {len(keys) - len(plain_keys)} concatenations (which join two sources' "
        f"footage): core recall {100 * r:.1f}%, false {100 * f:.2f}%; peer (plain) at its best "
        f"T = {best[0]} ({rule}): recall {100 * best[1]:.1f}%, false {100 * best[2]:.2f}%"
    )
    print("  per variant kind: files grouped with their source's original (core | peer, plain)")
    misses = []
    for kind in sorted(per_kind):
        if kind == "original":
            continue
        members = per_kind[kind]
        core_ok = [m for m in members if core[m] == core[f"{truth[m]}.original"]]
        peer_ok = [m for m in members if peer_groups[m] == peer_groups[f"{truth[m]}.original"]]
        misses += [m for m in members if m not in core_ok]
        print(f"    {kind:13s} {len(core_ok)}/{len(members)} | {len(peer_ok)}/{len(members)}")
    wrong_pairs = [
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if truth[a] != truth[b] and core[a] == core[b]
    ]
    if wrong_pairs:
        print(f"  core false groupings ({len(wrong_pairs)} pairs), e.g. {wrong_pairs[:6]}")
    sample_of = {by_sha[v.key]: v for v in videos}
    for m in misses:
        orig = f"{truth[m]}.original"
        a, b = sample_of.get(orig), sample_of.get(m)
        if a is None or b is None:
            print(f"    miss {m}: no hashed samples ({'original' if a is None else 'variant'})")
            continue
        plain = np.array([hamming(a.values, int(h)).min() for h in b.values])
        mirror = np.array([hamming(a.mirrored, int(h)).min() for h in b.values])
        print(
            f"    miss {m}: {len(b.values)} samples vs the original's {len(a.values)}; nearest "
            f"distances plain {plain.tolist()}; mirrored {mirror.tolist()}"
        )


# --------------------------------------------------------------------------- part 3


def clustered_hashes(n: int, rng: np.random.Generator) -> np.ndarray:
    """Shots of ~25 samples: a random centre, each sample a few bits from it (about 1 in 16
    bits flipped in half the shots, 1 in 32 in the others), like consecutive keyframes."""
    shots = n // 25 + 1
    centres = rng.integers(0, 2**64, size=shots, dtype=np.uint64)
    owner = np.sort(rng.integers(0, shots, size=n))
    flips = np.full(n, ~np.uint64(0))
    depth = np.where(owner % 2 == 0, 4, 5)
    for d in range(5):
        word = rng.integers(0, 2**64, size=n, dtype=np.uint64)
        flips &= np.where(d < depth, word, ~np.uint64(0))
    return centres[owner] ^ flips


def part_index(sizes: list[int]) -> None:
    print("\n== 3. The index: one radius-12 query, HashIndex vs a linear numpy scan ==")
    rng = np.random.default_rng(19)
    for n in sizes:
        hashes = clustered_hashes(n, rng)
        t = time.perf_counter()
        index = HashIndex(hashes)
        build = time.perf_counter() - t
        picks = rng.integers(0, n, 50)
        near = hashes[picks] ^ (
            rng.integers(0, 2**64, 50, dtype=np.uint64)
            & rng.integers(0, 2**64, 50, dtype=np.uint64)
            & rng.integers(0, 2**64, 50, dtype=np.uint64)
        )
        queries = [int(q) for q in near] + [int(q) for q in rng.integers(0, 2**64, 50, np.uint64)]
        t_idx, t_lin, found = [], [], []
        for q in queries:
            t = time.perf_counter()
            a = index.query(q, 12)
            t_idx.append(time.perf_counter() - t)
            t = time.perf_counter()
            b = index.query_linear(q, 12)
            t_lin.append(time.perf_counter() - t)
            assert np.array_equal(a.positions, b.positions), "index and scan disagree"
            found.append(len(a.positions))
        print(
            f"  {n:>9,} hashes: build {build:.2f} s; query mean {1000 * np.mean(t_idx):.1f} ms "
            f"(worst {1000 * max(t_idx):.1f}) vs linear {1000 * np.mean(t_lin):.1f} ms (worst "
            f"{1000 * max(t_lin):.1f}); {np.mean(found[:50]):.1f} found near an indexed hash, "
            f"{np.mean(found[50:]):.2f} for a random one; same answers  [{load()}]"
        )
        del index, hashes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="all", choices=("all", "scaling", "dupes", "index"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_archive"))
    ap.add_argument("--max-seconds", type=float, default=10.0)
    ap.add_argument("--max-width", type=int, default=640)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--sizes", default="1000000,4000000")
    ap.add_argument(
        "--keep-catalog", action="store_true", help="part 2: reuse its catalog (same core code)"
    )
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"bench_archive  [{load()}]  work: {args.work}")
    if args.part in ("all", "scaling", "dupes"):
        raw = raw_clips(args.work)
        sources = source_clips(raw)
        print(
            f"sources ({len(sources)}): "
            + ", ".join(f"{n} ({p.parent.parent.name}/{p.parent.name})" for n, p in sources.items())
        )
        truth = build_variants(args.work, sources, args.max_seconds, args.max_width)
    if args.part in ("all", "scaling"):
        unique: dict[str, Path] = {}
        for p in raw:
            unique.setdefault(sha256(p), p)
        files = sorted(unique.values()) + sorted(
            p for p, (_, k) in truth.items() if k in SCALING_KINDS
        )
        best = part_scaling(args.work, files, args.repeats)
        raw_unique = sorted(set(unique.values()))
        on_paper(best[1], decode_split(raw_unique))
    if args.part in ("all", "dupes"):
        part_dupes(args.work, truth, args.keep_catalog)
    if args.part in ("all", "index"):
        part_index([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
