"""A real Scrapyd for tests: started in a temporary folder on a free 127.0.0.1 port, with
basic auth (operator / s3cret), stopped after the module's tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from operations.scrapyd import Scrapyd, ScrapydError
from tests.services import unavailable


@dataclass
class RunningScrapyd:
    server: Scrapyd
    folder: Path
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(server: Scrapyd) -> bool:
    try:
        server.status()
    except ScrapydError:
        return False
    return True


@pytest.fixture(scope="module")
def scrapyd_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningScrapyd]:
    binary = Path(sys.executable).with_name("scrapyd")
    if not binary.exists() and shutil.which("scrapyd") is None:
        unavailable("scrapyd is not installed: `.venv/bin/pip install scrapyd`")
    folder = tmp_path_factory.mktemp("scrapyd")
    port = _free_port()
    (folder / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\nusername = operator\npassword = s3cret\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\npoll_interval = 0.5\n"
    )
    log = open(folder / "scrapyd.log", "wb")
    process = subprocess.Popen([str(binary if binary.exists() else "scrapyd")], cwd=folder, stdout=log, stderr=log)
    server = Scrapyd.from_url(f"http://operator:s3cret@127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 15
        while not _answers(server):
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable(f"scrapyd did not start: see {folder / 'scrapyd.log'}")
            time.sleep(0.25)
        yield RunningScrapyd(server, folder, process)
    finally:
        process.terminate()
        process.wait(20)
        log.close()
