'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { RetryPolicy } = require('../src');

test('delays are jittered under an exponential cap', () => {
  const policy = new RetryPolicy({ maxAttempts: 6, initialBackoffMs: 100, maxBackoffMs: 500 });
  for (const [attempt, cap] of [[1, 100], [2, 200], [3, 400], [4, 500], [5, 500]]) {
    const delays = Array.from({ length: 200 }, () => policy.delayMs(attempt));
    assert.ok(delays.every((d) => d >= 0 && d <= cap), `attempt ${attempt}`);
    assert.ok(Math.max(...delays) - Math.min(...delays) > cap / 2, 'full jitter spreads the whole range');
  }
});

test('a RetryInfo delay is a floor', () => {
  assert.ok(new RetryPolicy({ initialBackoffMs: 100 }).delayMs(1, 2) >= 2000);
});

test('nonsense is refused', () => {
  assert.throws(() => new RetryPolicy({ maxAttempts: 0 }), RangeError);
  assert.throws(() => new RetryPolicy({ initialBackoffMs: 2, maxBackoffMs: 1 }), RangeError);
});
