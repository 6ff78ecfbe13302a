"""Archive triage: perceptual hashes of frames, their index, and near-duplicate groups."""
