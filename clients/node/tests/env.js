'use strict';
/**
 * The broker under test, as ClientSuitesIT (or a developer) describes it in environment variables:
 * RCM_TARGET (host:port), RCM_CA, RCM_WORKER_CERT/RCM_WORKER_KEY and RCM_ADMIN_CERT/RCM_ADMIN_KEY (a
 * worker and an admin of one tenant), RCM_OTHER_ADMIN_CERT/RCM_OTHER_ADMIN_KEY (an admin of another
 * tenant), RCM_AWS_URL (the local AWS endpoint, whose /_local/ control API injects faults).
 */
const crypto = require('node:crypto');
const { CredentialClient, RetryPolicy } = require('../src');

const REQUIRED = ['RCM_TARGET', 'RCM_CA', 'RCM_WORKER_CERT', 'RCM_WORKER_KEY', 'RCM_ADMIN_CERT', 'RCM_ADMIN_KEY',
  'RCM_OTHER_ADMIN_CERT', 'RCM_OTHER_ADMIN_KEY', 'RCM_AWS_URL'];
const missing = REQUIRED.filter((name) => !process.env[name]);
/** A reason to skip the broker's tests, or false. */
const skipWithoutBroker = missing.length ? `no broker described: ${missing.join(', ')} unset` : false;

/** The broker's AWS SDK tries each call rcm.aws.max-attempts times before it answers UNAVAILABLE. */
const STORE_ATTEMPTS = Number(process.env.RCM_AWS_MAX_ATTEMPTS || 3);
const FAST_RETRY = new RetryPolicy({ maxAttempts: 4, initialBackoffMs: 50, maxBackoffMs: 500 });

/** A client with the certificate of role WORKER, ADMIN or OTHER_ADMIN. */
function client(role, options = {}) {
  const env = process.env;
  return new CredentialClient(env.RCM_TARGET,
    { cert: env[`RCM_${role}_CERT`], key: env[`RCM_${role}_KEY`], ca: env.RCM_CA },
    { retry: FAST_RETRY, ...options });
}

function newPortal(prefix = 'node') {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}`;
}

/** The local AWS endpoint's control API: call counts and injected faults. */
const localAws = {
  /** The next `count` calls to `target` naming `resource` answer 500 without applying. */
  fail: (target, resource, count) => send('POST', 'faults', { target, resource, mode: 'fail', count }),
  resetFaults: () => send('POST', 'faults/reset', {}),
  calls: async (target) => (await send('GET', 'calls'))[target] ?? 0,
};

async function send(method, route, body) {
  const response = await fetch(`${process.env.RCM_AWS_URL.replace(/\/$/, '')}/_local/${route}`, {
    method, body: body && JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
  });
  if (!response.ok) {
    throw new Error(`local AWS control ${route} answered ${response.status}`);
  }
  return response.json();
}

module.exports = { skipWithoutBroker, STORE_ATTEMPTS, client, newPortal, localAws };
