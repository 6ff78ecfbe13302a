"""Benchmark: audio decode and onset detection for an hour of sound, and sync of two 10-minute
recordings, against ffmpeg's own audio decode measured in the same run.

Run on demand (not a test): ``.venv/bin/python bench/bench_audio.py [--minutes 60]``. Needs the
``ffmpeg`` program (``apt-get install -y ffmpeg``) for the reference and to make the hour of
sound; it is a tool for this benchmark only, not a dependency of the workbench.

- The hour: pink noise with a 1 Hz tremolo and a bang (a decaying noise burst) every 7 s,
  AAC 96 kb/s, 48 kHz mono.
- Decode: ours (PyAV to mono float32 at the stream's rate, and at the 8 kHz sync rate) against
  ``ffmpeg -i F -ac 1 -f f32le -`` (decode and downmix, written to a pipe and discarded).
- Onsets: ``detect_onsets`` on the decoded hour.
- Sync: two 10-minute cuts of one 12-minute recording (A as AAC 128 kb/s 48 kHz, B 3.2 s
  later as MP3 64 kb/s 22.05 kHz with noise added): decode both and sync.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.audio.decode import decode_audio  # noqa: E402
from analysis.audio.onset import detect_onsets  # noqa: E402
from analysis.audio.sync import SYNC_RATE_HZ, sync_tracks  # noqa: E402
from tests.synth.audio import recording, write_audio  # noqa: E402


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def make_hour(ffmpeg: str, path: Path, minutes: int) -> None:
    src = (
        f"anoisesrc=d={minutes * 60}:c=pink:r=48000:a=0.2:seed=18,tremolo=f=1:d=0.6[n];"
        f"aevalsrc='0.8*exp(-30*mod(t,7))*(2*random(0)-1)':d={minutes * 60}:s=48000[c];"
        "[n][c]amix=inputs=2:normalize=0"
    )
    subprocess.run([ffmpeg, "-v", "error", "-y", "-filter_complex", src, "-ac", "1",
                    "-c:a", "aac", "-b:a", "96k", str(path)], check=True)  # fmt: skip


def bench_hour(ffmpeg: str, work: Path, minutes: int) -> None:
    hour = work / "hour.m4a"
    t_make, _ = timed(lambda: make_hour(ffmpeg, hour, minutes))
    print(f"made {minutes} min of AAC in {t_make:.1f} s ({hour.stat().st_size / 1e6:.1f} MB)")
    cmd = [ffmpeg, "-v", "error", "-i", str(hour), "-ac", "1", "-f", "f32le", "-"]
    t_ref, _ = timed(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL))
    t_ours, track = timed(lambda: decode_audio(hour))
    t_8k, _ = timed(lambda: decode_audio(hour, sample_rate_hz=SYNC_RATE_HZ))
    t_on, onsets = timed(lambda: detect_onsets(track))
    audio_s = track.duration_s
    print(f"decode {audio_s / 60:.0f} min:  ffmpeg {t_ref:.2f} s | ours {t_ours:.2f} s "
          f"({t_ours / t_ref:.2f}x ffmpeg) | ours at 8 kHz {t_8k:.2f} s "
          f"({t_8k / t_ref:.2f}x)")  # fmt: skip
    print(f"onsets {audio_s / 60:.0f} min:  {t_on:.2f} s ({audio_s / t_on:.0f}x real time), "
          f"{len(onsets)} onsets for {int(audio_s // 7) + 1} bangs")  # fmt: skip


def bench_sync(work: Path) -> None:
    rng = np.random.default_rng(2016)
    sr = 48000
    t_rec, rec = timed(lambda: recording(12 * 60, sr, rng))
    start_b = int(3.2 * sr)
    a = rec[: 600 * sr]
    b = rec[start_b : start_b + 600 * sr] + rng.normal(0, 0.03, 600 * sr).astype(np.float32)
    t_enc, _ = timed(lambda: (
        write_audio(work / "a.m4a", a, sr),
        write_audio(work / "b.mp3", b, sr, codec="libmp3lame", bitrate=64000, out_rate_hz=22050),
    ))  # fmt: skip
    print(f"made two 10-min recordings in {t_rec + t_enc:.1f} s")
    t_dec, tracks = timed(lambda: (
        decode_audio(work / "a.m4a", sample_rate_hz=SYNC_RATE_HZ),
        decode_audio(work / "b.mp3", sample_rate_hz=SYNC_RATE_HZ),
    ))  # fmt: skip
    t_sync, got = timed(lambda: sync_tracks(*tracks))
    err_ms = (got.offset_s - (-3.2)) * 1000 if got.matched else float("nan")
    print(f"sync 2 x 10 min: decode {t_dec:.2f} s + sync {t_sync:.2f} s = "
          f"{t_dec + t_sync:.2f} s; offset {got.offset_s} (truth -3.2 s, error {err_ms:.3f} ms), "
          f"{got.chunks_agreeing}/{got.chunks_total} chunks agree")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("ffmpeg not found: apt-get install -y ffmpeg (benchmark tool only)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bench_hour(ffmpeg, work, args.minutes)
        bench_sync(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
