"""When and how long to wait before trying a call again.

Only UNAVAILABLE is retried, and only for calls that are safe to repeat: reads, and writes that
carry an idempotency key (the client generates one for Store, Rotate and BeginRotation when the
caller gives none) or a rotation id (CompleteRotation). Delays grow exponentially with full jitter:
attempt n waits a uniformly random time in [0, min(max_backoff, initial_backoff * 2**(n-1))].
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class RetryPolicy:
    """How often to try a retryable call, and the backoff between tries.

    Attributes:
        max_attempts: attempts in all, the first included; 1 turns retries off.
        initial_backoff: seconds, the cap of the first delay.
        max_backoff: seconds, the cap of every delay.
    """

    max_attempts: int = 4
    initial_backoff: float = 0.2
    max_backoff: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < self.initial_backoff:
            raise ValueError("backoffs must satisfy 0 <= initial_backoff <= max_backoff")

    def delay(self, attempt: int, retry_after: Optional[float] = None,
              rng: Optional[random.Random] = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): full jitter, at least ``retry_after``."""
        cap = min(self.max_backoff, self.initial_backoff * (2 ** (attempt - 1)))
        return max((rng or random).uniform(0, cap), retry_after or 0.0)


NO_RETRY = RetryPolicy(max_attempts=1)
