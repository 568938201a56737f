"""The RQ queues on Redis, and what the API does with jobs: submit, read, cancel, count.

Each article is its own RQ job (`service.jobs.tasks.run_article`, id `JOB-INDEX`), so workers
on any number of machines share the articles of one job, a cancelled job's waiting articles
are skipped one by one, and an article that a killed worker held is found by RQ's registry
maintenance (its heartbeat expired) and run again (`Retry`). Arguments travel as JSON, never
pickle: whoever can write to Redis must not be able to run code in a worker.
"""

from __future__ import annotations

import math
from typing import Any

from redis import Redis
from rq import Callback, Queue, Retry
from rq.serializers import JSONSerializer

from service.config import Settings
from service.jobs.records import JobRecords, JobView, new_job_id

# One queue: with a single queue RQ dequeues with BLMOVE into an intermediate list, so an
# article taken by a worker that dies before starting it is found again (a pop from several
# queues could lose it). Webhook deliveries go to its front.
QUEUE = "readout"
# An article's RQ timeout: the request deadline plus time for segmenting, grounding, writing.
ARTICLE_MARGIN_S = 15
# Runs of an article beyond the first when its worker died or it raised outside the pipeline.
ARTICLE_RETRIES = 2


def article_timeout(settings: Settings) -> int:
    """Seconds an article's RQ job may run before RQ stops it."""
    return math.ceil(settings.timeout_s) + ARTICLE_MARGIN_S


def queue(redis: Redis) -> Queue:
    """The jobs' RQ queue on `redis`."""
    return Queue(QUEUE, connection=redis, serializer=JSONSerializer)


class JobQueue:
    """Jobs on one Redis, for the API."""

    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.records = JobRecords(redis, settings.job_ttl_s)
        self.articles = queue(redis)

    def submit(self, owner: str, articles: list[dict[str, Any]], callback_url: str | None) -> str:
        """Record a job and enqueue one RQ job per article; the job's id."""
        job_id = new_job_id()
        self.records.create(job_id, owner, len(articles), callback_url)
        ttl = self.settings.job_ttl_s
        datas = [
            Queue.prepare_data(
                "service.jobs.tasks.run_article",
                args=(job_id, index, article),
                job_id=f"{job_id}-{index}",
                description=f"job {job_id} article {index}",
                timeout=article_timeout(self.settings),
                result_ttl=0,
                ttl=ttl,
                failure_ttl=ttl,
                retry=Retry(max=ARTICLE_RETRIES),
                on_failure=Callback("service.jobs.tasks.article_failed"),
            )
            for index, article in enumerate(articles)
        ]
        with self.redis.pipeline() as pipe:
            self.articles.enqueue_many(datas, pipeline=pipe)
            pipe.execute()
        return job_id

    def view(self, job_id: str, offset: int = 0, limit: int = 0) -> JobView | None:
        """The job and a page of its results, or None."""
        return self.records.view(job_id, offset, limit)

    def cancel(self, job_id: str) -> None:
        """Cancel the job's articles not yet started (idempotent)."""
        _status, webhook_due = self.records.cancel(job_id)
        if webhook_due:
            enqueue_webhook(self.redis, job_id)

    def stats(self) -> dict[str, Any]:
        """Jobs by status and articles waiting in the queue (for metrics)."""
        return {"jobs": self.records.counts(), "queue_depth": self.articles.count}


def enqueue_webhook(redis: Redis, job_id: str) -> None:
    """Queue the delivery of a completed job's webhook."""
    queue(redis).enqueue_call(
        "service.jobs.tasks.deliver_webhook",
        args=(job_id,),
        job_id=f"webhook-{job_id}",
        description=f"webhook of job {job_id}",
        result_ttl=0,
        retry=Retry(max=ARTICLE_RETRIES),
        at_front=True,
    )
    JobRecords(redis, 0).mark_webhook(job_id, "queued")


def stats(redis: Redis, settings: Settings) -> dict[str, Any]:
    """Jobs by status and queue depth, for whoever exports metrics."""
    return JobQueue(redis, settings).stats()
