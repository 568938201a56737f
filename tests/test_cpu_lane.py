"""CPU-bound work runs beside the request loop, within a budget that ends in a clear problem."""

from __future__ import annotations

import threading
import time

import pytest

from schemas.article import SegmentedArticle
from schemas.contract import SummaryRequest
from service import create_app
from service.config import Settings
from service.errors import BudgetExceeded
from service.pipeline.engine import Deadline, EngineResult
from service.pipeline.lane import LONG_ARTICLE, SMALL_ARTICLE, CpuLane

PROBLEM = "urn:readout:problem:"


def _spin(seconds: float, progress: list[int]) -> str:
    """Pure-Python work for `seconds`, counting its steps."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        progress[0] += 1
    return "done"


def test_the_lane_returns_the_result_from_another_thread() -> None:
    lane = CpuLane(5.0)
    assert lane.run(threading.get_ident, lane.deadline(), chars=10) != threading.get_ident()


def test_an_error_in_the_job_reaches_the_caller() -> None:
    lane = CpuLane(5.0)

    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        lane.run(fail, lane.deadline(), chars=10)


def test_a_job_over_budget_ends_at_once_and_is_stopped() -> None:
    lane = CpuLane(0.3)
    progress = [0]
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as raised:
        lane.run(lambda: _spin(30, progress), lane.deadline(), chars=10)
    assert time.monotonic() - started < 0.8
    assert raised.value.status == 503
    time.sleep(0.2)
    stopped_at = progress[0]
    time.sleep(0.3)
    assert progress[0] == stopped_at, "the job kept running after its budget"
    # The thread is free again for the next job.
    assert lane.run(lambda: "next", lane.deadline(), chars=10) == "next"


def test_a_long_article_does_not_hold_up_an_ordinary_one() -> None:
    lane = CpuLane(10.0)
    progress = [0]
    long_job = threading.Thread(
        target=lane.run,
        args=(lambda: _spin(2.0, progress), lane.deadline()),
        kwargs={"chars": LONG_ARTICLE + 1},
    )
    long_job.start()
    time.sleep(0.1)
    started = time.monotonic()
    assert lane.run(lambda: "short", lane.deadline(), chars=5_000) == "short"
    assert time.monotonic() - started < 1.0
    long_job.join()


def test_a_job_that_waited_past_its_budget_never_starts() -> None:
    lane = CpuLane(10.0)
    started: list[bool] = []
    blocker = threading.Thread(
        target=lane.run, args=(lambda: _spin(1.0, [0]), lane.deadline()), kwargs={"chars": 10}
    )
    blocker.start()
    time.sleep(0.1)
    with pytest.raises(BudgetExceeded):
        lane.run(lambda: started.append(True), time.monotonic() + 0.2, chars=10)
    blocker.join()
    time.sleep(0.1)
    assert started == []


class _SlowRules:
    """A stand-in engine whose extraction never ends on its own."""

    name = "rules"

    def extract(
        self, article: SegmentedArticle, request: SummaryRequest, deadline: Deadline
    ) -> EngineResult:
        _spin(60, [0])
        raise AssertionError("unreachable")


def test_a_request_over_the_budget_gets_a_503_problem_and_the_service_stays_up() -> None:
    settings = Settings(engine="rules", cpu_budget_s=0.5)
    app = create_app(settings, engines={"rules": _SlowRules()})
    client = app.test_client()
    started = time.monotonic()
    response = client.post("/v1/summaries", json={"text": "Ministers met on Monday."})
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    body = response.get_json()
    assert body["type"] == PROBLEM + "processing-budget-exceeded"
    assert "READOUT_CPU_BUDGET_S" in body["detail"]
    assert "Retry-After" not in response.headers
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(("size", "in_lane"), [(SMALL_ARTICLE, False), (SMALL_ARTICLE + 1, True)])
def test_only_an_article_over_the_small_size_is_segmented_in_the_lane(
    size: int, in_lane: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.pipeline.segment import Segmenter

    threads: list[int] = []
    segment = Segmenter.segment

    def recording(self: Segmenter, text: str, published_at: object = None) -> SegmentedArticle:
        threads.append(threading.get_ident())
        return segment(self, text, published_at)  # type: ignore[arg-type]

    monkeypatch.setattr(Segmenter, "segment", recording)
    # No result cache: an answer stored by an earlier run would skip the segmenting watched here.
    app = create_app(Settings(engine="rules", cpu_budget_s=30, cache=False))
    sentence = "The two ministers met in Valmora on Monday. "
    text = (sentence * (size // len(sentence) + 1))[:size]
    response = app.test_client().post("/v1/summaries", json={"text": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert threads and (threads[0] != threading.get_ident()) is in_lane
