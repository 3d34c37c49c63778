#!/usr/bin/env node
'use strict';
/**
 * A portal worker's login loop against a fake payer portal.
 *
 * For each login: get the credentials and their version, get an exclusive TOTP code with at least
 * 10 s left, log in to the (fake) portal, report the outcome with that version, and start again
 * from the credentials when the answer's current_version is newer (the password changed meanwhile).
 *
 * Against `./mvnw -Plocal` (tenant demo), after an admin stored credentials for the portal:
 *
 *   node clients/node/examples/worker.js --pki target/local/pki --portal bcbs
 *
 * Prints what happened, never a password or a code.
 */
const path = require('node:path');
const { parseArgs } = require('node:util');
const { CredentialClient, CredentialPaused, RcmError } = require('..');

const MIN_REMAINING_SECONDS = 10;

/** Stands in for a payer portal: refuses an empty password and a code used twice. */
class FakePortal {
  usedCodes = new Set();

  /** The login outcome as ReportLoginOutcome names it (a real portal answers asynchronously). */
  async login(username, password, code) {
    if (!username || !password) {
      return 'LOGIN_OUTCOME_AUTH_FAILED';
    }
    if (this.usedCodes.has(code)) {
      return 'LOGIN_OUTCOME_MFA_FAILED';
    }
    this.usedCodes.add(code);
    return 'LOGIN_OUTCOME_SUCCESS';
  }
}

/** One login, re-reading the credentials while the broker says they changed meanwhile. */
async function logInOnce(broker, portal, portalId) {
  for (;;) {
    const read = await broker.getCredentials({ portal_id: portalId });
    const code = await broker.totp({ portal_id: portalId, min_remaining_seconds: MIN_REMAINING_SECONDS, exclusive: true });
    const outcome = await portal.login(read.credentials.username, read.credentials.password, code.code);
    const report = await broker.reportLoginOutcome({ portal_id: portalId, outcome, version: read.version });
    if (report.current_version <= read.version) {
      console.log(`${portalId}: ${outcome} with version ${read.version}`
        + ` (consecutive failures ${report.consecutive_failures})`);
      return outcome;
    }
    console.log(`${portalId}: version ${report.current_version} is newer than ${read.version}; reading again`);
  }
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      target: { type: 'string', default: 'localhost:8443' },
      pki: { type: 'string', default: 'target/local/pki' },
      identity: { type: 'string', default: 'demo-worker' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      portal: { type: 'string' },
      logins: { type: 'string', default: '1' },
    },
  });
  if (!args.portal) {
    console.error('usage: worker.js --portal ID [--target host:port] [--pki DIR --identity NAME | --cert --key --ca]');
    return 64;
  }
  const broker = new CredentialClient(args.target, {
    cert: args.cert ?? path.join(args.pki, `${args.identity}.crt`),
    key: args.key ?? path.join(args.pki, `${args.identity}.key`),
    ca: args.ca ?? path.join(args.pki, 'ca.crt'),
  });
  const portal = new FakePortal();
  try {
    for (let i = 0; i < Number(args.logins); i++) {
      if (await logInOnce(broker, portal, args.portal) !== 'LOGIN_OUTCOME_SUCCESS') {
        return 1;
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof CredentialPaused) {
      console.log(`${args.portal}: paused after failed logins; an admin must resume or replace it`);
      return 2;
    }
    if (e instanceof RcmError) {
      console.error(`${args.portal}: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    broker.close();
  }
}

if (require.main === module) {
  main().then((status) => { process.exitCode = status; });
}

module.exports = { FakePortal, logInOnce };
