"""Sound: decoding the audio track, onsets (a bang), flash to bang, and syncing videos."""
