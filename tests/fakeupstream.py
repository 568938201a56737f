"""An OpenAI-compatible fake LLM upstream on 127.0.0.1, with scripted latency and faults.

In pytest::

    with FakeUpstream(scenario="429:0.1,valid") as fake:   # port 0: a free port
        ...  # point OPENAI_BASE_URL at fake.url
        assert fake.calls == 2

From the shell (benchmarks, the Docker test)::

    python -m tests.fakeupstream --port 8090 --scenario valid --latency 1.0 --fail-rate 0.1

A scenario is a list of steps consumed one per chat completion, the last one repeating:
``"429:0.1,valid"`` answers 429 with ``Retry-After: 0.1`` once, then valid forever.
Steps (``name[:seconds]``):

    valid         a grounded Extraction built from the article (or the --answer file)
    429[:s]       rate limited, Retry-After s seconds (default 1)
    500[:s], 503[:s]  server error, with Retry-After s if given (its body carries
                  UPSTREAM_ERROR_TEXT, which must never leak)
    reset         close the connection with a TCP reset, no answer
    slow[:s]      wait s seconds (default 30), then answer valid
    truncated     finish_reason=length with cut-off tool arguments
    refusal       message.refusal set, no tool call
    nonjson       tool arguments that are not JSON
    invalid       schema-invalid: a call with a single participant
    invalid-actor schema-invalid: an actor whose name is not in the article
    drip[:s]      a valid answer's headers at once, then its body one byte every s seconds
    huge[:mb]     a valid answer padded to mb megabytes (default 50), with no usage and no
                  Content-Length, streamed until the connection closes

`latency` delays every completion; `fail_rate` turns that share of completions into
`fail_status` answers (random, for benchmarks). `dense` makes a valid answer as long as a real
model's (an actor and a claim for every sentence of the part it was shown that names someone)
and honours `max_tokens`: an answer longer than that is cut off (finish_reason=length), as a
real model's would be. GET /v1/models lists one model (`models_calls` counts them; a
`models_status` other than 200 makes it fail with that status).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import random
import re
import signal
import socket
import struct
import threading
import time
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

UPSTREAM_ERROR_TEXT = "fake-upstream internal detail 7f3a: do not leak"
MODEL = "fake-model"
STEPS = frozenset(
    {
        "valid",
        "429",
        "500",
        "503",
        "reset",
        "slow",
        "truncated",
        "refusal",
        "nonjson",
        "invalid",
        "invalid-actor",
        "drip",
        "huge",
    }
)
_SENTENCE = re.compile(r"^\[(\d+)\] (.*)$")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
# Sentence openers that are capitalised only because they start a sentence.
_COMMON = frozenset({"The", "This", "That", "These", "Those", "And", "But", "For", "With", "When"})

Step = tuple[str, float | None]


def parse_scenario(spec: str | Iterable[str]) -> list[Step]:
    """Steps from ``"429:0.1,valid"`` or ``["429:0.1", "valid"]``."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    steps: list[Step] = []
    for item in items:
        name, _, arg = item.strip().partition(":")
        if name not in STEPS:
            raise ValueError(f"unknown step {name!r}; known: {sorted(STEPS)}")
        steps.append((name, float(arg) if arg else None))
    if not steps:
        raise ValueError("a scenario needs at least one step")
    return steps


def article_sentences(messages: list[dict[str, Any]]) -> dict[int, str]:
    """The numbered sentences of the last user message, between the article markers."""
    content = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "")
    text = content if isinstance(content, str) else ""
    inside, sentences = False, {}
    for line in text.splitlines():
        if line.strip() == "<<<ARTICLE":
            inside = True
        elif line.strip() == "ARTICLE>>>":
            break
        elif inside and (match := _SENTENCE.match(line)):
            sentences[int(match.group(1))] = match.group(2)
    return sentences


def grounded_answer(sentences: dict[int, str]) -> dict[str, Any]:
    """A small valid Extraction: a summary from sentence 1, one actor and one claim if possible."""
    first = sentences.get(1, "")
    answer: dict[str, Any] = {
        "summary": first or "The article is empty.",
        "key_points": [first] if first else [],
        "actors": [],
        "calls": [],
        "claims": [],
    }
    for number, sentence in sorted(sentences.items()):
        words = [w for w in _CAPITALISED.findall(sentence) if w not in _COMMON]
        if words:
            answer["actors"] = [{"id": "A1", "name": words[0], "kind": "other", "aliases": []}]
            answer["claims"] = [
                {
                    "claimant": "A1",
                    "statement": f"{words[0]} is mentioned in the article.",
                    "about": [],
                    "kind": "assertion",
                    "evidence_status": "not_addressed",
                    "disputed_by": [],
                    "quote": None,
                    "sentences": [number],
                }
            ]
            break
    return answer


