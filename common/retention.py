"""How long casebot keeps things, and the one way it forgets files.

Every store that keeps what users said or sent has a retention in days (the processes'
settings); ``older_than`` turns one into a cut-off time, and ``purge_folder`` removes the
files of a folder (the users' media) last changed before it. One pass over the folder,
symbolic links never followed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60


def older_than(days: float, now: float) -> float:
    """The cut-off time (seconds since the epoch) of a retention of ``days`` at ``now``."""
    return now - days * DAY_SECONDS


def purge_folder(folder: Path, cutoff: float) -> int:
    """Remove the regular files directly in ``folder`` last changed before ``cutoff``."""
    removed = 0
    try:
        entries = os.scandir(folder)
    except FileNotFoundError:
        return 0
    with entries:
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
                os.unlink(entry.path)
            except FileNotFoundError:
                # another process (the other side of a shared folder) removed it first
                continue
            except OSError as exc:
                logger.warning("media file not removed: %s", type(exc).__name__)
                continue
            removed += 1
    return removed


def remove_inside(path: str, folders: list[Path]) -> bool:
    """Remove the file ``path`` if it resolves inside one of ``folders``; whether it did."""
    target = Path(path).resolve()
    for folder in folders:
        root = folder.resolve()
        if target != root and target.is_relative_to(root):
            try:
                target.unlink()
            except FileNotFoundError:
                return False
            return True
    return False
