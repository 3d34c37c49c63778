'use strict';
/** examples/, run as a worker team would run them, against the real broker. */
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');
const { describe, test } = require('node:test');
const { promisify } = require('node:util');
const { client, newPortal, skipWithoutBroker } = require('./env');

const run = promisify(execFile);
const examples = path.resolve(__dirname, '../examples');

function certificateArgs(role) {
  const env = process.env;
  return ['--target', env.RCM_TARGET, '--cert', env[`RCM_${role}_CERT`], '--key', env[`RCM_${role}_KEY`],
    '--ca', env.RCM_CA];
}

describe('the examples', { skip: skipWithoutBroker }, () => {
  test('the example worker logs in and reports it', async () => {
    const portal = newPortal('node-example');
    const admin = client('ADMIN');
    await admin.registerEndpoint({ portal_id: portal, name: 'Example portal', portal_type: 'insurance' });
    await admin.storeCredentials({ portal_id: portal,
      credentials: { username: 'portal_user', password: 'example-pw', mfa_seed: 'JBSWY3DPEHPK3PXP' } });
    admin.close();

    const { stdout, stderr } = await run(process.execPath,
      [path.join(examples, 'worker.js'), ...certificateArgs('WORKER'), '--portal', portal], { timeout: 120000 });

    assert.match(stdout, new RegExp(`^${portal}: LOGIN_OUTCOME_SUCCESS with version 1`, 'm'));
    assert.doesNotMatch(stdout + stderr, /example-pw/);
  });

  test('the example worker reads again when the password changed meanwhile', async () => {
    const { FakePortal, logInOnce } = require('../examples/worker');
    const portal = newPortal('node-example');
    const admin = client('ADMIN');
    const worker = client('WORKER');
    await admin.registerEndpoint({ portal_id: portal, name: 'Example portal', portal_type: 'insurance' });
    // 15 s steps: the second login waits for the next step, as the first one took this one
    await admin.storeCredentials({ portal_id: portal, credentials: { username: 'portal_user', password: 'old-pw',
      mfa_seed: 'JBSWY3DPEHPK3PXP', metadata: { totp_period: '15' } } });

    /** Refuses the first login because an admin rotated the password meanwhile. */
    class PasswordChangedDuringLogin extends FakePortal {
      async login(username, password, code) {
        if (password === 'old-pw') {
          await admin.rotateCredentials({ portal_id: portal, new_credentials: { password: 'new-pw' } });
          return 'LOGIN_OUTCOME_AUTH_FAILED';
        }
        return super.login(username, password, code);
      }
    }
    const outcome = await logInOnce(worker, new PasswordChangedDuringLogin(), portal);
    const after = await worker.getCredentials({ portal_id: portal });
    admin.close();
    worker.close();

    assert.equal(outcome, 'LOGIN_OUTCOME_SUCCESS');
    assert.equal(after.version, 2);
    assert.equal(after.rotation_status, 'ROTATION_STATUS_ACTIVE');
  });

  test('the reflection example lists every RPC of both services', async () => {
    const { stdout } = await run(process.execPath, [path.join(examples, 'reflection.js'), ...certificateArgs('WORKER')],
      { timeout: 60000 });

    assert.match(stdout, /^ {2}rcm\.credentials\.v1\.CredentialService\/GetCredentials$/m);
    assert.match(stdout, /^ {2}rcm\.credentials\.v1\.CredentialService\/ReportLoginOutcome$/m);
    assert.match(stdout, /^ {2}rcm\.credentials\.v1\.CredentialAdminService\/VerifyAuditLog$/m);
  });
});
