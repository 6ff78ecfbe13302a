"""Facts about the file system a case lives on: is SQLite's WAL mode safe there?

WAL needs shared memory between processes, which network file systems do not provide, and
sync clients (Dropbox, OneDrive, ...) copy the database and its -wal file separately, which
can corrupt it. Such a case is opened with a rollback journal instead, and the user is told.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "afpfs",
        "9p",
        "davfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.gvfsd-fuse",
        "fuse.s3fs",
        "ncpfs",
        "coda",
        "afs",
        "glusterfs",
        "ceph",
        "lustre",
        "gpfs",
        "fuse.juicefs",
    }
)
SYNC_FOLDER_NAMES = (
    "dropbox",
    "onedrive",
    "google drive",
    "googledrive",
    "icloud drive",
    "mobile documents",
    "nextcloud",
    "owncloud",
    "pcloud",
    "box sync",
)


def _mount_fs_type(path: Path, mounts_text: str) -> str | None:
    """The file-system type of the longest mount point containing ``path``."""
    best: tuple[int, str] | None = None
    target = str(path)
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and (best is None or len(mount_point) > best[0]):
            best = (len(mount_point), parts[2])
    return best[1] if best else None


def wal_unsafe_reason(path: Path, *, mounts_text: str | None = None) -> str | None:
    """Why WAL is unsafe for a case at ``path``, or None where it is safe (as far as known)."""
    resolved = Path(os.path.abspath(path))
    lowered = [part.lower() for part in resolved.parts]
    for name in SYNC_FOLDER_NAMES:
        if name in lowered:
            return f"the case is inside a sync folder ({name!r})"
    if sys.platform == "win32":
        text = str(resolved)
        if text.startswith("\\\\"):
            return "the case is on a network share (UNC path)"
        return _windows_remote_drive(text)
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    fs_type = _mount_fs_type(resolved, mounts_text)
    if fs_type and fs_type.lower() in NETWORK_FS_TYPES:
        return f"the case is on a network file system ({fs_type})"
    return None


def _windows_remote_drive(text: str) -> str | None:  # pragma: no cover - Windows only
    import ctypes

    drive = text[:3]
    drive_remote = 4
    if ctypes.windll.kernel32.GetDriveTypeW(drive) == drive_remote:
        return f"the case is on a network drive ({drive})"
    return None
