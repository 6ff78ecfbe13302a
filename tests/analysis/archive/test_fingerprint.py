"""One pass over a video: shots, a keyframe each, hashes sampled every half second."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.archive.fingerprint import SAMPLE_INTERVAL_S, fingerprint_video
from analysis.archive.phash import frame_hash, hamming
from analysis.errors import MediaError
from analysis.video.frames import iter_frames
from tests.synth.video import SynthSpec, textured, write_video

FPS = 20
REPO = Path(__file__).resolve().parents[3]


def _two_shots(i: int) -> np.ndarray:
    return textured(i, 160, 120, seed=7 if i < 40 else 99)


@pytest.fixture(scope="module")
def two_shot_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("fp") / "two_shots.mp4"
    return write_video(path, SynthSpec(frames=80, fps=FPS, width_px=160, height_px=120),
                       _two_shots, barcode=False)  # fmt: skip


def test_samples_every_half_second_in_their_shots(two_shot_video):
    fp = fingerprint_video(two_shot_video)
    assert fp.frame_count == 80
    assert [c.frame for c in fp.cuts.cuts] == [40]
    times = [s.time_s for s in fp.samples]
    assert np.allclose(times, np.arange(len(times)) * SAMPLE_INTERVAL_S)
    assert len(times) == 8  # 4 s of video: 0, 0.5, ... 3.5
    assert [s.segment for s in fp.samples] == [0] * 4 + [1] * 4
    assert [s.frame_index for s in fp.samples] == list(range(0, 80, 10))


def test_a_keyframe_per_shot_whose_hash_is_its_pictures(two_shot_video):
    fp = fingerprint_video(two_shot_video)
    assert [k.segment for k in fp.keyframes] == [0, 1]
    for k in fp.keyframes:
        picture = cv2.imdecode(np.frombuffer(k.jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert picture.shape[1] == 160  # never upscaled beyond the video
        truth = frame_hash(_two_shots(k.frame_index)).value
        assert hamming(k.value, truth) <= 6


def test_flat_frames_are_not_sampled(tmp_path):
    path = write_video(tmp_path / "flat.mp4", SynthSpec(frames=30, fps=FPS, width_px=96,
                       height_px=64), lambda i: np.full((64, 96, 3), 40, np.uint8),
                       barcode=False)  # fmt: skip
    fp = fingerprint_video(path)
    assert fp.samples == () and len(fp.keyframes) == 1


def test_a_file_that_is_not_a_video_names_itself(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    with pytest.raises(MediaError, match="junk.mp4"):
        fingerprint_video(junk)


PEAK_THREADS = """
import json, os, sys
from analysis.video.frames import iter_frames
peaks = {}
for threads in (1, 0):
    before, peak = len(os.listdir("/proc/self/task")), 0
    for frame in iter_frames(sys.argv[1], width_px=256, fast=True, threads=threads):
        peak = max(peak, len(os.listdir("/proc/self/task")) - before)
    peaks[threads] = peak
print(json.dumps(peaks))
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads under /proc")
def test_one_decoding_thread_keeps_the_pass_on_the_calling_thread(tmp_path):
    """An archive worker is one core: with threads=1 neither FFmpeg's decoder nor its scaler
    starts threads of its own (they would compete with the other workers), and the pictures
    are the same as with FFmpeg's own threading. The threads are counted in a fresh process,
    where no other test's thread can come or go."""
    spec = SynthSpec(frames=12, fps=FPS, width_px=640, height_px=360)
    path = write_video(tmp_path / "wide.mp4", spec, lambda i: textured(i, 640, 360, seed=3),
                       barcode=False)  # fmt: skip
    done = subprocess.run([sys.executable, "-c", PEAK_THREADS, str(path)], capture_output=True,
                          text=True, check=True, timeout=120, cwd=REPO)  # fmt: skip
    peaks = {int(k): v for k, v in json.loads(done.stdout).items()}
    assert peaks[1] == 0
    if (os.cpu_count() or 1) > 1:  # the control: FFmpeg's own choice does start threads here
        assert peaks[0] > 0
    pictures = {t: [f.image for f in iter_frames(path, width_px=256, fast=True, threads=t)]
                for t in (1, 0)}  # fmt: skip
    assert len(pictures[1]) == 12
    assert all(np.array_equal(a, b) for a, b in zip(pictures[1], pictures[0], strict=True))


def _traced_peak_mb(path) -> float:
    import tracemalloc

    tracemalloc.start()
    try:
        fingerprint_video(path, decode_threads=1)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_frames(tmp_path, monkeypatch):
    """The cut features are kept for a window of frames, not the whole video: with a window
    of 512 frames, four times the frames (7,200 against 1,800) costs under 2 MB more at the
    peak, where keeping every frame's features and detecting on them all took about 15 KB a
    frame (80 MB more here)."""
    import analysis.video.cuts_stream as cuts_stream

    monkeypatch.setattr(cuts_stream, "WINDOW_FRAMES", 512)
    peaks = []
    for frames in (1800, 7200):
        spec = SynthSpec(frames=frames, fps=30, width_px=64, height_px=48)
        path = write_video(tmp_path / f"long{frames}.mp4", spec,
                           lambda i: textured(i, 64, 48, seed=11), barcode=False)  # fmt: skip
        peaks.append(_traced_peak_mb(path))
    assert peaks[1] - peaks[0] < 2.0, peaks
