"""A job's state in Redis: its counts, results and status, changed only by atomic scripts.

Keys of job `ID` (all expire `READOUT_JOB_TTL_S` after the job's last change)::

    readout:job:ID            hash: owner, total, status, done, failed, skipped, token sums,
                              callback_url, created_at, started_at, completed_at, webhook
    readout:job:ID:results    hash: article index -> its result (JSON)
    readout:job:ID:skipped    set: indexes cancelled before they started
    readout:jobs:STATUS       sorted set per status: job ids, scored by expiry (for counts)

An article is settled once, by a result or a skip; the job completes when every article is
settled. Each script is idempotent, so an article that a dead worker held can be run again:
a second result for the same index is ignored, and the completion is recorded once.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from redis import Redis

from schemas.contract import Usage

Status = Literal["queued", "running", "done", "cancelled"]
STATUSES: tuple[Status, ...] = ("queued", "running", "done", "cancelled")
PREFIX = "readout:job:"

# Helpers shared by the scripts. KEYS: meta, results, skipped, then one sorted set per status
# (queued, running, done, cancelled). ARGV: job id, now, ttl, then the script's own.
_LUA_HELPERS = """
local Z = {queued=KEYS[4], running=KEYS[5], done=KEYS[6], cancelled=KEYS[7]}
local id, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local function set_status(new)
  local old = redis.call('HGET', KEYS[1], 'status')
  if old == new then return end
  redis.call('ZREM', Z[old], id)
  redis.call('ZADD', Z[new], now + ttl, id)
  redis.call('HSET', KEYS[1], 'status', new)
end
local function touch()
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
  local status = redis.call('HGET', KEYS[1], 'status')
  redis.call('ZADD', Z[status], 'XX', now + ttl, id)
end
local function settle_check()
  local m = redis.call('HMGET', KEYS[1], 'total', 'done', 'skipped', 'completed_at',
                       'callback_url', 'webhook', 'status')
  local settled = tonumber(m[2] or '0') + tonumber(m[3] or '0')
  if settled >= tonumber(m[1]) and not m[4] then
    redis.call('HSET', KEYS[1], 'completed_at', ARGV[2])
    if m[7] ~= 'cancelled' then set_status('done') end
    m[4] = ARGV[2]
  end
  if m[4] and m[5] and m[5] ~= '' and not m[6] then return 1 end
  return 0
end
"""

# ARGV[4]: the article's index. Returns {what to do, whether the webhook is due}.
_BEGIN = (
    _LUA_HELPERS
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'gone', 0} end
local index = ARGV[4]
if redis.call('HEXISTS', KEYS[2], index) == 1 or redis.call('SISMEMBER', KEYS[3], index) == 1 then
  return {'settled', settle_check()}
end
if status == 'cancelled' then
  redis.call('SADD', KEYS[3], index)
  redis.call('HINCRBY', KEYS[1], 'skipped', 1)
  touch()
  return {'skipped', settle_check()}
end
if status == 'queued' then
  set_status('running')
  redis.call('HSET', KEYS[1], 'started_at', ARGV[2])
end
touch()
return {'run', 0}
"""
)

# ARGV[4..8]: index, result JSON, failed (0 or 1), prompt tokens, completion tokens.
_FINISH = (
    _LUA_HELPERS
    + """
if not redis.call('HGET', KEYS[1], 'status') then return {'gone', 0} end
if redis.call('HSETNX', KEYS[2], ARGV[4], ARGV[5]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'done', 1)
  if ARGV[6] == '1' then redis.call('HINCRBY', KEYS[1], 'failed', 1) end
  redis.call('HINCRBY', KEYS[1], 'prompt_tokens', ARGV[7])
  redis.call('HINCRBY', KEYS[1], 'completion_tokens', ARGV[8])
  redis.call('HINCRBY', KEYS[1], 'total_tokens', tonumber(ARGV[7]) + tonumber(ARGV[8]))
end
touch()
return {'finished', settle_check()}
"""
)

_CANCEL = (
    _LUA_HELPERS
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'gone', 0} end
if status == 'queued' or status == 'running' then
  set_status('cancelled')
  redis.call('HSET', KEYS[1], 'cancelled_at', ARGV[2])
end
touch()
return {redis.call('HGET', KEYS[1], 'status'), settle_check()}
"""
)


def new_job_id() -> str:
    """A job id nobody can guess."""
    return uuid.uuid4().hex


def status_key(status: Status) -> str:
    """The sorted set of the ids of jobs in `status`."""
    return f"readout:jobs:{status}"


@dataclass(slots=True)
class JobView:
    """What `GET /v1/jobs/{id}` shows of a job."""

    id: str
    owner: str
    status: Status
    total: int
    done: int
    failed: int
    cancelled: int
    usage: Usage
    callback_url: str | None
    results: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The job without its results (the webhook's body, the 202 body's superset)."""
        return {
            "id": self.id,
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "usage": self.usage.model_dump(),
        }


