"""instructor's fail-closed walk for async validators, done once per response model class.

instructor (1.x, pinned) refuses a response model that carries its async validators, which its
synchronous runtime would not run. It checks by walking the model's whole type tree (every
field of every nested model, every base class's attributes) and does so four times on every
call: once when the patched `create` is entered, twice while preparing the model, once more in
its retry loop. Our response model is one class built at start-up, so the answer cannot change
between calls; on the 746-word benchmark article the walks were about a tenth of a worker's CPU
per request.

`install()` puts a memoising wrapper where instructor looks the function up (its module
attribute, and the name `patch.py` imported). The first call for a class walks it as before
and raises as before; later calls for a class that passed return at once. Anything that is not
a class (None, a typing construct) is walked every time, exactly as instructor does.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

import instructor.v2.core.patch as _patch
import instructor.v2.validation.async_validators as _validators

_ORIGINAL: Callable[[Any], None] = _validators.reject_async_validators
_passed: weakref.WeakSet[type] = weakref.WeakSet()
_lock = threading.Lock()


def reject_async_validators_once(response_model: Any) -> None:
    """instructor's check, remembered for each class that passed it."""
    if isinstance(response_model, type):
        if response_model in _passed:
            return
        _ORIGINAL(response_model)  # raises for a model with async validators: never remembered
        with _lock:
            _passed.add(response_model)
        return
    _ORIGINAL(response_model)


def install() -> None:
    """Make instructor call the remembering check (idempotent)."""
    _validators.reject_async_validators = reject_async_validators_once
    _patch.reject_async_validators = reject_async_validators_once  # type: ignore[attr-defined]
