"""The Descent panel: the descent of a tracked object, measured and judged (issue 14)."""
