"""The public contract of the jobs API: many articles in one request, results read later."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.contract import Problem, SummaryRequest, SummaryResponse, Usage

JobState = Literal["queued", "running", "done", "cancelled"]


class JobRequest(BaseModel):
    """Articles to summarise in the background, and where to say when they are done."""

    model_config = ConfigDict(extra="forbid")

    articles: list[SummaryRequest] = Field(
        min_length=1,
        description="Each the request object of POST /v1/summaries; at most "
        "READOUT_JOB_MAX_ARTICLES (1,000 by default). One invalid article refuses the job.",
    )
    callback_url: str | None = Field(
        default=None,
        description="POSTed the job's summary, signed, when every article is done. Only "
        "public hosts (or hosts the operator allows); redirects are not followed.",
    )


class JobEnvelope(BaseModel):
    """The outer shape of a job request, checked before each article is."""

    model_config = ConfigDict(extra="forbid")

    articles: list[Any] = Field(min_length=1)
    callback_url: str | None = None


class JobCreated(BaseModel):
    """The 202 body of `POST /v1/jobs`."""

    id: str
    status: JobState
    total: int


class JobResult(BaseModel):
    """One article's answer: the status and body `POST /v1/summaries` would have given."""

    index: int = Field(description="The article's position in the request, from 0.")
    id: str | None = Field(description="The summary's id (the article's own, if it had one).")
    status: int
    body: SummaryResponse | Problem


class JobSummary(BaseModel):
    """A job's progress (the 202 body of `DELETE /v1/jobs/{id}`, the webhook's body)."""

    id: str
    status: JobState
    total: int
    done: int = Field(description="Articles answered (200 or a problem).")
    failed: int = Field(description="Articles answered with a problem.")
    cancelled: int = Field(description="Articles skipped because the job was cancelled first.")
    usage: Usage = Field(description="Tokens of every article answered so far, summed.")


class Job(JobSummary):
    """A job's progress and a page of its results (by article index)."""

    results: list[JobResult]
    offset: int
    limit: int
    next: str | None = Field(description="The next page of results, if there is one.")


class JobPage(BaseModel):
    """Which results to show."""

    model_config = ConfigDict(extra="forbid")

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=1000)
