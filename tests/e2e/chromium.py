"""Upstream: (entry point: pytest, imported by the browser tests)
Downstream: (none)
Role: headless Chromium for the browser tests (Debian's chromium and chromedriver, driven by selenium): the browser fixture, logging in through the admin form, and screenshots the test's log names."""

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1440, 2200
WAIT_SECONDS = 20


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    yield driver
    driver.quit()


def log_in(browser: WebDriver, url: str, username: str, password: str) -> None:
    """Open ``url``, which sends a visitor to the admin's login form, and log in there."""
    browser.get(url)
    assert "/admin/login/" in browser.current_url
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()


def wait_for(browser: WebDriver, selector: str) -> None:
    """Wait until an element matches the CSS ``selector``."""
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))


def screenshot(browser: WebDriver, path: Path, *, full_page: bool = False) -> Path:
    """Save what the browser shows as a PNG (``full_page``: the whole page's height) and
    name it in the test's log."""
    if full_page:
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(WIDTH, height)
    browser.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])
