"""`newsarchive serve`: password hashing, refusing unusable password files, the warning
for a public address, and a real server answering on a free port."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from cli.serve import _listen
from tests.conftest import run_cli
from tests.services import REPO
from web.auth import hash_password, verify_password


def test_hash_password_prints_a_hash_that_verifies_the_password():
    result = subprocess.run([sys.executable, "-m", "cli.main", "serve", "--hash-password"], cwd=REPO,
                            input="s3cret\n", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert verify_password("s3cret", result.stdout.strip()) and "s3cret" not in result.stdout


def test_an_empty_password_file_is_refused_with_the_fix(tmp_path: Path):
    empty = tmp_path / "password"
    empty.write_text("\n")
    result = run_cli("--db", f"sqlite:///{tmp_path / 'a.db'}", "serve", "--operator-password-file", str(empty))
    assert result.returncode == 2 and "is empty" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_on_loopback_and_warns_about_a_public_address_without_a_password(tmp_path: Path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--db", f"sqlite:///{tmp_path / 'a.db'}", "serve", "--host", "0.0.0.0",
         "--port", str(port)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ})
    try:
        deadline, response = time.monotonic() + 60, None
        while time.monotonic() < deadline and response is None:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/search", timeout=2)
            except requests.ConnectionError:
                time.sleep(0.2)
        assert response is not None and response.status_code == 200 and response.json()["total"] == 0
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert "warning: --host 0.0.0.0" in stderr and "--operator-password-file" in stderr


def test_a_public_address_with_operator_auth_does_not_warn_and_a_taken_port_is_one_clear_line(tmp_path: Path):
    password = tmp_path / "operator.pw"
    password.write_text(f"{hash_password('s3cret')}\n")
    password.chmod(0o600)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--db", f"sqlite:///{tmp_path / 'a.db'}", "serve", "--host", "0.0.0.0", "--port", str(port),
                         "--operator-password-file", str(password))
    assert result.returncode == 2 and f"cannot listen on 0.0.0.0:{port}" in result.stderr
    assert "warning" not in result.stderr


def test_connections_the_server_accepts_send_small_writes_at_once_without_waiting_for_acks():
    """Each kept-alive request after the first waited ~40 ms when the listening socket did
    not say TCP: asyncio then leaves Nagle's algorithm on for accepted connections."""
    seen: list[int] = []

    class Report(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        listening = _listen("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Report, sock=listening)
        _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(accept_one())
    assert seen and seen[0] != 0
