"""User settings shared by the CLI and the GUI, stored as JSON (Qt-free on purpose).

The file lives in ``$GEOWORKBENCH_CONFIG_DIR`` or the platform's user config folder. Writes go
to a temporary file and then ``os.replace``, so a crash never leaves half a settings file.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path


@dataclass
class Settings:
    analyst_name: str = ""
    blur_graphic_thumbnails: bool = True
    mute_graphic_audio: bool = True
    recent_cases: list[str] = field(default_factory=list)
    analyst_asked: bool = False  # the window asked for the name once (answered or not)

    def analyst(self) -> str:
        """The actor written into the audit log: the configured name with the OS user beside
        it ("Jane Doe (OS user jdoe)"), else the OS user alone ("jdoe (OS user)")."""
        user = getpass.getuser()
        name = self.analyst_name.strip()
        return f"{name} (OS user {user})" if name else f"{user} (OS user)"

    def remember_case(self, path: Path, keep: int = 10) -> None:
        text = str(Path(path).resolve())
        self.recent_cases = [text, *[p for p in self.recent_cases if p != text]][:keep]


def config_dir() -> Path:
    env = os.environ.get("GEOWORKBENCH_CONFIG_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "geoworkbench"


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings() -> Settings:
    """Read the settings; a missing or unreadable file gives the defaults."""
    path = settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in data.items() if k in known})


def save_settings(settings: Settings) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
