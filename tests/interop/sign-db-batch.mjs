#!/usr/bin/env node
// Sign many credentials with Digital Bazaar's libraries in one process, for
// bench/vs_digital_bazaar.py: as sign-db.mjs (offline, eddsa-rdfc-2022, an
// Ed25519 Multikey from the seed), but reads a JSON array of unsigned
// credentials and prints {"count": N, "ms": signing time} (loading excluded):
//   node sign-db-batch.mjs --seed HEX64 --vm ID#FRAGMENT [--contexts DIR] < unsigned.json
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {OfflineWeb} from './harness.mjs';

const {values: opts} = parseArgs({options: {
  seed: {type: 'string'}, vm: {type: 'string'}, contexts: {type: 'string'}
}});
if(!opts.seed || !/^[0-9a-f]{64}$/i.test(opts.seed) || !opts.vm?.includes('#')) {
  console.error('usage: node sign-db-batch.mjs --seed HEX64 --vm ID#FRAGMENT ' +
    '[--contexts DIR] < unsigned.json');
  process.exit(2);
}
const web = new OfflineWeb({site: path.resolve('.'),
  baseUrl: 'https://invalid.invalid/',
  contexts: opts.contexts ? path.resolve(opts.contexts) : undefined});
const documentLoader = async url =>
  ({contextUrl: null, documentUrl: url, document: web.get(url)});
const controller = opts.vm.split('#')[0];
const key = await Ed25519Multikey.generate({id: opts.vm, controller,
  seed: Uint8Array.from(Buffer.from(opts.seed, 'hex'))});
const suite = new DataIntegrityProof({signer: key.signer(),
  cryptosuite: eddsaRdfc2022});

const credentials = JSON.parse(readFileSync(0, 'utf8'));
const started = performance.now();
let signed = 0;
for(const credential of credentials) {
  delete credential.proof;
  const result = await vc.issue({credential, suite, documentLoader});
  if(result.proof) signed++;
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({count: signed, ms}) + '\n');
