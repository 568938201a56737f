"""The LLM engine: the only module that talks to the `openai` SDK.

Two retry layers, one per failure kind:
- unparsable or schema-invalid model output: instructor's re-ask, within READOUT_MAX_ATTEMPTS
  (items that parse but fail their checks are repaired by the pipeline through `repair`);
- transient upstream failures (429, 5xx, timeouts, connection errors): `_TransientRetry`
  around each single completion, honouring Retry-After, inside the request's deadline.
The SDK's own retries are off (`max_retries=0`) so nothing else retries.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

import httpx
import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from openai._types import RequestOptions
from openai.types.chat import ChatCompletion
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_random_exponential

from schemas.article import SegmentedArticle
from schemas.contract import FieldError, SummaryRequest
from schemas.extraction import Extraction
from service import metrics
from service.config import InstructorMode, Settings
from service.engines.llm.meter import Meter, PromptTokens
from service.engines.llm.prompt import Prompt
from service.engines.llm.tokens import TokenCounter
from service.engines.llm.transport import AnswerEncoded, AnswerTooLarge, bounded_http_client
from service.engines.llm.walks import install as remember_validator_walks
from service.errors import (
    DeadlineExceeded,
    InvalidRequest,
    OutputInvalid,
    OutputRefused,
    OutputTruncated,
    Overloaded,
    UpstreamError,
    UpstreamFailed,
    UpstreamTooLarge,
    UpstreamUnavailable,
)
from service.pipeline.engine import Deadline, EngineResult, RepairRequest

_MODES = {
    InstructorMode.tools: instructor.Mode.TOOLS,
    InstructorMode.json_schema: instructor.Mode.JSON_SCHEMA,
    InstructorMode.json: instructor.Mode.JSON,
    InstructorMode.md_json: instructor.Mode.MD_JSON,
}


def build_client(settings: Settings, http_client: httpx.Client | None = None) -> openai.OpenAI:
    """An OpenAI-compatible client with explicit timeout and the SDK's retries off.

    Its HTTP goes through `BoundedTransport`: each call's timeout bounds the whole exchange and
    answers over READOUT_MAX_UPSTREAM_BYTES are abandoned unread.
    """
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    if http_client is None:
        http_client = bounded_http_client(settings.upstream_byte_limit(), settings.timeout_s)
    return openai.OpenAI(
        api_key=key or "not-needed",
        base_url=settings.openai_base_url,
        timeout=settings.timeout_s,
        max_retries=0,
        http_client=http_client,
    )


def retry_after_seconds(response: httpx.Response | None) -> float | None:
    """Seconds the upstream asked us to wait (`retry-after-ms`, `Retry-After`), if any."""
    if response is None:
        return None
    headers = response.headers
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _transient(error: BaseException) -> bool:
    """429, 5xx, timeouts and connection errors: worth another try."""
    if isinstance(error, openai.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError)


def _outcome(error: openai.OpenAIError) -> str:
    """How one upstream call failed, as a metric label."""
    if isinstance(error, openai.APITimeoutError):
        return "timeout"
    if isinstance(error, openai.APIConnectionError):
        return "connection_error"
    status = getattr(error, "status_code", 0)
    return {429: "rate_limited", 503: "unavailable"}.get(status) or (
        "server_error" if status >= 500 else "client_error"
    )


def _as_upstream_error(error: BaseException) -> UpstreamError:
    if isinstance(error, AnswerTooLarge):
        return UpstreamTooLarge("The LLM upstream's answer was over the size limit.")
    if isinstance(error, AnswerEncoded):
        return UpstreamFailed("The LLM upstream sent a compressed answer it was not asked for.")
    if isinstance(error, openai.APITimeoutError):
        return DeadlineExceeded("The LLM upstream did not answer within the deadline.")
    if isinstance(error, openai.APIStatusError) and error.status_code in (429, 503):
        wait = retry_after_seconds(error.response)
        reason = "is rate-limiting requests" if error.status_code == 429 else "is unavailable"
        return UpstreamUnavailable(f"The LLM upstream {reason}.", retry_after=wait or 1)
    if isinstance(error, openai.APIConnectionError):
        return UpstreamUnavailable("The LLM upstream could not be reached.", retry_after=1)
    if isinstance(error, openai.APIStatusError) and error.status_code >= 500:
        return UpstreamFailed(f"The LLM upstream answered {error.status_code}.")
    if isinstance(error, openai.APIStatusError):
        return UpstreamFailed(f"The LLM upstream rejected the request ({error.status_code}).")
    return UpstreamFailed("The LLM upstream call failed.")


@dataclass(frozen=True, slots=True)
class _Call:
    """What one extraction's completions share: its meter and its deadline."""

    meter: Meter
    deadline: Deadline


