"""``newsarchive replica``: run or describe the bundled replica sites.

The replicas let anyone try a crawl without touching a real site: ``--site people`` (the
default) is a js.people.com.cn channel whose size and variant are options; ``epaper``
serves a 新华日报 edition in each e-paper URL generation (and a 海南日报 one), ``xinhua``
a news.cn provincial channel, ``xhby`` 新华报业网. ``list`` shows what a people replica
with the given seed and size contains before crawling it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from crawler.replica.epaper import build_epaper_site
from crawler.replica.server import serve_forever
from crawler.replica.site import MIN_ARTICLES, ReplicaSite, build_site
from crawler.replica.variants import VARIANTS
from crawler.replica.xhby import build_xhby_site
from crawler.replica.xinhua import build_xinhua_site

#: Replicas of the other site families: name → builder of an object with ``pages`` and ``crawl_commands(base_url)``.
OTHER_SITES: dict[str, Callable[[], Any]] = {"epaper": build_epaper_site, "xinhua": build_xinhua_site, "xhby": build_xhby_site}


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
    if args.site == "people":
        site: Any = _site(args)

        def announce(base_url: str) -> None:
            print(f"Serving replica of {site.host} ({args.articles} articles) at {base_url}", flush=True)
            print(f"Start crawling at {base_url}{site.start_path}; press Ctrl-C to stop.", flush=True)
    else:
        site = OTHER_SITES[args.site]()

        def announce(base_url: str) -> None:
            print(f"Serving the {args.site} replica at {base_url}; crawl it with:", flush=True)
            for command in site.crawl_commands(base_url):
                print(f"  {command}", flush=True)
            print("Press Ctrl-C to stop.", flush=True)

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
    replica = subparsers.add_parser("replica", help="serve or describe the local replica news sites")
    commands = replica.add_subparsers(dest="replica_command", metavar="SUBCOMMAND", required=True)
    serve = commands.add_parser("serve", help="serve a replica over HTTP until Ctrl-C")
    serve.add_argument("--site", choices=["people", *OTHER_SITES], default="people",
                       help="which replica: people (default; sized by the options below), " + ", ".join(OTHER_SITES))
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8800, help="port to listen on, 0 for any free port (default: 8800)")
    _add_site_options(serve)
    serve.set_defaults(func=_serve)
    listing = commands.add_parser("list", help="print what the people replica contains")
    _add_site_options(listing)
    listing.set_defaults(func=_list)
