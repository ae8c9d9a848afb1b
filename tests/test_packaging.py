"""The installed command works outside the source tree, with its data files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_installed_command_finds_its_spiders_and_site_tables_from_any_folder(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "newsarchive"
    listed = subprocess.run([str(command), "crawl", "--list"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert {"people", "epaper", "generic"} <= set(listed.stdout.split())
    # the channel table is package data: an unknown channel is answered from it, before any fetch
    unknown = subprocess.run(
        [str(command), "--db", f"sqlite:///{tmp_path / 'a.db'}", "crawl", "people", "-a", "channel=atlantis"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert unknown.returncode == 2
    assert "use one of:" in unknown.stderr and "js" in unknown.stderr
