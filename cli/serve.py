"""``newsarchive serve``: the web interface on the archive (search, articles, captures;
schedules and jobs for operators). ``--hash-password`` prints a hash for the operator
password file instead of serving."""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from pathlib import Path

from crawler.spiders.base import is_loopback
from operations.crawl import CrawlFailed, prepare_archive
from web.auth import PasswordFileError, hash_password, load_password_file

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Where ``newsarchive scheduler`` writes each crawl's output by default (its ``--log-dir``).
DEFAULT_LOG_DIR = "data/logs"


def command(args: argparse.Namespace) -> int:
    if args.hash_password:
        password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("operator password: ")
        if not password:
            print("newsarchive serve: an empty password cannot be hashed", file=sys.stderr)
            return 2
        print(hash_password(password))
        return 0
    operator_hash = None
    if args.operator_password_file:
        try:
            operator_hash, warnings = load_password_file(Path(args.operator_password_file))
        except PasswordFileError as exc:
            print(f"newsarchive serve: {exc}", file=sys.stderr)
            return 2
        for warning in warnings:
            print(f"newsarchive serve: warning: {warning}", file=sys.stderr)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    if not is_loopback(f"http://{shown}/") and operator_hash is None:
        print(f"newsarchive serve: warning: --host {args.host} makes the archive readable from other machines and "
              "operator pages stay off; set --operator-password-file to operate crawls, and put TLS in front",
              file=sys.stderr)
    try:
        url = prepare_archive(args.db)
    except CrawlFailed as exc:
        print(f"newsarchive serve: {exc}", file=sys.stderr)
        return 2
    try:
        listening = _listen(args.host, args.port)
    except OSError as exc:
        print(f"newsarchive serve: cannot listen on {args.host}:{args.port} ({exc.strerror}): "
              "pick another with --port", file=sys.stderr)
        return 2
    import uvicorn

    from web.app import WebConfig, create_app

    log_dirs = tuple(Path(folder) for folder in args.job_log_dir or [DEFAULT_LOG_DIR])
    app = create_app(WebConfig(db_url=url, operator_hash=operator_hash, log_dirs=log_dirs))
    print(f"serving the archive {url} at http://{shown}:{args.port}/ "
          f"(operator pages {'on' if operator_hash else 'off: --operator-password-file FILE turns them on'}); "
          "Ctrl-C stops", flush=True)
    config = uvicorn.Config(app, log_level="warning", server_header=False)
    with listening:
        uvicorn.Server(config).run(sockets=[listening])
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound here so a taken port or a bad address is one clear
    line and status 2 (uvicorn would log it and exit 3).

    Created as an explicit TCP socket: connections accepted from it inherit its protocol
    number, and asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on sockets
    that say TCP; with the default 0, every request after the first on a kept-alive
    connection waited ~40 ms for the browser's delayed ACK (uvicorn issue 3149)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
    except OSError:
        listening.close()
        raise
    return listening


def serve_command(db: str | None = None, port: int = DEFAULT_PORT) -> str:
    """The command line that opens an archive in the browser (``make demo`` prints it),
    naming the program as it was started (``.venv/bin/newsarchive`` under make)."""
    program = sys.argv[0] if Path(sys.argv[0]).name == "newsarchive" else "newsarchive"
    return f"{program}{f' --db {db}' if db else ''} serve{f' --port {port}' if port != DEFAULT_PORT else ''}"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="browse and search the archive, operate crawls, in a web browser")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--operator-password-file", metavar="FILE",
                        help="file holding the operator password's hash (or the password); turns operator pages on")
    parser.add_argument("--job-log-dir", metavar="DIR", action="append",
                        help="folder holding jobs' logs, shown to operators: the scheduler's --log-dir "
                             f"(default {DEFAULT_LOG_DIR}) or Scrapyd's logs_dir/PROJECT; repeat for several")
    parser.add_argument("--hash-password", action="store_true",
                        help="read a password (prompt or stdin), print its hash for --operator-password-file, and exit")
    parser.set_defaults(func=command)
