#!/usr/bin/env node
// Build a tiny did:web site signed by Digital Bazaar's own vc.issue, so the
// verifiers can be checked against a known-good credential:
//   node make-fixture-site.mjs OUT_DIR [--contexts DIR]
// Writes OUT/issuers/acme/did.json (did:web:example.test:issuers:acme),
// OUT/credentials/x.json (OpenBadgeCredential, eddsa-rdfc-2022, no status),
// OUT/status/1.json (BitstringStatusListCredential, revocation) and two
// badges that point into it: active.json (bit clear), revoked.json (bit set).
// Base URL: https://example.test/. The key is fresh each run.
import {mkdirSync, writeFileSync} from 'node:fs';
import {createHash, randomBytes} from 'node:crypto';
import path from 'node:path';
import {parseArgs} from 'node:util';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createList} from '@digitalbazaar/vc-bitstring-status-list';
import {OfflineWeb} from './harness.mjs';

const {values: opts, positionals} = parseArgs({allowPositionals: true,
  options: {contexts: {type: 'string'}}});
if(positionals.length !== 1) {
  console.error('usage: node make-fixture-site.mjs OUT_DIR [--contexts DIR]');
  process.exit(2);
}
const out = path.resolve(positionals[0]);
const BASE = 'https://example.test/';
const DID = 'did:web:example.test:issuers:acme';

// the signer also needs contexts; use the same offline web (no DIDs needed)
const web = new OfflineWeb({site: out, baseUrl: BASE,
  contexts: opts.contexts ? path.resolve(opts.contexts) : undefined});
const documentLoader = async url =>
  ({contextUrl: null, documentUrl: url, document: web.get(url)});

const key = await Ed25519Multikey.generate({id: `${DID}#key-1`,
  controller: DID});
const {publicKeyMultibase} = await key.export({publicKey: true});
write('issuers/acme/did.json', {
  '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
  id: DID,
  verificationMethod: [{id: key.id, type: 'Multikey', controller: DID,
    publicKeyMultibase}],
  assertionMethod: [key.id]
});

const suite = new DataIntegrityProof({signer: key.signer(),
  cryptosuite: eddsaRdfc2022});
const sign = credential => vc.issue({credential, suite, documentLoader});

// status list: bit 7 set (revoked.json), bit 3 clear (active.json)
const list = await createList({length: 131072});
list.setStatus(7, true);
write('status/1.json', await sign({
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  id: `${BASE}status/1.json`,
  type: ['VerifiableCredential', 'BitstringStatusListCredential'],
  issuer: DID,
  validFrom: '2024-01-01T00:00:00Z',
  credentialSubject: {id: `${BASE}status/1.json#list`,
    type: 'BitstringStatusList', statusPurpose: 'revocation',
    encodedList: await list.encode()}
}));

write('credentials/x.json', await sign(badge('x')));
write('credentials/active.json', await sign(badge('active', 3)));
write('credentials/revoked.json', await sign(badge('revoked', 7)));
console.log(`wrote fixture site to ${out} (base URL ${BASE})`);

function badge(name, statusIndex) {
  const salt = randomBytes(8).toString('hex');
  const email = 'learner@example.test';
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: `${BASE}credentials/${name}.json`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: {id: DID, type: ['Profile'], name: 'Acme Academy'},
    validFrom: '2024-05-01T00:00:00Z',
    name: 'Acme Badge',
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{type: 'IdentityObject', identityType: 'emailAddress',
        hashed: true, salt,
        identityHash: 'sha256$' +
          createHash('sha256').update(email + salt).digest('hex')}],
      achievement: {id: `${BASE}achievements/a.json`, type: ['Achievement'],
        name: 'Acme Achievement', description: 'Did the thing.',
        criteria: {narrative: 'Do the thing, well.'}}
    },
    ...(statusIndex === undefined ? {} : {
      credentialStatus: {id: `${BASE}status/1.json#${statusIndex}`,
        type: 'BitstringStatusListEntry', statusPurpose: 'revocation',
        statusListIndex: String(statusIndex),
        statusListCredential: `${BASE}status/1.json`}
    })
  };
}

function write(rel, json) {
  const file = path.join(out, rel);
  mkdirSync(path.dirname(file), {recursive: true});
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
}