def dense_answer(sentences: dict[int, str]) -> dict[str, Any]:
    """A grounded answer with an actor and a claim for each sentence that names someone, from
    the part of the article after the last gap (a chunk's own sentences)."""
    numbers = sorted(sentences)
    start = 0
    for i in range(1, len(numbers)):
        if numbers[i] != numbers[i - 1] + 1:
            start = i
    first = sentences.get(numbers[0], "") if numbers else ""
    answer: dict[str, Any] = {
        "summary": first or "The article is empty.",
        "key_points": [],
        "actors": [],
        "calls": [],
        "claims": [],
    }
    keys: dict[str, str] = {}
    for number in numbers[start:]:
        words = [w for w in _CAPITALISED.findall(sentences[number]) if w not in _COMMON]
        if not words:
            continue
        word = words[-1]
        if word not in keys:
            keys[word] = f"A{len(keys) + 1}"
            answer["actors"].append({"id": keys[word], "name": word, "kind": "other"})
        answer["claims"].append(
            {
                "id": f"K{len(answer['claims']) + 1}",
                "claimant": keys[word],
                "statement": f"{word} is mentioned in this sentence of the article.",
                "kind": "assertion",
                "evidence_status": "not_addressed",
                "sentences": [number],
            }
        )
    return answer


def invalid_answer(step: str) -> dict[str, Any]:
    """A schema-invalid Extraction: one participant, or an actor the article never names."""
    if step == "invalid-actor":
        actors = [{"id": "A1", "name": "Zorbulax Quintavian", "kind": "person", "aliases": []}]
        return {"summary": "x", "key_points": [], "actors": actors, "calls": [], "claims": []}
    actors = [{"id": "A1", "name": "Zorbulax", "kind": "person", "aliases": []}]
    call = {"participants": ["A1"], "medium": "phone", "sentences": [1]}
    return {"summary": "x", "key_points": [], "actors": actors, "calls": [call], "claims": []}


