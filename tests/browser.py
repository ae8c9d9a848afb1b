"""A real browser and a live server for the web tests and the docs/ui screenshots:
Debian's chromium, headless, through chromium-driver (never a downloaded browser)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from tests.services import unavailable
from web.app import WebConfig, create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1280,1000")


def chromium_driver():  # -> selenium WebDriver
    """Headless chromium from the system packages; skips (or fails, when required) without them."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        unavailable("chromium and chromium-driver not installed: "
                    "apt-get install -y chromium chromium-driver fonts-wqy-zenhei")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


class LiveServer:
    """The app served by uvicorn on a free 127.0.0.1 port in a thread."""

    def __init__(self, config: WebConfig) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY: see cli.serve._listen
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()
