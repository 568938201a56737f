"""Every Prometheus metric of the service, defined once; any package may import it to count.

The metric objects are module globals built at import, the one exception to "nothing at
import": prometheus-client's multiprocess mode (gunicorn) keeps each worker's values in files
under PROMETHEUS_MULTIPROC_DIR keyed by metric name, and a scrape adds up every worker's files,
so each process must define the same metrics once. The directory must be set before this module
is first imported (gunicorn's master does it, `service.http.gunicorn_conf`); without it, as in
tests and `readout summarise`, the values live in this process's default registry.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# OpenTelemetry's advised boundaries for http.server.request.duration, plus the long tail of
# LLM requests (READOUT_TIMEOUT_S is 60 s by default).
_DURATION_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1,
    2.5,
    5,
    7.5,
    10,
    30,
    60,
)
# OpenTelemetry's advised boundaries for gen_ai.client.token.usage.
_TOKEN_BUCKETS = tuple(float(4**power) for power in range(14))

REQUEST_DURATION = Histogram(
    "http_server_request_duration_seconds",
    "Duration of HTTP requests, by method, route template and status.",
    ["method", "route", "status"],
    buckets=_DURATION_BUCKETS,
)
ACTIVE_REQUESTS = Gauge(
    "http_server_active_requests",
    "HTTP requests being served by live workers.",
    ["method"],
    multiprocess_mode="livesum",
)
UPSTREAM_CALLS = Counter(
    "readout_upstream_calls",
    "Chat completions sent to the LLM upstream, by outcome (each transient retry counts).",
    ["outcome"],
)
MODEL_ATTEMPTS = Counter(
    "readout_model_attempts",
    "Model calls (the first answer, re-asks and repairs: meta.attempts), by engine.",
    ["engine"],
)
MODEL_REPAIRS = Counter(
    "readout_model_repairs",
    "Repair requests for items that failed their checks (meta.repairs), by engine.",
    ["engine"],
)
TOKEN_USAGE = Histogram(
    "gen_ai_client_token_usage",
    "Tokens used by one request's LLM work (every attempt summed), by token type.",
    ["gen_ai_token_type", "gen_ai_request_model"],
    buckets=_TOKEN_BUCKETS,
)
ITEMS_SET_ASIDE = Counter(
    "readout_items_set_aside",
    "Items the pipeline set aside instead of answering (meta.rejected), by kind.",
    ["kind"],
)
CACHE_LOOKUPS = Counter(
    "readout_cache_lookups",
    "Result cache lookups of answered requests, by result (hit or miss).",
    ["result"],
)
FALLBACKS = Counter(
    "readout_fallbacks",
    "Requests answered by the rules engine after the engine asked for failed, by that engine.",
    ["engine"],
)
SUMMARIES = Counter(
    "readout_summaries",
    "Summary requests that reached an engine, by the engine that answered and the outcome.",
    ["engine", "outcome"],
)
