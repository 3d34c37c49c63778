'use strict';
/** The Node client against the real broker: reads, writes, TOTP, tenancy, retries and error reasons. */
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { after, afterEach, before, describe, test } = require('node:test');
const {
  NO_RETRY, CredentialPaused, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, ResourceExhausted,
  Unavailable,
} = require('../src');
const { STORE_ATTEMPTS, client, localAws, newPortal, skipWithoutBroker } = require('./env');

const SEED = 'JBSWY3DPEHPK3PXP';
const PUT_PARAMETER = 'AmazonSSM.PutParameter';
const DELETE_PARAMETER = 'AmazonSSM.DeleteParameter';

/** RFC 6238 with SHA-1, to check the broker's code independently. */
function expectedTotp(seed, step, digits = 6) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of seed) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits).padStart(digits, '0');
}

/** What `promise` rejected with, asserting it is a `Type`. */
async function rejection(promise, Type) {
  const error = await promise.then(() => assert.fail(`expected ${Type.name}`), (e) => e);
  assert.ok(error instanceof Type, `expected ${Type.name}, got ${error}`);
  return error;
}

describe('the Node client against the broker', { skip: skipWithoutBroker }, () => {
  let admin;
  let worker;
  let otherAdmin;

  before(() => {
    admin = client('ADMIN');
    worker = client('WORKER');
    otherAdmin = client('OTHER_ADMIN');
  });
  after(() => [admin, worker, otherAdmin].forEach((c) => c.close()));
  afterEach(() => localAws.resetFaults());

  async function storedPortal(password = 'first-pw') {
    const portal = newPortal();
    await admin.registerEndpoint({ portal_id: portal, name: 'Test portal', portal_type: 'insurance' });
    await admin.storeCredentials({
      portal_id: portal,
      credentials: { username: 'portal_user', password, mfa_seed: SEED, metadata: { portal_type: 'insurance' } },
    });
    return portal;
  }

  test('a worker reads what an admin stored, without the seed, metadata included', async () => {
    const portal = await storedPortal('stored-pw');

    const read = await worker.getCredentials({ portal_id: portal });

    assert.deepEqual(read.credentials,
      { username: 'portal_user', password: 'stored-pw', mfa_seed: '', metadata: { portal_type: 'insurance' } });
    assert.equal(read.version, 1);
    assert.equal(read.source, 'CREDENTIAL_SOURCE_SECRET_STORE');
    const withSeed = await admin.getCredentials({ portal_id: portal, include_mfa_seed: true });
    assert.equal(withSeed.credentials.mfa_seed, SEED);
  });

  test('a rotation with a generated password is read as the next version', async () => {
    const portal = await storedPortal();

    const rotated = await admin.rotateCredentials({ portal_id: portal, password_policy: { length: 24 } });
    const read = await worker.getCredentials({ portal_id: portal });

    assert.ok(rotated.success, rotated.error);
    assert.equal(rotated.version, 2);
    assert.equal(read.version, 2);
    assert.equal(read.credentials.password.length, 24);
  });

  test('an exclusive code with time left goes to one caller', async () => {
    const portal = await storedPortal();

    const code = await worker.totp({ portal_id: portal, min_remaining_seconds: 10, exclusive: true });
    const taken = await rejection(worker.totp({ portal_id: portal, exclusive: true }), ResourceExhausted);

    assert.equal(code.code, expectedTotp(SEED, code.step));
    assert.ok(code.valid_until.seconds - Date.now() / 1000 >= 9);
    assert.equal(taken.reason, 'TOTP_STEP_TAKEN');
    assert.ok(taken.retryAfter > 0 && taken.retryAfter <= code.period_seconds, String(taken.retryAfter));
  });

  test("another tenant's portal is NOT_FOUND like a missing one", async () => {
    const portal = await storedPortal();
    const nowhere = newPortal();

    const foreign = await rejection(otherAdmin.getCredentials({ portal_id: portal }), NotFound);
    const missing = await rejection(otherAdmin.getCredentials({ portal_id: nowhere }), NotFound);

    assert.equal(foreign.reason, missing.reason);
    assert.equal(foreign.description.replace(portal, '<portal>'), missing.description.replace(nowhere, '<portal>'));
    assert.equal((await worker.getCredentials({ portal_id: portal })).credentials.password, 'first-pw');
  });

  test('a worker may not delete', async () => {
    const portal = await storedPortal();

    const denied = await rejection(worker.deleteCredentials({ portal_id: portal }), PermissionDenied);

    assert.ok(denied.reason);
    assert.equal((await admin.deleteCredentials({ portal_id: portal })).deleted, true);
  });

  test('a store is retried through a secret store outage with its idempotency key', async () => {
    const portal = newPortal();
    await admin.registerEndpoint({ portal_id: portal, name: 'Test portal', portal_type: 'insurance' });
    const putsBefore = await localAws.calls(PUT_PARAMETER);
    await localAws.fail(PUT_PARAMETER, `/${portal}`, STORE_ATTEMPTS); // every attempt of the first call
    const warnings = [];
    const retrying = client('ADMIN', { logger: { warn: (message) => warnings.push(message) } });

    const stored = await retrying.storeCredentials({
      portal_id: portal, credentials: { username: 'portal_user', password: 'after-outage' },
    }).finally(() => retrying.close());

    assert.equal(stored.version, 1);
    assert.match(warnings[0], /^retrying StoreCredentials after UNAVAILABLE \(SECRET_STORE_UNAVAILABLE\)/);
    assert.ok((await localAws.calls(PUT_PARAMETER)) - putsBefore > STORE_ATTEMPTS);
    assert.equal((await worker.getCredentials({ portal_id: portal })).credentials.password, 'after-outage');
  });

  test('a write without an idempotency key is not retried', async () => {
    const portal = await storedPortal('kept-pw');
    await localAws.fail(DELETE_PARAMETER, `/${portal}`, STORE_ATTEMPTS); // a second call would pass

    const down = await rejection(admin.deleteCredentials({ portal_id: portal }), Unavailable);

    assert.equal(down.reason, 'SECRET_STORE_UNAVAILABLE');
    assert.equal((await worker.getCredentials({ portal_id: portal })).credentials.password, 'kept-pw');
  });

  test('without retries the first UNAVAILABLE is raised', async () => {
    const portal = newPortal();
    await admin.registerEndpoint({ portal_id: portal, name: 'Test portal', portal_type: 'insurance' });
    await localAws.fail(PUT_PARAMETER, `/${portal}`, STORE_ATTEMPTS);
    const once = client('ADMIN', { retry: NO_RETRY });

    await rejection(once.storeCredentials({ portal_id: portal, credentials: { username: 'u', password: 'p' } })
      .finally(() => once.close()), Unavailable);

    await rejection(worker.getCredentials({ portal_id: portal }), NotFound);
  });

  test('three failed logins pause the credential until an admin resumes it', async () => {
    const portal = await storedPortal();
    const { version } = await worker.getCredentials({ portal_id: portal });

    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await worker.reportLoginOutcome({
        portal_id: portal, outcome: 'LOGIN_OUTCOME_AUTH_FAILED', version, detail: 'wrong password',
      }));
    }
    const paused = await rejection(worker.getCredentials({ portal_id: portal }), CredentialPaused);
    await rejection(worker.totp({ portal_id: portal }), FailedPrecondition);
    const resumed = await admin.resumeCredentials({ portal_id: portal });

    assert.deepEqual(answers.map((a) => a.paused), [false, false, true]);
    assert.equal(answers[2].consecutive_failures, 3);
    assert.equal(paused.reason, 'CREDENTIAL_PAUSED');
    assert.notEqual(resumed.rotation_status, 'ROTATION_STATUS_PAUSED');
    assert.equal((await worker.getCredentials({ portal_id: portal })).version, version);
  });

  test('malformed input is INVALID_ARGUMENT with a stable reason', async () => {
    const portal = await storedPortal();
    const cases = {
      INVALID_PORTAL_ID: () => worker.getCredentials({ portal_id: 'not a portal id!' }),
      INVALID_MIN_REMAINING_SECONDS: () => worker.totp({ portal_id: portal, min_remaining_seconds: -1 }),
      INVALID_CREDENTIALS: () => admin.storeCredentials({
        portal_id: portal, credentials: { username: 'u', password: 'p', mfa_seed: 'not base32!' },
      }),
    };
    for (const [reason, call] of Object.entries(cases)) {
      const invalid = await rejection(call(), InvalidArgument);
      assert.equal(invalid.reason, reason);
      assert.equal(invalid.domain, 'credentials.rcm.org');
    }
  });

  test('a worker rotation is begun, answered again for the same key, and completed', async () => {
    const portal = await storedPortal();
    await admin.setRotationSchedule({ portal_id: portal, rotation_interval_days: 90, auto_rotate: true,
      rotate_now: true });
    const begin = { portal_id: portal, password_policy: { length: 20 }, idempotency_key: `${portal}-1` };

    const due = await worker.listDueRotations({ page_size: 1000 });
    const begun = await worker.beginRotation(begin);
    const again = await worker.beginRotation(begin);
    const completed = await worker.completeRotation({ portal_id: portal, rotation_id: begun.rotation_id,
      succeeded: true });

    assert.ok(due.due.some((d) => d.portal_id === portal));
    assert.equal(again.rotation_id, begun.rotation_id);
    assert.equal(completed.rotation_status, 'ROTATION_STATUS_ACTIVE');
    assert.equal(completed.version, 2);
    const read = await worker.getCredentials({ portal_id: portal });
    assert.equal(read.credentials.password, begun.pending_credentials.password);
  });

  test('the access log records the calls and its chains verify', async () => {
    const portal = await storedPortal();
    await worker.getCredentials({ portal_id: portal });

    const page = await admin.queryAccessLog({ portal_id: portal, page_size: 10 });
    const verified = await admin.verifyAuditLog({});

    const kinds = page.entries.map((e) => e.access_type);
    assert.ok(kinds.includes('ACCESS_TYPE_RETRIEVE') && kinds.includes('ACCESS_TYPE_STORE'), String(kinds));
    assert.ok(verified.intact, verified.finding);
  });
});