class JobRecords:
    """Reads and changes job records in one Redis."""

    def __init__(self, redis: Redis, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._begin = redis.register_script(_BEGIN)
        self._finish = redis.register_script(_FINISH)
        self._cancel = redis.register_script(_CANCEL)

    @staticmethod
    def _keys(job_id: str) -> list[str]:
        meta = PREFIX + job_id
        return [meta, meta + ":results", meta + ":skipped", *map(status_key, STATUSES)]

    def _argv(self, job_id: str, *extra: str | int) -> list[str | int]:
        return [job_id, f"{time.time():.3f}", self.ttl_s, *extra]

    def create(self, job_id: str, owner: str, total: int, callback_url: str | None) -> None:
        """Record a new queued job (before its articles are enqueued)."""
        meta = PREFIX + job_id
        now = time.time()
        with self.redis.pipeline() as pipe:
            pipe.hset(
                meta,
                mapping={
                    "owner": owner,
                    "total": total,
                    "status": "queued",
                    "done": 0,
                    "failed": 0,
                    "skipped": 0,
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "total_tokens": 0,
                    "callback_url": callback_url or "",
                    "created_at": f"{now:.3f}",
                },
            )
            pipe.expire(meta, self.ttl_s)
            pipe.zadd(status_key("queued"), {job_id: now + self.ttl_s})
            pipe.execute()

    def begin(self, job_id: str, index: int) -> tuple[str, bool]:
        """Before running an article: `run`, `settled` (done before), `skipped` or `gone`;
        and whether the job's webhook is now due."""
        what, due = self._begin(keys=self._keys(job_id), args=self._argv(job_id, index))
        return _text(what), bool(due)

    def finish(
        self, job_id: str, index: int, result: dict[str, Any], usage: Usage
    ) -> tuple[str, bool]:
        """Record an article's result (once): `finished` or `gone`, and whether a webhook is due."""
        failed = 0 if result["status"] == 200 else 1
        args = self._argv(
            job_id,
            index,
            json.dumps(result, ensure_ascii=False),
            failed,
            usage.prompt_tokens,
            usage.completion_tokens,
        )
        what, due = self._finish(keys=self._keys(job_id), args=args)
        return _text(what), bool(due)

    def cancel(self, job_id: str) -> tuple[str, bool]:
        """Cancel the articles not yet started: the status after, and whether a webhook is due."""
        status, due = self._cancel(keys=self._keys(job_id), args=self._argv(job_id))
        return _text(status), bool(due)

    def mark_webhook(self, job_id: str, state: str) -> None:
        """Note the webhook's state (`queued`, `delivered`, `failed`)."""
        self.redis.hset(PREFIX + job_id, "webhook", state)

    def view(self, job_id: str, offset: int = 0, limit: int = 0) -> JobView | None:
        """The job with results `offset` to `offset + limit - 1` (by index); None if unknown."""
        meta: dict[bytes, bytes] = self.redis.hgetall(PREFIX + job_id)  # type: ignore[assignment]
        if not meta:
            return None
        m = {key.decode(): value.decode() for key, value in meta.items()}
        total = int(m["total"])
        results: list[dict[str, Any]] = []
        indexes = list(range(offset, min(total, offset + limit)))
        if indexes:
            raw: list[bytes | None] = self.redis.hmget(  # type: ignore[assignment]
                PREFIX + job_id + ":results", [str(i) for i in indexes]
            )
            results = [json.loads(item) for item in raw if item is not None]
        prompt, completion = int(m.get("prompt_tokens", 0)), int(m.get("completion_tokens", 0))
        return JobView(
            id=job_id,
            owner=m.get("owner", ""),
            status=m["status"],  # type: ignore[arg-type]
            total=total,
            done=int(m.get("done", 0)),
            failed=int(m.get("failed", 0)),
            cancelled=int(m.get("skipped", 0)),
            usage=Usage(
                prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
            ),
            callback_url=m.get("callback_url") or None,
            results=results,
        )

    def counts(self) -> dict[str, int]:
        """Live jobs by status (expired ones are dropped first)."""
        now = time.time()
        with self.redis.pipeline() as pipe:
            for status in STATUSES:
                pipe.zremrangebyscore(status_key(status), "-inf", now)
                pipe.zcard(status_key(status))
            replies = pipe.execute()
        return {status: int(replies[2 * i + 1]) for i, status in enumerate(STATUSES)}


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
