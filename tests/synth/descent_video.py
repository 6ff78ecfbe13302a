"""A rendered descent (tests/synth/descent.py) written as an H.264 file, for tests that need
a video evidence with an exactly known track."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tests.synth.descent import Rendered, random_spec, render, sky_background


def write_descent_video(
    path: Path, *, seed: int = 21, kind: str = "retarded", size: tuple[int, int] = (320, 180)
) -> Rendered:
    """Render a trial of ``kind`` and encode it at 30 fps (pts i/30) to ``path``."""
    rng = np.random.default_rng(seed)
    spec = random_spec(rng, kind, size=size)
    r = render(spec, sky_background(spec.size), rng, keep_rgb=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(30))
        stream.width, stream.height = spec.size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "20"}
        for i in range(len(r.rgb)):
            frame = av.VideoFrame.from_ndarray(r.rgb[i], format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return r