def completion_body(
    arguments: str | None,
    *,
    prompt_tokens: int,
    finish_reason: str = "tool_calls",
    refusal: str | None = None,
) -> dict[str, Any]:
    """A chat completion answering with one Extraction tool call (or none), usage included."""
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": refusal}
    if arguments is not None:
        message["tool_calls"] = [
            {
                "id": "call_fake_1",
                "type": "function",
                "function": {"name": "Extraction", "arguments": arguments},
            }
        ]
    completion_tokens = max(1, len(arguments or refusal or "") // 4)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class FakeUpstream:
    """The fake server: start on a port (0 picks a free one) in a background thread."""

    def __init__(
        self,
        scenario: str | Iterable[str] = "valid",
        *,
        port: int = 0,
        latency: float = 0.0,
        fail_rate: float = 0.0,
        fail_status: int = 500,
        answer: dict[str, Any] | None = None,
        seed: int | None = None,
        dense: bool = False,
    ) -> None:
        self.latency = latency
        self.dense = dense
        self.fail_rate = fail_rate
        self.fail_status = fail_status
        self.answer = answer
        self.requests: collections.deque[dict[str, Any]] = collections.deque(maxlen=100)
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._stopping = threading.Event()
        self._steps: list[Step] = []
        self._next = 0
        self._calls = 0
        self._models_calls = 0
        self.models_status = 200
        self.set_scenario(scenario)
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-upstream", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give the OpenAI client (`OPENAI_BASE_URL`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def calls(self) -> int:
        """Chat completion requests received since the last reset."""
        with self._lock:
            return self._calls

    @property
    def models_calls(self) -> int:
        """`GET /models` requests received (readiness probes), never reset."""
        with self._lock:
            return self._models_calls

    def set_scenario(self, scenario: str | Iterable[str], *, latency: float | None = None) -> None:
        """Script the next completions; resets the call count and recorded requests."""
        steps = parse_scenario(scenario)
        with self._lock:
            self._steps, self._next, self._calls = steps, 0, 0
            self.requests.clear()
            if latency is not None:
                self.latency = latency

    def stop(self) -> None:
        """Stop serving, wake any delayed answer and close the socket."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeUpstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _take(self, body: dict[str, Any]) -> Step:
        with self._lock:
            self._calls += 1
            self.requests.append(body)
            step = self._steps[min(self._next, len(self._steps) - 1)]
            self._next += 1
            if self.fail_rate and self._random.random() < self.fail_rate:
                return (str(self.fail_status), None)
            return step

    def _sleep(self, seconds: float) -> bool:
        """Wait, unless the server is stopping; True when the wait ran its course."""
        return seconds <= 0 or not self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default 5 resets connections under a benchmark's burst
    fake: FakeUpstream

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept with Nagle off, as real servers do: headers and body go out as two writes,
        and with Nagle on the body would wait ~40 ms for the client's delayed ACK."""
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real providers do
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            fake = self.server.fake
            with fake._lock:
                fake._models_calls += 1
            if fake.models_status != 200:
                error = {"message": "unavailable", "type": "server_error"}
                self._send(fake.models_status, {"error": error})
                return
            models = {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "x"}]}
            self._send(200, models)
        else:
            self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        try:
            body: dict[str, Any] = json.loads(raw)
        except ValueError:
            self._send(400, {"error": {"message": "bad json", "type": "invalid_request_error"}})
            return
        fake = self.server.fake
        name, arg = fake._take(body)
        if not fake._sleep(fake.latency):
            return
        # The service may have given up waiting (its deadline passed): nothing to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(fake, body, name, arg)

    def _answer(
        self, fake: FakeUpstream, body: dict[str, Any], name: str, arg: float | None
    ) -> None:
        messages = body.get("messages") or []
        prompt_tokens = max(1, sum(len(str(m.get("content") or "")) for m in messages) // 4)
        if name == "429":
            seconds = 1.0 if arg is None else arg
            error = {"message": f"rate limited. {UPSTREAM_ERROR_TEXT}", "type": "rate_limit"}
            self._send(429, {"error": error}, {"Retry-After": f"{seconds:g}"})
        elif name in {"500", "503"}:
            error = {"message": f"server error. {UPSTREAM_ERROR_TEXT}", "type": "server_error"}
            after = {} if arg is None else {"Retry-After": f"{arg:g}"}
            self._send(int(name), {"error": error}, after)
        elif name == "reset":
            # SO_LINGER 0 makes close() send RST; close the reader (a makefile holding the
            # socket open) first so the socket closes here, before a polite shutdown sends FIN.
            linger = struct.pack("ii", 1, 0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.close_connection = True
            self.rfile.close()
            self.connection.close()
        elif name == "truncated":
            args = json.dumps(self._valid(fake, messages))[:40]
            self._send(
                200, completion_body(args, prompt_tokens=prompt_tokens, finish_reason="length")
            )
        elif name == "refusal":
            body_ = completion_body(
                None,
                prompt_tokens=prompt_tokens,
                finish_reason="stop",
                refusal="I can't help with that.",
            )
            self._send(200, body_)
        elif name == "nonjson":
            self._send(
                200,
                completion_body(
                    "Sure! Here is the summary: {actors: [", prompt_tokens=prompt_tokens
                ),
            )
        elif name in {"invalid", "invalid-actor"}:
            args = json.dumps(invalid_answer(name))
            self._send(200, completion_body(args, prompt_tokens=prompt_tokens))
        elif name == "drip":
            args = json.dumps(self._valid(fake, messages))
            data = json.dumps(completion_body(args, prompt_tokens=prompt_tokens)).encode()
            self.send_response(200, "OK")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.flush()
            for index in range(len(data)):
                if not fake._sleep(1.0 if arg is None else arg):
                    return
                self.wfile.write(data[index : index + 1])
                self.wfile.flush()
        elif name == "huge":
            self._huge(fake, messages, int((50 if arg is None else arg) * 1_000_000))
        else:  # valid, or slow once its wait is over
            if name == "slow" and not fake._sleep(30.0 if arg is None else arg):
                return
            args = json.dumps(self._valid(fake, messages))
            limit = int(body.get("max_tokens") or 0)
            if fake.dense and limit and len(args) // 4 > limit:
                cut = completion_body(
                    args[: limit * 4], prompt_tokens=prompt_tokens, finish_reason="length"
                )
                self._send(200, cut)
                return
            self._send(200, completion_body(args, prompt_tokens=prompt_tokens))

    def _huge(self, fake: FakeUpstream, messages: list[dict[str, Any]], size: int) -> None:
        """A valid completion whose tool arguments carry `size` bytes of blanks, no usage."""
        body = completion_body(json.dumps(self._valid(fake, messages)), prompt_tokens=1)
        del body["usage"]
        head, _, tail = json.dumps(body).partition('"arguments": "')
        self.send_response(200, "OK")
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(f'{head}"arguments": "'.encode())
        block = b" " * 65536
        for _ in range(size // len(block)):
            self.wfile.write(block)
        self.wfile.write(tail.encode())

    @staticmethod
    def _valid(fake: FakeUpstream, messages: list[dict[str, Any]]) -> dict[str, Any]:
        if fake.answer is not None:
            return fake.answer
        sentences = article_sentences(messages)
        return dense_answer(sentences) if fake.dense else grounded_answer(sentences)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--scenario", default="valid", help='steps, e.g. "429:0.5,valid"')
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of calls that fail")
    parser.add_argument("--fail-status", type=int, default=500)
    parser.add_argument("--answer", type=Path, help="canned Extraction JSON for valid answers")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--dense", action="store_true", help="answers as long as a real model's")
    args = parser.parse_args(argv)
    answer = json.loads(args.answer.read_text("utf-8")) if args.answer else None
    fake = FakeUpstream(
        args.scenario,
        port=args.port,
        latency=args.latency,
        fail_rate=args.fail_rate,
        fail_status=args.fail_status,
        answer=answer,
        seed=args.seed,
        dense=args.dense,
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print(f"fake upstream on {fake.url} scenario={args.scenario}", flush=True)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
