"""The docs pages work in real headless Chromium under their Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from tests.liveserver import LiveService
from tests.test_viewer_browser import browser, service  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow
# The API's description, as each page renders it from the OpenAPI document.
RENDERED = "Grounded summaries of news articles"
# What the bundles try to load from third parties (ReDoc's logo and telemetry, Scalar's fonts):
# the policy blocks it on purpose, so the pages stay offline.
_THIRD_PARTY = re.compile(r"'https://[^']+'|Fetch API cannot load https://")


@pytest.fixture
def logs(browser: WebDriver) -> Iterator[WebDriver]:  # noqa: F811
    """The browser, its console emptied before the test."""
    browser.get_log("browser")
    yield browser


@pytest.mark.parametrize("page", ["redoc", "swagger", "scalar"])
def test_a_docs_page_renders_with_no_policy_violation(
    page: str,
    logs: WebDriver,
    service: LiveService,  # noqa: F811
) -> None:
    logs.get(f"{service.url}/docs/{page}/")
    WebDriverWait(logs, 30).until(
        lambda d: RENDERED in (d.execute_script("return document.body.innerText") or "")
    )
    violations = [
        entry["message"]
        for entry in logs.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
    ]
    ours = [message for message in violations if not _THIRD_PARTY.search(message)]
    assert ours == []
