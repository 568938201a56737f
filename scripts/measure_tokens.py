"""Prompt and completion tokens per upstream call: a clean answer, a one-item repair, and an
answer whose bad item is never fixed.

    .venv/bin/python scripts/measure_tokens.py

The service runs in process with its real `openai` client and instructor; only the LLM's HTTP is
mocked (respx). Tokens are counted offline (o200k_base) from what is really sent: every message,
the tool schema included, and the tool-call arguments that come back. The bad item is one claim
whose quote the article does not contain. A request carrying a REPAIR section is answered with
that claim alone (fixed, or still wrong); any other request with the whole answer.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import respx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import create_app  # noqa: E402
from service.engines.llm.tokens import TokenCounter  # noqa: E402
from tests.conftest import LLM_BASE, answer, article, completion, make_settings  # noqa: E402

NAME = "fjord-patrols"
WRONG_QUOTE = "We agreed to stop all patrols"
_PER_MESSAGE = 4


def _prompt_tokens(counter: TokenCounter, body: dict[str, Any]) -> int:
    total = counter.count(json.dumps(body.get("tools", []), ensure_ascii=False))
    for message in body["messages"]:
        content = message.get("content")
        text = content if isinstance(content, str) else json.dumps(content or "")
        if message.get("tool_calls"):
            text += json.dumps(message["tool_calls"], ensure_ascii=False)
        total += counter.count(text) + _PER_MESSAGE
    return total


def run(scenario: str) -> list[tuple[int, int]]:
    """(prompt, completion) tokens of each upstream call of one request."""
    counter = TokenCounter("gpt-4o-mini")
    good = answer(NAME)
    bad = copy.deepcopy(good)
    bad["claims"][0]["quote"] = WRONG_QUOTE
    calls: list[tuple[int, int]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        repairing = "\nREPAIR\n" in body["messages"][-1].get("content", "")
        if scenario == "clean":
            data = good
        elif repairing:
            claim = copy.deepcopy(good["claims"][0])
            claim["id"] = "K1"
            if scenario == "never-fixed":
                claim["quote"] = WRONG_QUOTE
            data = {"summary": "", "key_points": [], "actors": [], "calls": [], "claims": [claim]}
        else:
            data = good if scenario == "one-repair" and calls else bad
        arguments = json.dumps(data, ensure_ascii=False)
        prompt, output = _prompt_tokens(counter, body), counter.count(arguments)
        calls.append((prompt, output))
        return completion(data, prompt_tokens=prompt, completion_tokens=output)

    with respx.mock(base_url=LLM_BASE, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=reply)
        client = create_app(make_settings(max_attempts=3)).test_client()
        body = {"text": article(NAME), "published_at": "2026-03-15"}
        response = client.post("/v1/summaries", json=body)
        status = response.status_code
    print(f"{scenario}: HTTP {status}, {len(calls)} call(s)", file=sys.stderr)
    return calls


def main() -> None:
    """Print the table the README quotes."""
    counter = TokenCounter("gpt-4o-mini")
    words = len(article(NAME).split())
    print(f"article {NAME}: {words} words, {counter.count(article(NAME))} tokens")
    print("| case | prompt tokens per call | completion tokens per call | total |")
    print("|---|---|---|---|")
    for scenario in ("clean", "one-repair", "never-fixed"):
        calls = run(scenario)
        prompts = " → ".join(f"{p:,}" for p, _ in calls)
        outputs = " → ".join(f"{c:,}" for _, c in calls)
        total = sum(p + c for p, c in calls)
        print(f"| {scenario} | {prompts} | {outputs} | {total:,} |")


if __name__ == "__main__":
    main()
