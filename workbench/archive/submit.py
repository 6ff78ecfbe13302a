"""The triage's tasks on the Dask client: one a path, in an order that suits the cluster.

* Larger files go first (a task's priority is its file's size): the longest tasks start early
  and the run ends on short ones, so no worker is left waiting for the last long file (the
  longest-first rule for dividing jobs among machines).
* Files of equal size may be copies: each waits for the one before it (a Dask dependency), so
  a copy finds its content in the catalog ("seen") instead of decoding it again.
* Dask fails a task whose dependency failed, without running it. So when a task fails (its
  worker died on the file at every try, or the catalog could not be written), the rest of
  its chain is cancelled and submitted again without it: each of those files is still tried.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from workbench.archive.task import triage_file


class TriageTasks:
    """The submitted tasks: ``path_of`` maps each live future to its path."""

    def __init__(self, client, catalog: Path, decode_threads: int) -> None:
        self._client = client
        self._catalog = str(catalog)
        self._decode_threads = decode_threads
        self.path_of: dict = {}
        self._next_of: dict = {}  # future -> the future that waits for it
        self._seq: dict = {}  # future -> submission number (a chain's earlier ones are lower)
        self._count = itertools.count()

    def submit_all(self, paths: list[str]) -> None:
        by_size: dict[int, list[str]] = {}
        for path in paths:
            by_size.setdefault(_size(path), []).append(path)
        for size, same in sorted(by_size.items(), reverse=True):
            self._submit_chain(same, size)

    def order(self, future) -> int:
        """Sort key: a future before any that waits for it."""
        return self._seq.get(future, -1)

    def unchain_after(self, failed) -> tuple[list, list]:
        """The rest of ``failed``'s chain, cancelled and submitted again without it: returns
        (new futures, the futures they replace)."""
        rest = []
        f = self._next_of.pop(failed, None)
        while f is not None:
            rest.append(f)
            f = self._next_of.pop(f, None)
        if not rest:
            return [], []
        paths = [self.path_of.pop(f) for f in rest]
        self._client.cancel(rest)
        return self._submit_chain(paths, _size(paths[0])), rest

    def cancel_all(self) -> None:
        self._client.cancel(list(self.path_of))

    def _submit_chain(self, paths: list[str], size: int) -> list:
        futures, before = [], None
        for path in paths:
            future = self._client.submit(
                triage_file, path, catalog=self._catalog, after=before,
                decode_threads=self._decode_threads, pure=False, priority=size,
            )  # fmt: skip
            if before is not None:
                self._next_of[before] = future
            self.path_of[future] = path
            self._seq[future] = next(self._count)
            futures.append(future)
            before = future
        return futures


def _size(path: str) -> int:
    """The file's size; -1 when it is gone (its task records that it is gone)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return -1
