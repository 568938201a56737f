"""`Idempotency-Key` records (IETF httpapi draft): a key is claimed while its request runs, then
holds the response to replay; scoped to the API key that sent it, expiring after a TTL."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from enum import StrEnum

from service.store.cache import digest
from service.store.kv import KeyValue, StoreError

log = logging.getLogger("readout.store")


class Claim(StrEnum):
    """What `begin` decided."""

    proceed = "proceed"  # first use (or no store): run the request, then `finish` or `abandon`
    replay = "replay"  # done before with the same body: answer with the stored response
    in_flight = "in_flight"  # the first request with this key still runs: 409
    mismatch = "mismatch"  # used before with another body: 422


@dataclass(frozen=True, slots=True)
class Outcome:
    """`begin`'s decision and, for a replay, the stored response."""

    claim: Claim
    status: int = 0
    body: bytes = b""
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """Where one request's record lives and the fingerprint of its body."""

    key: str
    fingerprint: str


class Idempotency:
    """Claims keys, stores responses and replays them."""

    def __init__(self, store: KeyValue | None, ttl_s: float, in_flight_ttl_s: float) -> None:
        self.store = store
        self.ttl_s = ttl_s
        # A claim outlives its request's deadline, never a crashed worker by much.
        self.in_flight_ttl_s = in_flight_ttl_s

    def record(self, scope: str, key: str, body: object) -> IdempotencyRecord:
        """The record of `key` sent by `scope` (the API key's fingerprint) with `body`."""
        return IdempotencyRecord("idem:" + digest([scope, key]), digest(body))

    def begin(self, record: IdempotencyRecord) -> Outcome:
        """Claim the key, or say why not."""
        if self.store is None:
            return Outcome(Claim.proceed)
        claim = json.dumps({"state": "in_flight", "fingerprint": record.fingerprint}).encode()
        try:
            for _ in range(2):  # a record that expires between add and get: claim again
                if self.store.add(record.key, claim, self.in_flight_ttl_s):
                    return Outcome(Claim.proceed)
                raw = self.store.get(record.key)
                if raw is not None:
                    return self._decide(json.loads(raw), record)
        except (StoreError, ValueError) as error:
            log.warning("idempotency record unavailable, running the request: %s", error)
        return Outcome(Claim.proceed)

    @staticmethod
    def _decide(stored: dict[str, object], record: IdempotencyRecord) -> Outcome:
        if stored.get("fingerprint") != record.fingerprint:
            return Outcome(Claim.mismatch)
        if stored.get("state") != "done":
            return Outcome(Claim.in_flight)
        return Outcome(
            Claim.replay,
            status=int(str(stored["status"])),
            body=str(stored["body"]).encode("utf-8"),
            content_type=str(stored["content_type"]),
        )

    def finish(
        self, record: IdempotencyRecord, status: int, body: bytes, content_type: str
    ) -> None:
        """Keep the response for replays."""
        if self.store is None:
            return
        done = {
            "state": "done",
            "fingerprint": record.fingerprint,
            "status": status,
            "body": body.decode("utf-8"),
            "content_type": content_type,
        }
        try:
            self.store.set(record.key, json.dumps(done).encode(), self.ttl_s)
        except StoreError as error:
            log.warning("idempotency record not stored: %s", error)

    def abandon(self, record: IdempotencyRecord) -> None:
        """Release the key: the request failed, so a retry with it runs again."""
        if self.store is None:
            return
        try:
            self.store.delete(record.key)
        except StoreError as error:
            log.warning("idempotency record not released: %s", error)
