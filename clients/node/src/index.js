'use strict';
/**
 * Node client of the RCM credential broker (gRPC over mTLS).
 *
 *   const { CredentialClient } = require('@rcm/credentials-client');
 *   const broker = new CredentialClient('localhost:8443', { cert, key, ca });
 *   const { credentials, version } = await broker.getCredentials({ portal_id: 'bcbs' });
 */
module.exports = {
  ...require('./client'),
  ...require('./errors'),
  ...require('./retry'),
};
