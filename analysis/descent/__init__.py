"""Descent of a tracked object: motion models, metric scale, verdict, figure."""