class LLMEngine:
    """Extracts a grounded draft with an OpenAI-compatible chat model through instructor."""

    name = "llm"

    def __init__(self, settings: Settings, client: openai.OpenAI, prompt: Prompt) -> None:
        self._settings = settings
        self._client = client
        self._prompt = prompt
        self._mode = _MODES[settings.mode]
        self._counter = TokenCounter(settings.model)
        # instructor wraps a plain model in a new class on every call, rebuilding its schema
        # each time; wrapped once here, the class and its schema are built once per worker.
        self._response_model = instructor.openai_schema(Extraction)
        remember_validator_walks()  # instructor's per-call walk of that class, done once
        # instructor's patched `create`, built once: each call passes its meter and deadline
        # (`readout_call`), which instructor hands through to `_complete` with the other
        # arguments, on every attempt.
        self._create = instructor.patch(create=self._complete, mode=self._mode)
        # The tool (or JSON) schema goes with every request and counts against the budget.
        schema = json.dumps(cast(Any, self._response_model).openai_schema, ensure_ascii=False)
        self._system_tokens = self._counter.count_messages(
            prompt.messages_static()
        ) + self._counter.count(schema)
        # The worker's cap on requests waiting on the upstream; beyond it, 503 at once.
        self._slots = threading.BoundedSemaphore(settings.max_concurrent_upstream)

    @property
    def model(self) -> str:
        """The model name sent upstream."""
        return self._settings.model

    @property
    def prompt_version(self) -> str:
        """The prompt's version."""
        return self._prompt.version

    @property
    def chunk_tokens(self) -> int:
        """Article tokens per part of a long article (READOUT_CHUNK_TOKENS)."""
        return self._settings.chunk_tokens

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` in the model's encoding."""
        return self._counter.count(text)

    def extract(
        self, article: SegmentedArticle, request: SummaryRequest, deadline: Deadline
    ) -> EngineResult:
        """One request's extraction: re-asks on invalid output, retries transient failures."""
        return self.extract_part(article, request, deadline, None)

    def extract_part(
        self,
        article: SegmentedArticle,
        request: SummaryRequest,
        deadline: Deadline,
        shown: tuple[int, ...] | None,
    ) -> EngineResult:
        """The extraction of the sentences `shown` (all when None), global numbers kept."""
        messages = self._prompt.messages(article, request, shown)
        prompt = self._prompt_tokens(messages)
        if (tokens := prompt.over(self._settings.max_input_tokens)) is not None:
            self._refuse_over_budget(tokens)
        return self._run(messages, prompt, deadline, self._settings.max_attempts)

    def check_article_tokens(self, tokens: int) -> None:
        """Refuse an article whose one prompt would exceed the input budget."""
        self._refuse_over_budget(self._system_tokens + tokens)

    def _refuse_over_budget(self, prompt_tokens: int) -> None:
        if prompt_tokens > self._settings.max_input_tokens:
            limit = self._settings.max_input_tokens
            message = f"the prompt would take {prompt_tokens} tokens; the limit is {limit}"
            raise InvalidRequest.fields(
                [FieldError(field="text", type="too_many_tokens", message=message)],
                "The article is too long for the model.",
            )

    def repair(
        self,
        article: SegmentedArticle,
        request: SummaryRequest,
        deadline: Deadline,
        repair: RepairRequest,
        attempts_left: int,
        shown: tuple[int, ...] | None = None,
    ) -> EngineResult:
        """Corrected versions of the items that failed their checks, in a fresh conversation
        that carries only those items, their errors and the numbered article."""
        messages = self._prompt.repair_messages(article, request, repair, shown)
        prompt = self._prompt_tokens(messages)
        if prompt.over(self._settings.max_input_tokens) is not None:
            raise OutputInvalid("The repair request would exceed the input token budget.")
        return self._run(messages, prompt, deadline, attempts_left)

    def _prompt_tokens(self, messages: list[dict[str, str]]) -> PromptTokens:
        """Tokens of the static prompt and schema (counted once) plus the user message."""
        return PromptTokens(self._counter, self._system_tokens, messages[1:])

    def _run(
        self,
        messages: list[dict[str, str]],
        prompt: PromptTokens,
        deadline: Deadline,
        attempts: int,
    ) -> EngineResult:
        """Completions within this worker's cap on upstream calls."""
        if not self._slots.acquire(blocking=False):
            raise Overloaded(retry_after=1)
        try:
            meter = Meter(self._counter, prompt, budget=self._settings.max_input_tokens)
            return self._extract(messages, meter, deadline, attempts)
        finally:
            self._slots.release()

    def _extract(
        self,
        messages: list[dict[str, str]],
        meter: Meter,
        deadline: Deadline,
        attempts: int,
    ) -> EngineResult:
        """instructor's loop over completions, its outcome mapped to a result or a problem."""
        meter.base_messages = len(messages)
        try:
            draft = self._create(
                readout_call=_Call(meter, deadline),
                response_model=self._response_model,
                messages=messages,
                model=self._settings.model,
                max_retries=max(0, attempts - 1),
                max_tokens=self._settings.max_output_tokens,
                temperature=0,
            )
        except IncompleteOutputException:
            raise meter.stamp(OutputTruncated("The model's answer was cut off.")) from None
        except InstructorRetryException as error:
            cause = error.__cause__
            if isinstance(cause, UpstreamError):
                raise meter.stamp(cause) from None
            raise meter.stamp(
                OutputInvalid(
                    f"The model's output failed validation on all {meter.attempts} attempts."
                )
            ) from None
        return EngineResult(
            draft=draft,
            model=self._settings.model,
            prompt_version=self._prompt.version,
            attempts=meter.attempts,
            usage=meter.usage,
            warnings=["token usage estimated: the upstream reported none"]
            if meter.estimated
            else [],
        )

    def _complete(self, readout_call: _Call, **kwargs: Any) -> ChatCompletion:
        """One completion, retried on transient failures within the deadline."""
        meter, deadline = readout_call.meter, readout_call.deadline
        meter.check_budget(kwargs.get("messages", []))
        retrying = Retrying(
            retry=retry_if_exception(_transient),
            wait=partial(
                _wait,
                wait_random_exponential(
                    multiplier=self._settings.backoff_s, max=self._settings.backoff_s * 8
                ),
            ),
            stop=partial(_stop, self._settings.upstream_retries, deadline),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    remaining = deadline.remaining()
                    if remaining <= 0:
                        raise DeadlineExceeded("The request's deadline passed.")
                    try:
                        completion = self._post(kwargs, remaining)
                    except openai.OpenAIError as error:
                        metrics.UPSTREAM_CALLS.labels(_outcome(error)).inc()
                        raise
                    metrics.UPSTREAM_CALLS.labels("ok").inc()
        except UpstreamError:
            raise
        except openai.OpenAIError as error:
            raise _as_upstream_error(error) from None
        meter.record(completion)
        choice = completion.choices[0] if completion.choices else None
        if choice is None:
            raise UpstreamFailed("The LLM upstream returned no choices.")
        if choice.finish_reason == "length":
            raise OutputTruncated("The model's answer was cut off.")
        if choice.message.refusal or choice.finish_reason == "content_filter":
            raise OutputRefused("The model declined to answer.")
        return completion

    def _post(self, body: dict[str, Any], timeout: float) -> ChatCompletion:
        """POST /chat/completions with instructor's arguments as the JSON body.

        The SDK's `chat.completions.create` would first walk those arguments through its
        TypedDict transform: a deep, type-directed copy that changes nothing in what instructor
        passes (plain dicts, lists and strings; `tests/test_llm_request.py` checks the bodies
        are equal) and was about a tenth of a worker's CPU per request. The SDK's documented
        `post` sends the same request through the same client: auth, timeout, errors mapped
        to `openai` exceptions and the answer parsed into a `ChatCompletion`.
        """
        if body.get("stream"):
            raise ValueError("streaming completions are not used")
        options: RequestOptions = {"timeout": timeout, "security": {"bearer_auth": True}}
        return self._client.post(
            "/chat/completions", cast_to=ChatCompletion, body=body, options=options
        )


def _wait(backoff: Any, state: RetryCallState) -> float:
    """Retry-After when the upstream sent one, else jittered exponential backoff."""
    error = state.outcome.exception() if state.outcome else None
    response = getattr(error, "response", None)
    asked = retry_after_seconds(response if isinstance(response, httpx.Response) else None)
    return asked if asked is not None else float(backoff(state))


def _stop(max_retries: int, deadline: Deadline, state: RetryCallState) -> bool:
    """Stop after `max_retries` retries, or when the next wait would pass the deadline."""
    return state.attempt_number > max_retries or state.upcoming_sleep >= deadline.remaining()


def upstream_check(client: openai.OpenAI) -> dict[str, Any]:
    """Readiness of the upstream: it answers `GET /models` (404 counts: some servers lack it)."""
    try:
        client.with_options(timeout=3.0).models.list()
    except openai.NotFoundError:
        return {"ok": True}
    except openai.AuthenticationError:
        return {"ok": False, "reason": "the upstream rejected the API key"}
    except openai.APIStatusError as error:
        return {"ok": error.status_code < 500, "reason": f"upstream answered {error.status_code}"}
    except openai.OpenAIError:
        return {"ok": False, "reason": "the upstream could not be reached"}
    return {"ok": True}
