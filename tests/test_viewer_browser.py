"""The viewer in real headless Chromium (Debian's chromium and chromium-driver, driven by
selenium) against the service under gunicorn with the rules engine.

The article has nested spans (a state inside an organisation's name inside a sentence of
evidence) and a character outside the BMP, so code-point offsets differ from JavaScript's.
The screenshot goes to test-artifacts/viewer.png.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.liveserver import ROOT, LiveService

ARTICLE = (Path(__file__).parent / "fixtures" / "articles" / "viewer-fisheries.txt").read_text(
    "utf-8"
)
PUBLISHED = "2026-05-14"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1100",
]

Piece = tuple[int, int, tuple[str, ...]]


def chromium() -> tuple[str, str]:
    """Debian's chromium and its driver (scripts/test installs them as root)."""
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or driver is None:
        missing = "chromium and chromium-driver are not installed (scripts/test installs them)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    return browser, driver


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """The service under gunicorn, answering with the rules engine."""
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with LiveService({"READOUT_ENGINE": "rules"}, log) as live:
        yield live


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile; the browser and its driver are stopped by PID."""
    binary, driver_path = chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = Options()
    options.binary_location = binary
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_service = Service(executable_path=driver_path, log_output=str(profile / "driver.log"))
    driver = webdriver.Chrome(options=options, service=driver_service)
    browser_pid = int(driver.capabilities.get("goog:processID") or 0)
    try:
        yield driver
    finally:
        driver.quit()
        driver_service.stop()
        for pid in (browser_pid, driver_service.process.pid if driver_service.process else 0):
            if pid and Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)


def expected_answer(service: LiveService) -> dict[str, Any]:
    response = httpx.post(
        f"{service.url}/v1/summaries",
        json={"text": ARTICLE, "published_at": PUBLISHED, "engine": "rules"},
        timeout=30,
    )
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def distinct_spans(answer: dict[str, Any]) -> dict[tuple[int, int], set[str]]:
    """Every distinct (start, end) of the answer, with the ids of the items it belongs to."""
    spans: dict[tuple[int, int], set[str]] = {}
    tagged = [(m, a["id"]) for a in answer["actors"] for m in a["mentions"]]
    tagged += [(e, c["id"]) for c in answer["calls"] for e in c["evidence"]]
    tagged += [(e, k["id"]) for k in answer["claims"] for e in k["evidence"]]
    tagged += [(k["quote_span"], k["id"]) for k in answer["claims"] if k["quote_span"]]
    for span, item in tagged:
        spans.setdefault((span["start"], span["end"]), set()).add(item)
    return spans


def pieces(spans: dict[tuple[int, int], set[str]]) -> list[Piece]:
    """The text cut at every span boundary, keeping the pieces some span covers."""
    cuts = sorted({offset for span in spans for offset in span})
    found = []
    for start, end in itertools.pairwise(cuts):
        ids = {i for (s, e), items in spans.items() if s <= start and end <= e for i in items}
        if ids:
            found.append((start, end, tuple(sorted(ids))))
    return found


def marks(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#article mark")


def as_piece(mark: WebElement) -> Piece:
    items = mark.get_attribute("data-items") or ""
    return (
        int(mark.get_attribute("data-start") or -1),
        int(mark.get_attribute("data-end") or -1),
        tuple(sorted(items.split())),
    )


def selected_items(driver: WebDriver) -> list[str]:
    buttons = driver.find_elements(By.CSS_SELECTOR, ".items button.selected")
    return [b.get_attribute("data-item") or "" for b in buttons]


def wait_for(driver: WebDriver, state: str) -> None:
    WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == state
    )


def severe_console_messages(driver: WebDriver) -> list[str]:
    logs: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return [entry["message"] for entry in logs if entry["level"] == "SEVERE"]


def submit_article(driver: WebDriver, service: LiveService) -> None:
    driver.get(f"{service.url}/viewer")
    wait_for(driver, "ready")
    textarea = driver.find_element(By.ID, "text")
    # ChromeDriver cannot type characters outside the BMP; a paste sets the value the same way.
    driver.execute_script("arguments[0].value = arguments[1];", textarea, ARTICLE)
    driver.find_element(By.ID, "published_at").send_keys(PUBLISHED)
    Select(driver.find_element(By.ID, "engine")).select_by_value("rules")
    driver.find_element(By.ID, "submit").click()
    wait_for(driver, "done")


def test_every_span_is_highlighted_with_its_offsets_and_items(
    browser: WebDriver, service: LiveService
) -> None:
    answer = expected_answer(service)
    spans = distinct_spans(answer)
    expected = pieces(spans)
    assert any(a != b and a[0] < b[1] and b[0] < a[1] for a in spans for b in spans)

    submit_article(browser, service)
    found = marks(browser)
    assert browser.find_element(By.ID, "meta").text.startswith("answered by rules")

    assert [as_piece(mark) for mark in found] == expected
    for mark in found:
        start, end, _ = as_piece(mark)
        assert mark.get_attribute("textContent") == ARTICLE[start:end]
    covered = {key for mark in found for key in (mark.get_attribute("data-spans") or "").split()}
    assert covered == {f"{start}-{end}" for start, end in spans}
    assert browser.find_element(By.ID, "article").get_attribute("textContent") == ARTICLE
    assert severe_console_messages(browser) == []


def test_clicking_an_actor_selects_its_mentions_and_a_highlight_selects_its_items(
    browser: WebDriver, service: LiveService
) -> None:
    submit_article(browser, service)
    expected = pieces(distinct_spans(expected_answer(service)))

    browser.find_element(By.CSS_SELECTOR, '#actors button[data-item="A4"]').click()

    assert selected_items(browser) == ["A4"]
    chosen = [as_piece(m) for m in marks(browser) if "selected" in (m.get_attribute("class") or "")]
    assert chosen == [piece for piece in expected if "A4" in piece[2]]
    assert browser.find_elements(By.CSS_SELECTOR, '#graph .node.selected[data-item="A4"]')

    evidence = next(m for m in marks(browser) if "C1" in (m.get_attribute("data-items") or ""))
    evidence.click()
    assert selected_items(browser) == list(as_piece(evidence)[2])


def test_the_graph_claims_and_set_aside_items_are_shown(
    browser: WebDriver, service: LiveService
) -> None:
    submit_article(browser, service)
    answer = expected_answer(service)

    nodes = browser.find_elements(By.CSS_SELECTOR, "#graph g.node")
    edges = browser.find_elements(By.CSS_SELECTOR, "#graph g.edge")
    assert {n.get_attribute("data-item") for n in nodes} == {
        actor for call in answer["calls"] for actor in call["participants"]
    }
    assert {e.get_attribute("data-item") for e in edges} == {c["id"] for c in answer["calls"]}
    claims = browser.find_element(By.ID, "claims").text
    assert "accusation · evidence unsupported · disputed by Portugal" in claims
    assert browser.find_element(By.ID, "rejected").text == "nothing"

    browser.find_element(By.CSS_SELECTOR, '#actors button[data-item="A4"]').click()
    ARTIFACTS.mkdir(exist_ok=True)
    browser.set_window_size(1400, 1700)
    browser.execute_script("window.scrollTo(0, 0);")
    try:
        assert browser.save_screenshot(str(ARTIFACTS / "viewer.png"))
    finally:
        browser.set_window_size(1400, 1100)


def test_a_saved_answer_opens_without_the_service(
    browser: WebDriver, service: LiveService, tmp_path: Path
) -> None:
    answer = expected_answer(service) | {"text": ARTICLE}
    reason = "its claimant is not named in the sentences it cites"
    answer["meta"]["rejected"] = [{"kind": "claim", "ref": "K9", "reason": reason}]
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(answer), "utf-8")
    browser.get(f"{service.url}/viewer")
    wait_for(browser, "ready")

    browser.find_element(By.ID, "open").send_keys(str(saved))
    wait_for(browser, "done")

    assert [as_piece(m) for m in marks(browser)] == pieces(distinct_spans(answer))
    assert browser.find_element(By.ID, "text").get_attribute("value") == ARTICLE
    assert browser.find_element(By.ID, "rejected").text == f"claim K9 {reason}"
    assert browser.find_element(By.ID, "rejected-count").text == "(1)"


def test_a_pasted_web_page_is_shown_as_its_extracted_text(
    browser: WebDriver, service: LiveService
) -> None:
    page = (Path(__file__).parent / "fixtures" / "pages" / "news-page.html").read_text("utf-8")
    response = httpx.post(f"{service.url}/v1/summaries", json={"html": page}, timeout=30)
    answer = response.json()
    browser.get(f"{service.url}/viewer")
    wait_for(browser, "ready")
    textarea = browser.find_element(By.ID, "text")
    browser.execute_script("arguments[0].value = arguments[1];", textarea, page)
    Select(browser.find_element(By.ID, "kind")).select_by_value("html")

    browser.find_element(By.ID, "submit").click()
    wait_for(browser, "done")

    assert browser.find_element(By.ID, "article").get_attribute("textContent") == answer["text"]
    found = marks(browser)
    assert [as_piece(m) for m in found] == pieces(distinct_spans(answer))
    for mark in found:
        start, end, _ = as_piece(mark)
        assert mark.get_attribute("textContent") == answer["text"][start:end]
