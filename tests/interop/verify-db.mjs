#!/usr/bin/env node
// Verify credpress credentials (and learner records, CLR 2.0) with Digital
// Bazaar's libraries, offline:
//   node verify-db.mjs --site DIR --base-url URL [--contexts DIR]
//                      [--expect-fail] [FILE.json ...]
// Libraries: @digitalbazaar/vc (verifyCredential), data-integrity
// (DataIntegrityProof), eddsa-rdfc-2022-cryptosuite, vc-bitstring-status-list.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus as checkBitstringStatus} from
  '@digitalbazaar/vc-bitstring-status-list';
import {
  MULTIKEY_CONTEXT_V1, OfflineWeb, didWebToUrl, errorText, parseCli, runAll
} from './harness.mjs';

const options = parseCli(process.argv.slice(2));
const web = new OfflineWeb(options);
const documentLoader = makeDocumentLoader(web);
// verify-only suite: no signer, the key comes from the proof's
// verificationMethod through the document loader
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

await runAll(options, verifyWithEmbedded);

// A CLR 2.0 ClrCredential (a learner record) embeds complete credentials in
// credentialSubject.verifiableCredential: verify the record's own proof, then
// each embedded credential separately, with its own proofs and status.
// {"embedded": [{"id", "verified", "error"?}]}; verified only if all are.
async function verifyWithEmbedded(credential) {
  const out = await verifyOne(credential);
  if(![].concat(credential.type ?? []).includes('ClrCredential')) {
    return out;
  }
  const inner = [].concat(credential.credentialSubject?.verifiableCredential ?? []);
  out.outer = out.verified;
  out.embedded = [];
  for(const embedded of inner) {
    let result;
    try {
      result = await verifyOne(embedded);
    } catch(e) {
      result = {verified: false, error: errorText(e)};
    }
    out.embedded.push({id: embedded.id, ...result});
  }
  out.verified = out.outer && inner.length > 0 &&
    out.embedded.every(r => r.verified);
  return out;
}

async function verifyOne(credential) {
  const hasBitstringStatus = statusEntries(credential).some(
    s => s.type === 'BitstringStatusListEntry');
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    // vc refuses a credential with credentialStatus unless given a checker;
    // the checker also verifies the status list credential's own proof
    ...(hasBitstringStatus ? {checkStatus: checkBitstringStatus} : {})
  });
  const out = {verified: result.verified};
  if(!result.verified) {
    // the top-level error is usually set; else look in per-proof results
    out.error = errorText(result.error) ||
      (result.results ?? []).map(r => errorText(r.error)).filter(Boolean)
        .join('; ') ||
      'not verified';
  }
  if(result.statusResult) {
    Object.assign(out, statusReport(result.statusResult));
  }
  return out;
}

// {"status": {"revocation": false}}: true means the bit is set (revoked /
// suspended). A set bit fails the credential: the proof is intact but the
// issuer has withdrawn it, and a wallet would show it as not valid.
function statusReport(statusResult) {
  if(!statusResult.verified) {
    return {verified: false,
      error: `status check failed: ${errorText(statusResult.error)}`};
  }
  const status = {};
  for(const {credentialStatus, status: bit} of statusResult.results) {
    status[credentialStatus.statusPurpose] = bit;
  }
  const set = Object.entries(status).filter(([, bit]) => bit);
  return set.length === 0 ? {status} : {
    verified: false, status,
    error: `status bit set for: ${set.map(([p]) => p).join(', ')}`
  };
}

function statusEntries(credential) {
  const {credentialStatus} = credential;
  return credentialStatus === undefined ? [] : [].concat(credentialStatus);
}

/**
 * JSON-LD document loader over the offline web. Handles:
 * - bundled contexts and https URLs under --base-url;
 * - did:web DIDs (DID document read from the site);
 * - DID URLs / URLs with a fragment: the verification method with that id,
 *   as a stand-alone document (data-integrity and ed25519-multikey need
 *   its own "@context" to recognise the Multikey type).
 */
function makeDocumentLoader(web) {
  return async function documentLoader(url) {
    if(process.env.DEBUG_LOADER) {
      console.error(`loader: ${url}`);
    }
    const [base, fragment] = url.split('#');
    const document = base.startsWith('did:') ?
      resolveDid(base) : web.get(base);
    return {
      contextUrl: null,
      documentUrl: url,
      document: fragment === undefined ? document :
        verificationMethod(document, url)
    };
  };

  function resolveDid(did) {
    if(!did.startsWith('did:web:')) {
      throw new Error(`unsupported DID method (offline loader): "${did}"`);
    }
    const doc = web.get(didWebToUrl(did));
    // did:web: the document must describe the DID it was resolved for
    if(doc.id !== did) {
      throw new Error(`DID document id "${doc.id}" does not match "${did}"`);
    }
    return doc;
  }
}

function verificationMethod(doc, vmId) {
  // ids may be relative ("#key-1") to the controller document's id
  const absolute = id => id?.startsWith('#') ? doc.id + id : id;
  const candidates = [
    ...[].concat(doc.verificationMethod ?? []),
    // some controller documents embed the method under a relationship
    ...[].concat(doc.assertionMethod ?? []).filter(m => typeof m === 'object')
  ];
  const vm = candidates.find(m => absolute(m.id) === vmId);
  if(!vm) {
    throw new Error(`verification method "${vmId}" not found in "${doc.id}"`);
  }
  const context = vm.type === 'Multikey' ? MULTIKEY_CONTEXT_V1 :
    doc['@context'];
  return {'@context': context, ...vm, id: vmId,
    controller: absolute(vm.controller)};
}
