#!/usr/bin/env node
'use strict';
/**
 * Lists the broker's services and their methods by server reflection, for debugging (what
 * `grpcurl ... list` shows). The broker serves reflection when rcm.grpc.reflection is true (the
 * local run sets it), to certificates mapped to a tenant.
 *
 *   node clients/node/examples/reflection.js --pki target/local/pki
 *
 * Only for discovery: grpc-js-reflection-client's getPackageObject loads map<string,string>
 * fields wrongly (Credentials.metadata comes back lost), so real calls load the proto file with
 * @grpc/proto-loader, as CredentialClient does.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const grpc = require('@grpc/grpc-js');
const { GrpcReflection } = require('grpc-js-reflection-client');

async function main() {
  const { values: args } = parseArgs({
    options: {
      target: { type: 'string', default: 'localhost:8443' },
      pki: { type: 'string', default: 'target/local/pki' },
      identity: { type: 'string', default: 'demo-worker' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
    },
  });
  const read = (file, fallback) => fs.readFileSync(file ?? path.join(args.pki, fallback));
  const credentials = grpc.credentials.createSsl(read(args.ca, 'ca.crt'), read(args.key, `${args.identity}.key`),
    read(args.cert, `${args.identity}.crt`));
  const reflection = new GrpcReflection(args.target, credentials);
  for (const service of (await reflection.listServices()).sort()) {
    console.log(service);
    if (service.startsWith('grpc.')) {
      continue; // health and reflection themselves
    }
    for (const method of await reflection.listMethods(service)) {
      console.log(`  ${service}/${method.name}`);
    }
  }
}

main().catch((e) => {
  console.error(`reflection failed: ${e.message}`);
  process.exitCode = 1;
});
