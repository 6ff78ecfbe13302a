"""Cut detection in windows over a stream gives the whole video's answer."""

from __future__ import annotations

import pytest

from analysis.video.cuts import detect_cuts_in_features
from analysis.video.cuts_features import features_from_images
from analysis.video.cuts_stream import StreamingCutDetector
from tests.analysis.test_cuts import _check, edited_sequence


def _stream(frames, window: int, context: int):
    detector = StreamingCutDetector(window, context)
    for n, frame in enumerate(frames):
        detector.add(frame, n / 25)
    return detector.result()


@pytest.fixture(scope="module")
def long_edit():
    """The edited sequence (cuts, a dissolve, fades, a flash, a whip pan, a zoom) three
    times over: 480 frames, so that transitions fall at many places against the windows."""
    frames, truth = edited_sequence()
    return frames * 3, truth


@pytest.mark.parametrize(("window", "context"), [(128, 32), (137, 32), (200, 40), (4096, 64)])
def test_windows_give_the_whole_video_s_cuts(long_edit, window, context):
    frames, truth = long_edit
    whole = detect_cuts_in_features(features_from_images(frames))
    streamed = _stream(frames, window, context)
    assert [(c.frame, c.kind, c.start_frame, c.end_frame, c.score) for c in streamed.cuts] == [
        (c.frame, c.kind, c.start_frame, c.end_frame, c.score) for c in whole.cuts
    ]
    assert streamed.frame_count == len(frames)
    assert [(s.first_frame, s.last_frame) for s in streamed.segments] == [
        (s.first_frame, s.last_frame) for s in whole.segments
    ]
    _check(streamed.cuts[:5], truth)  # the first round against its truth
    assert len(streamed.cuts) == 3 * len(truth) + 2  # + the cuts where the rounds join


def test_the_window_must_hold_its_context():
    with pytest.raises(ValueError, match="four times"):
        StreamingCutDetector(100, 32)


def test_no_frames_no_cuts():
    result = StreamingCutDetector().result()
    assert (result.cuts, result.segments, result.frame_count) == ((), (), 0)
