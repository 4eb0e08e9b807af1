#!/usr/bin/env node
// Verify credpress credentials with the Digital Credentials Consortium
// verifier (@digitalcredentials/verifier-core, used by the Learner Credential
// Wallet), offline:
//   node verify-dcc.mjs --site DIR --base-url URL [--contexts DIR]
//                       [--schemas DIR] [--expect-fail] [FILE.json ...]
//
// verifier-core takes no document loader: it builds its own at import time
// (bundled contexts + its own did:web / did:key resolvers, falling back to
// HTTP). All of its HTTP goes through globalThis.fetch, so we replace fetch
// (before importing it) with one that answers from the same offline web as
// verify-db.mjs and refuses everything else as a network error. Its own
// verification code, contexts and did:web resolution run unchanged.
//
// Issuer registries: we pass none (the DCC list is fetched from the web), so
// "registered_issuer" is always false here; it is reported, not counted.
import path from 'node:path';
import {readdirSync, existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {OfflineWeb, errorText, parseCli, readJson, runAll} from
  './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const options = parseCli(process.argv.slice(2), {
  schemas: {type: 'string',
    default: path.join(HERE, '../../credpress/data/schemas')}
});
const web = new OfflineWeb(options);
const schemas = loadSchemas(options.schemas);
const refused = [];

globalThis.fetch = async function offlineFetch(input) {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  const document = schemas.get(url) ?? tryGet(url);
  if(document === undefined) {
    refused.push(url);
    // what a real fetch throws when the network is down
    throw new TypeError(`fetch failed (offline: refused ${url})`);
  }
  return new Response(JSON.stringify(document),
    {status: 200, headers: {'content-type': 'application/json'}});
};
// verifier-core logs schema-fetch problems with console.log; keep stdout
// for our JSON lines
console.log = (...args) => console.error(...args);
const print = line => process.stdout.write(line + '\n');

const {verifyCredential} = await import('@digitalcredentials/verifier-core');

await runAll({...options, print}, async credential => {
  refused.length = 0;
  const result = await verifyCredential({credential, knownDIDRegistries: []});
  return summarize(result);
});

function tryGet(url) {
  try {
    return web.get(url);
  } catch {
    return undefined;
  }
}

// JSON Schemas the verifier fetches (it guesses the OB 3.0 schema from the
// credential type), indexed by their "$id"
function loadSchemas(dir) {
  const byId = new Map();
  if(existsSync(dir)) {
    for(const f of readdirSync(dir).filter(f => f.endsWith('.json'))) {
      const schema = readJson(path.join(dir, f));
      if(schema.$id) {
        byId.set(schema.$id, schema);
      }
    }
  }
  return byId;
}

// verifier-core reports per-step results in "log" and fatal problems in
// "errors". Pass = no errors and every step except registered_issuer true.
function summarize(result) {
  const out = {verified: false};
  if(result.errors) {
    // stackTrace is sometimes the underlying Error (worth showing), and
    // sometimes just a stack string (noise)
    out.error = result.errors.map(e => `${e.name}: ${e.message}` +
      (e.stackTrace instanceof Error ? ` (${errorText(e.stackTrace)})` : ''))
      .join('; ');
  }
  const steps = {};
  for(const step of result.log ?? []) {
    steps[step.id] = step.error ? `error: ${step.error.message}` : step.valid;
  }
  out.steps = steps;
  const failed = Object.entries(steps).filter(
    ([id, v]) => id !== 'registered_issuer' && v !== true);
  out.verified = !result.errors && 'valid_signature' in steps &&
    failed.length === 0;
  if(!out.verified && !out.error) {
    out.error = `failed steps: ${failed.map(([id]) => id).join(', ')}`;
  }
  const schema = (result.additionalInformation ?? [])
    .find(i => i.id === 'schema_check');
  if(schema) {
    out.schema = Array.isArray(schema.results) ?
      schema.results.map(r => ({schema: r.schema, valid: r.result.valid,
        ...(r.result.errors ? {errors: r.result.errors.map(e =>
          `${e.instancePath} ${e.message}`)} : {})})) :
      schema.results;
  }
  if(refused.length > 0) {
    out.refusedUrls = [...new Set(refused)];
  }
  return out;
}
