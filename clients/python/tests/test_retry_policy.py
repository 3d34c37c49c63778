"""RetryPolicy alone: full jitter under an exponential cap, RetryInfo as a floor."""

import random
import unittest

from rcm_credentials import RetryPolicy


class RetryPolicyTest(unittest.TestCase):

    def test_delays_are_jittered_under_an_exponential_cap(self) -> None:
        policy = RetryPolicy(max_attempts=6, initial_backoff=0.1, max_backoff=0.5)
        rng = random.Random(7)

        for attempt, cap in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.5), (5, 0.5)]:
            delays = [policy.delay(attempt, rng=rng) for _ in range(200)]
            self.assertTrue(all(0 <= d <= cap for d in delays), attempt)
            self.assertGreater(max(delays) - min(delays), cap / 2, "full jitter spreads the whole range")

    def test_a_retry_info_delay_is_a_floor(self) -> None:
        self.assertGreaterEqual(RetryPolicy(initial_backoff=0.1).delay(1, retry_after=2.0), 2.0)

    def test_nonsense_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            RetryPolicy(max_attempts=0)
        with self.assertRaises(ValueError):
            RetryPolicy(initial_backoff=2, max_backoff=1)


if __name__ == "__main__":
    unittest.main()
