"""`newsarchive demo` — the README's main job — crawls the replica and checks it against its ground truth."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from tests.conftest import REPO, run_cli


def test_demo_archives_every_replica_article_and_says_so(tmp_path: Path) -> None:
    result = run_cli("--db", f"sqlite:///{tmp_path / 'archive.db'}", "demo", "--port", "0", timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "replica articles archived  240 of 240" in result.stdout
    assert "Traditional mirrors linked 12 of 12" in result.stdout
    *_, verdict, browse = result.stdout.rstrip().splitlines()
    assert verdict == "demo OK: every replica article archived once"
    assert browse.startswith(f"browse it: newsarchive --db sqlite:///{tmp_path / 'archive.db'} serve")


def test_demo_on_a_busy_port_says_how_to_pick_another(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("--db", f"sqlite:///{tmp_path / 'archive.db'}", "demo", "--port", str(port), timeout=120)
    assert result.returncode == 2
    assert "--port" in result.stderr and str(port) in result.stderr


def test_make_demo_passes_demo_port_to_the_demo() -> None:
    def planned(*variables: str) -> str:
        return subprocess.run(["make", "-n", "-W", "pyproject.toml", "-o", ".venv/.installed", "demo", *variables],
                              cwd=REPO, capture_output=True, text=True, timeout=60, check=True).stdout

    assert "newsarchive demo --port 8801" in planned("DEMO_PORT=8801")
    assert "newsarchive demo --port 8800" in planned()  # the default keeps the archive's URLs stable
