"""``newsarchive replica``: run or describe the bundled replica of js.people.com.cn.

The replica lets anyone try a crawl without touching a real site; ``list`` shows what a
replica with the given seed and size contains before crawling it.
"""

from __future__ import annotations

import argparse

from crawler.replica.server import serve_forever
from crawler.replica.site import MIN_ARTICLES, ReplicaSite, build_site
from crawler.replica.variants import VARIANTS


def _article_count(text: str) -> int:
    count = int(text)
    if count < MIN_ARTICLES:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_ARTICLES} so every special case fits")
    return count


def _add_site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=_article_count, default=240, metavar="N", help="number of articles (default: 240)")
    parser.add_argument("--seed", type=int, default=20200412, metavar="S", help="generator seed (default: 20200412)")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="normal", help="site variant (default: normal)")


def _site(args: argparse.Namespace) -> ReplicaSite:
    return build_site(args.seed, args.articles, variant=args.variant)


def _serve(args: argparse.Namespace) -> int:
    site = _site(args)

    def announce(base_url: str) -> None:
        print(f"Serving replica of {site.host} ({args.articles} articles) at {base_url}", flush=True)
        print(f"Start crawling at {base_url}{site.start_path}; press Ctrl-C to stop.", flush=True)

    try:
        serve_forever(site, args.host, args.port, on_ready=announce)
    except OSError as exc:
        print(f"Cannot listen on {args.host}:{args.port}: {exc.strerror}. Choose another --port.")
        return 1
    except KeyboardInterrupt:
        print("Stopped.")
    return 0


def _list(args: argparse.Namespace) -> int:
    site = _site(args)
    print(f"Replica of {site.host}, seed {site.seed}, variant {site.variant}")
    for name, value in site.summary().items():
        print(f"  {name:32} {value}")
    print(f"  {'start page':32} {site.start_path}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``replica serve`` and ``replica list``."""
    replica = subparsers.add_parser("replica", help="serve or describe the local replica news site")
    commands = replica.add_subparsers(dest="replica_command", metavar="SUBCOMMAND", required=True)
    serve = commands.add_parser("serve", help="serve the replica over HTTP until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8800, help="port to listen on, 0 for any free port (default: 8800)")
    _add_site_options(serve)
    serve.set_defaults(func=_serve)
    listing = commands.add_parser("list", help="print what the replica contains")
    _add_site_options(listing)
    listing.set_defaults(func=_list)
