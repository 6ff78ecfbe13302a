"""The per-frame checksum listing of ``ffmpeg -noautorotate -i VIDEO -map 0:v:0 -f framemd5 -``.

A lawyer can re-run that stock command on the original file and compare the hash of a cited
frame with ours. The hashes are FFmpeg's exactly (analysis.video.table.frame_md5). The timing
columns follow the ffmpeg command-line tool: time base 1/(average frame rate), pts counted from
the video stream's start time and rounded to that base, duration 1. Differences to know:

* ffmpeg's default (variable-frame-rate) sync drops a frame whose rounded pts collides with the
  previous one; we list every decoded frame, because frame identity is the sequential decode.
* ``#software`` names the libavformat of this build, not the one of a system ffmpeg.
* Decoders that are not bit-exact by specification (MPEG-4 Part 2 / MS-MPEG4, whose IDCT is
  implementation-defined) can give other hashes with another FFmpeg version; H.264, HEVC and
  VP9 decoders are bit-exact. The frame table records the FFmpeg versions for this reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

from analysis.jobs import CancelToken, ProgressFn
from analysis.video.probe import open_container
from analysis.video.table import FrameTable, build_frame_table


def _stream_facts(path: str | Path) -> tuple[Fraction, float, tuple[int, int]]:
    container, stream = open_container(path)
    try:
        rate = stream.average_rate or stream.guessed_rate or Fraction(25, 1)
        if stream.start_time is not None:
            start_s = float(stream.start_time * stream.time_base)
        else:
            start_s = container.start_time / 1e6 if container.start_time is not None else 0.0
        sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
        sar_pair = (sar.numerator, sar.denominator) if sar else (0, 1)
        return 1 / Fraction(rate), start_s, sar_pair
    finally:
        container.close()


def framemd5_lines(
    path: str | Path,
    table: FrameTable | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Iterator[str]:
    """Yield the lines (without newline) that ``ffmpeg -f framemd5`` prints for the video."""
    table = table or build_frame_table(path, progress=progress, cancel=cancel)
    tb, start_s, sar = _stream_facts(path)
    versions = dict(table.versions)
    yield "#format: frame checksums"
    yield "#version: 2"
    yield "#hash: MD5"
    yield f"#software: Lavf{versions.get('libavformat', '?')}"
    yield f"#tb 0: {tb.numerator}/{tb.denominator}"
    yield "#media_type 0: video"
    yield "#codec_id 0: rawvideo"
    yield f"#dimensions 0: {table.width_px}x{table.height_px}"
    yield f"#sar 0: {sar[0]}/{sar[1]}"
    yield "#stream#, dts,        pts, duration,     size, hash"
    size = _raw_size(table)
    last = None
    for rec in table.frames:
        if rec.pts_s is None:
            pts = 0 if last is None else last + 1
        else:
            pts = round((Fraction(rec.pts_s) - Fraction(start_s)) / tb)
        last = pts
        yield f"0, {pts:10d}, {pts:10d}, {1:8d}, {size:8d}, {rec.md5}"


def _raw_size(table: FrameTable) -> int:
    """Unpadded picture size in bytes for the table's pixel format."""
    import av

    fmt = av.VideoFormat(table.pix_fmt, table.width_px, table.height_px)
    total = 0
    single = len({c.plane for c in fmt.components}) == 1
    planes = sorted({c.plane for c in fmt.components})
    for p in planes:
        comps = [c for c in fmt.components if c.plane == p]
        w, h = comps[0].width, comps[0].height
        if single:
            row = (w * fmt.padded_bits_per_pixel + 7) // 8
        else:
            row = w * sum((c.bits + 7) // 8 for c in comps)
        total += row * h
    return total
