"""Archive triage on Dask: a catalog of thousands of videos, near-duplicate groups, and the way
into a case (issue 19). Qt-free."""
