#!/usr/bin/env node
// Sign a credential with Digital Bazaar's libraries, offline, so credpress
// verify can be checked against a signer it does not share code with:
//   node sign-db.mjs --seed HEX64 --vm VERIFICATION_METHOD_ID [--contexts DIR]
//        < unsigned.json > signed.json
//   node sign-db.mjs --batch ... < array-of-unsigned.json
//        prints {"count": N, "ms": signing time} (loading excluded), for
//        bench/vs_digital_bazaar.py
// Uses @digitalbazaar/vc issue() with DataIntegrityProof + eddsa-rdfc-2022 and
// an Ed25519 Multikey made from the 32-byte seed; the controller is the VM id
// without its fragment. Contexts come from the bundled folder (loader-map.json);
// any other URL is refused, so nothing is ever fetched.
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
  seed: {type: 'string'}, vm: {type: 'string'}, contexts: {type: 'string'},
  batch: {type: 'boolean'}
}});
if(!opts.seed || !/^[0-9a-f]{64}$/i.test(opts.seed) || !opts.vm?.includes('#')) {
  console.error('usage: node sign-db.mjs --seed HEX64 --vm ID#FRAGMENT ' +
    '[--contexts DIR] [--batch] < unsigned.json > signed.json');
  process.exit(2);
}

// contexts only: no site is served (the base URL matches nothing we load)
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

const input = JSON.parse(readFileSync(0, 'utf8'));
if(opts.batch) {
  const started = performance.now();
  let count = 0;
  for(const credential of input) {
    delete credential.proof;
    if((await vc.issue({credential, suite, documentLoader})).proof) count++;
  }
  process.stdout.write(JSON.stringify({count, ms: performance.now() - started}) + '\n');
} else {
  delete input.proof;
  const signed = await vc.issue({credential: input, suite, documentLoader});
  process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
}
