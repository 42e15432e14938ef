"""A real browser on the real pages: headless Chromium driven by Selenium,
against the session app served over HTTP from a thread on 127.0.0.1.

Nothing is downloaded: chromedriver is Debian's (`make test` installs the
chromium and chromium-driver packages when it runs as root), and Selenium
Manager is switched off. Without them the tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# This suite's ports: the app on the first half, chromedriver on the second.
APP_PORTS = range(8100, 8150)
DRIVER_PORTS = range(8150, 8200)
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output" / "browser"
DESKTOP = (1100, 1300)


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return (
                f"{path} is missing: install the Debian packages chromium and "
                "chromium-driver (`make test` does so when run as root)"
            )
    return None


def _free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


@pytest.fixture(scope="session")
def live_url(app):
    """The session app over real HTTP, stopped even when tests fail."""
    from werkzeug.serving import make_server

    server = None
    for port in APP_PORTS:
        try:
            server = make_server("127.0.0.1", port, app, threaded=True)
            break
        except (OSError, SystemExit):  # werkzeug exits when the port is taken
            continue
    if server is None:
        pytest.fail(f"no free port in {APP_PORTS.start}-{APP_PORTS.stop - 1}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def desktop_size() -> tuple[int, int]:
    return DESKTOP


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    os.environ.setdefault("SE_OFFLINE", "1")  # Selenium Manager must never download
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-dev-shm-usage",
        "--remote-debugging-pipe",  # no DevTools port outside our range
        f"--user-data-dir={profile}",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(arg)
    service = Service(CHROMEDRIVER, port=_free_port(DRIVER_PORTS))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(120)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
