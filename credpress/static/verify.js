// credpress browser verifier for Open Badges 3.0 credentials (an ES module,
// no dependencies). It checks, with what every current browser has (fetch,
// WebCrypto Ed25519, DecompressionStream):
//
//   signature  the eddsa-jcs-2022 Data Integrity proof over the credential JSON
//   key        the signing key is the issuer's (did:web DID document or did:key)
//   status     the issuer's signed Bitstring Status List, when there is one
//   validity   validFrom / validUntil against this device's clock
//
// Why JCS: eddsa-rdfc-2022 (the proof OB 3.0 conformance requires) needs a
// JSON-LD processor and every context; eddsa-jcs-2022 signs the JSON itself,
// so a few lines of canonical JSON are all a browser needs. credpress signs
// every credential with both.
//
// Every entry point resolves to a result object and never throws:
//   {state, headline, summary, checks: [{id, ok, status, label, detail}], credential, issuer, ms}
// state / check.status: "verified"|"ok", "foreign", "failed", "revoked", "expired", "unsupported".
// "foreign": every check passed, but the signer is not one of this site's issuers
// (options.siteIssuers): a genuine signature by someone else, never shown as verified.
//
// Everything it reads is bounded before it is decoded: multibase strings, JSON
// text and files, downloads, decompressed status lists and JSON nesting depth.

const JCS_SUITE = "eddsa-jcs-2022";
const KNOWN_SUITES = ["eddsa-rdfc-2022", JCS_SUITE];
const OB_BAKED_NS = "https://purl.imsglobal.org/ob/v3p0";
const MIN_STATUS_BITS = 131072; // Bitstring Status List §4: shorter lists are an error (herd privacy)
const FETCH_TIMEOUT_MS = 8000;
// An Ed25519 signature is 88 base58 characters and a Multikey 48: anything much
// longer is refused before decoding (base58 decoding takes time quadratic in length).
export const MAX_MULTIBASE_CHARS = 128;
export const MAX_JSON_CHARS = 2_000_000; // pasted or extracted JSON (credpress verify: 2 MB)
export const MAX_DOWNLOAD_BYTES = 2_000_000; // credentials, DID documents, status lists
export const MAX_FILE_BYTES = 8_000_000; // a dropped file: a baked badge image is larger than its JSON
export const MAX_LIST_BYTES = 16 * 1024 * 1024; // a decompressed status list (as credpress verify)
export const MAX_JSON_DEPTH = 100; // credentials nest about 8 deep; the checks must never overflow the stack

// --- Canonical JSON (RFC 8785, JCS) --------------------------------------------------

/** The RFC 8785 canonical form of a JSON value, as a string. */
export function jcs(value) {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    // §3.2.2.3: numbers in ECMAScript form, which is exactly what JSON.stringify
    // writes (1e+21, 1e-7, 0.1, and -0 as 0).
    if (!Number.isFinite(value)) throw new Error("JCS: numbers must be finite");
    return JSON.stringify(value);
  }
  if (typeof value === "string") {
    // §3.2.2.2: JSON.stringify's escaping is the JCS escaping; lone surrogates
    // have no UTF-8 form, so they are an error rather than silently replaced.
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
      throw new Error("JCS: a string holds an unpaired surrogate");
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
  if (typeof value === "object") {
    // §3.2.3: members sorted by name as UTF-16 code units: the default sort order.
    const names = Object.keys(value).sort();
    return "{" + names.map((name) => jcs(name) + ":" + jcs(value[name])).join(",") + "}";
  }
  throw new Error(`JCS: ${typeof value} is not a JSON value`);
}

// --- Encodings -----------------------------------------------------------------------

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** base58btc (Bitcoin alphabet) → bytes; at most MAX_MULTIBASE_CHARS characters. */
export function base58Decode(text) {
  if (text.length > MAX_MULTIBASE_CHARS) throw new Error(`base58btc value longer than ${MAX_MULTIBASE_CHARS} characters`);
  const bytes = []; // little-endian base-256 digits of the number so far
  for (const char of text) {
    let carry = B58.indexOf(char);
    if (carry < 0) throw new Error(`"${char}" is not a base58btc character`);
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i] * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    for (; carry; carry >>= 8) bytes.push(carry & 0xff);
  }
  // Each leading "1" stands for one leading zero byte.
  for (const char of text) {
    if (char !== "1") break;
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

/** The 32 raw bytes of an Ed25519 Multikey "z6Mk…"; anything else is an error. */
export function decodeMultikey(multibase) {
  if (typeof multibase !== "string" || !multibase.startsWith("z")) {
    throw new Error("the public key is not base58btc multibase (it must start with z)");
  }
  if (multibase.length > MAX_MULTIBASE_CHARS) throw new Error("the public key is far too long for an Ed25519 key");
  const bytes = base58Decode(multibase.slice(1));
  // Multicodec 0xed 0x01 is ed25519-pub; other prefixes (P-256, X25519…) are refused.
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new Error("the public key is not an Ed25519 Multikey (z6Mk…)");
  }
  return bytes.slice(2);
}

function base64urlDecode(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** All of *stream*'s bytes, or an error as soon as there are more than *limit*. */
async function readAtMost(stream, limit) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      reader.cancel().catch(() => {});
      throw new Error(`more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

async function gunzip(bytes) {
  // A few kilobytes of GZIP can inflate to gigabytes: stop at MAX_LIST_BYTES.
  return readAtMost(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")), MAX_LIST_BYTES);
}

/** Is *value* nested deeper than MAX_JSON_DEPTH? (Iterative: deep input must not overflow the stack.) */
function tooDeep(value) {
  const stack = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop();
    if (item === null || typeof item !== "object") continue;
    if (depth > MAX_JSON_DEPTH) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/** JSON.parse, refusing nesting deeper than MAX_JSON_DEPTH (a SyntaxError-like Error either way). */
function parseJson(text) {
  const value = JSON.parse(text);
  if (tooDeep(value)) throw new RangeError(`nested more than ${MAX_JSON_DEPTH} levels deep`);
  return value;
}

const utf8 = (bytes) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);
const asArray = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

// --- WebCrypto -----------------------------------------------------------------------

// RFC 8032 §7.1 test 1 public key: a known-good key for the feature test.
const PROBE_KEY = Uint8Array.from("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a".match(/../g),
  (h) => parseInt(h, 16));
let ed25519Probe;

/** Does this browser verify Ed25519 in WebCrypto? (Feature test, not a version sniff.) */
export function ed25519Supported() {
  ed25519Probe ??= (async () => {
    try {
      await crypto.subtle.importKey("raw", PROBE_KEY, { name: "Ed25519" }, false, ["verify"]);
      return true;
    } catch {
      return false; // no crypto.subtle (not https) or no Ed25519 in this browser
    }
  })();
  return ed25519Probe;
}

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

// --- Results -------------------------------------------------------------------------

/** A failed check with words for people: a short label and a longer detail. */
class CheckFailure extends Error {
  constructor(label, detail, status = "failed") {
    super(label);
    this.detail = detail;
    this.status = status;
  }
}

const ok = (id, label, detail) => ({ id, ok: true, status: "ok", label, detail });
const notOk = (id, label, detail, status = "failed") => ({ id, ok: false, status, label, detail });
const fromFailure = (id, error) =>
  error instanceof CheckFailure
    ? notOk(id, error.message, error.detail, error.status)
    : notOk(id, "The check could not be completed", String(error?.message ?? error));

// Dates as the pages print them ("21 August 2031", UTC). Not Intl.DateTimeFormat:
// creating one costs 30-80 ms of main thread on first use, more than the whole check.
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December"];
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseMoment(value, field) {
  if (typeof value !== "string" || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new CheckFailure(`The credential's ${field} is not a valid date`, `${field} is ${JSON.stringify(value)}.`);
  }
  return new Date(value);
}

export const formatDate = (moment) =>
  `${moment.getUTCDate()} ${MONTHS[moment.getUTCMonth()]} ${moment.getUTCFullYear()}`;

// --- Fetching ------------------------------------------------------------------------

/** Where to fetch *url* from. URLs under the site's own base_url are read from
 * the site root this page was served from, so a local preview on 127.0.0.1
 * checks its own files exactly as the deployed site would. */
function locate(url, options) {
  const { baseUrl, siteRoot } = options;
  // base_url ends with "/", so https://host.evil.example/ never matches https://host/.
  return baseUrl?.endsWith("/") && siteRoot && url.startsWith(baseUrl) ? new URL(url.slice(baseUrl.length), siteRoot).href : url;
}

async function fetchText(url, what, options, cache = "no-cache") {
  const from = locate(url, options);
  let response;
  try {
    const signal = AbortSignal.timeout ? AbortSignal.timeout(FETCH_TIMEOUT_MS) : undefined;
    // no-cache (DID documents, status lists): revalidate, so a withdrawn key
    // or a revocation shows up at once.
    response = await fetch(from, { cache, signal });
  } catch {
    throw new CheckFailure(`Could not download ${what}`,
      `${url} did not answer, or its server does not let browsers on other sites read it (CORS).`);
  }
  if (!response.ok) throw new CheckFailure(`Could not download ${what}`, `${url} answered HTTP ${response.status}.`);
  let bytes;
  try {
    if (Number(response.headers.get("content-length")) > MAX_DOWNLOAD_BYTES) throw new Error("too large");
    bytes = response.body ? await readAtMost(response.body, MAX_DOWNLOAD_BYTES)
      : new Uint8Array(await response.arrayBuffer());
    if (bytes.length > MAX_DOWNLOAD_BYTES) throw new Error("too large");
  } catch {
    throw new CheckFailure(`Could not download ${what}`,
      `${url} is larger than ${MAX_DOWNLOAD_BYTES / 1e6} MB, far more than ${what} needs, or its download broke off.`);
  }
  // As response.text() would: UTF-8, a byte order mark dropped, bad bytes replaced.
  return { text: new TextDecoder().decode(bytes), type: response.headers.get("content-type") || "", url: response.url };
}

function newContext(options) {
  const ctx = { options, cache: new Map() };
  // A badge page knows its issuer, so the DID document is fetched while the
  // credential downloads; it is used only if the credential names that issuer.
  for (const did of options.prefetchDids ?? []) {
    try {
      fetchJson(didWebUrl(did), "the issuer's DID document", ctx).catch(() => {});
    } catch {
      // not a did:web: nothing to prefetch
    }
  }
  return ctx;
}

function fetchJson(url, what, ctx) {
  // One download per URL per verification: the DID document serves the
  // credential and its status list alike.
  if (!ctx.cache.has(url)) {
    ctx.cache.set(url, fetchText(url, what, ctx.options).then(({ text }) => {
      try {
        return parseJson(text);
      } catch (error) {
        throw new CheckFailure(`Could not read ${what}`, `${url} is not valid JSON${error instanceof RangeError
          ? `: it is ${error.message}` : ""}.`);
      }
    }));
  }
  return ctx.cache.get(url);
}

// --- Keys: did:web and did:key --------------------------------------------------------

/** did:web resolution (did:web §2.5.2 Read): did:web:host%3Aport:a:b → https://host:port/a/b/did.json */
export function didWebUrl(did) {
  if (!did.startsWith("did:web:")) throw new CheckFailure("The issuer's DID is not a did:web", did);
  const parts = did.slice("did:web:".length).split("#")[0].split(":").map(decodeURIComponent);
  const [host, ...path] = parts;
  if (!host || /[/?@]/.test(host)) throw new CheckFailure("The issuer's DID is not a valid did:web", did);
  return path.length ? `https://${host}/${path.join("/")}/did.json` : `https://${host}/.well-known/did.json`;
}

const idOf = (value) => (typeof value === "string" ? value : value?.id);

/** The Ed25519 key named by a proof's verificationMethod, checked to be the issuer's. */
async function resolveKey(vmUrl, issuerId, ctx) {
  if (typeof vmUrl !== "string" || typeof issuerId !== "string" || !vmUrl.startsWith(issuerId + "#")) {
    throw new CheckFailure("The signing key does not belong to the issuer",
      `The proof names the key ${vmUrl}, which is not a key of the issuer ${issuerId}.`);
  }
  if (issuerId.startsWith("did:key:")) {
    // did:key: the identifier is the key, and its one key's fragment repeats it.
    const multibase = issuerId.slice("did:key:".length);
    if (vmUrl !== `${issuerId}#${multibase}`) throw new CheckFailure("The did:key key reference is malformed", vmUrl);
    return { key: keyBytes(multibase), where: null };
  }
  if (!issuerId.startsWith("did:web:")) {
    throw new CheckFailure("This issuer's kind of identifier can't be checked in the browser",
      `The issuer is ${issuerId}; only did:web and did:key are supported here.`, "unsupported");
  }
  const url = didWebUrl(issuerId);
  const doc = await fetchJson(url, "the issuer's DID document", ctx);
  if (doc?.id !== issuerId) {
    throw new CheckFailure("The issuer's DID document is not the issuer's",
      `${url} describes ${JSON.stringify(doc?.id)}, not ${issuerId}.`);
  }
  const method = asArray(doc.verificationMethod).find((m) => m?.id === vmUrl);
  if (!method) {
    throw new CheckFailure("The signing key is not in the issuer's DID document",
      `${url} does not list ${vmUrl}: the key may have been withdrawn.`);
  }
  // Only a key listed (as a full DID URL) for assertionMethod may sign credentials.
  if (!asArray(doc.assertionMethod).includes(vmUrl)) {
    throw new CheckFailure("The signing key is not allowed to issue credentials",
      `${url} does not list ${vmUrl} under assertionMethod.`);
  }
  if (method.controller !== issuerId) {
    throw new CheckFailure("The signing key is controlled by someone else",
      `Its controller is ${JSON.stringify(method.controller)}, not the issuer ${issuerId}.`);
  }
  if (method.type !== "Multikey") {
    throw new CheckFailure("The signing key has an unsupported type", `${vmUrl} is ${JSON.stringify(method.type)}, not Multikey.`);
  }
  return { key: keyBytes(method.publicKeyMultibase), where: url };
}

function keyBytes(multibase) {
  try {
    return decodeMultikey(multibase);
  } catch (error) {
    throw new CheckFailure("The issuer's key is not a valid Ed25519 key", `${error.message}.`);
  }
}

// --- The eddsa-jcs-2022 proof (vc-di-eddsa §3.3, "Verify Proof (eddsa-jcs-2022)") ---

/** The 64 signature bytes of a proofValue ("z" + base58btc), or null. */
function signatureBytes(proofValue) {
  if (typeof proofValue !== "string" || !proofValue.startsWith("z") || proofValue.length > MAX_MULTIBASE_CHARS) return null;
  try {
    const bytes = base58Decode(proofValue.slice(1));
    return bytes.length === 64 ? bytes : null;
  } catch {
    return null;
  }
}

/** true if *proof* is a valid eddsa-jcs-2022 signature of *document* by *publicKey*. */
export async function verifyJcsProof(document, proof, publicKey) {
  // 1. The unsecured document is the secured one without its proof.
  const { proof: _proofs, ...unsecured } = document;
  // 2. The proof options are the proof without its proofValue.
  const { proofValue, ...options } = proof;
  if (options.type !== "DataIntegrityProof" || options.cryptosuite !== JCS_SUITE) return false;
  // 3. The signature: multibase base58btc ("z…") of 64 bytes.
  const signature = signatureBytes(proofValue);
  if (!signature) return false;
  // 4. *If* the proof has an @context, the spec wants the document's @context to
  //    start with it, and hashes the document with the proof's. We require the
  //    same @context (URLs, as strings): a context appended after signing would
  //    otherwise be accepted unsigned. Stricter than the spec and than Digital
  //    Bazaar (both take a prefix), never more lenient. Without one, the document
  //    keeps its own @context and the proof configuration has none (as in Digital
  //    Bazaar's cryptosuite): a proof signed with an @context and stored without
  //    it does not match.
  if (Object.hasOwn(options, "@context")) {
    const proofContext = options["@context"];
    const docContext = document["@context"];
    const same = typeof proofContext === "string" ? proofContext === docContext
      : Array.isArray(proofContext) && Array.isArray(docContext) && proofContext.length > 0
        && proofContext.length === docContext.length
        && proofContext.every((c, i) => typeof c === "string" && c === docContext[i]);
    if (!same) return false;
  }
  // 5. Transformation: the canonical (JCS) form of the unsecured document.
  const transformed = jcs(unsecured);
  // 6. Proof configuration: the proof options as they are, canonical.
  const config = jcs(options);
  // 7. Hash: SHA-256(proof configuration) ‖ SHA-256(document), proof hash first.
  const hashData = new Uint8Array(64);
  hashData.set(await sha256(config), 0);
  hashData.set(await sha256(transformed), 32);
  // 8. Pure Ed25519 over those 64 bytes.
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, hashData);
}

/** What is wrong with a set of proofs as a whole, or null (the rules of credpress verify). */
function proofSetProblem(proofs) {
  if (!proofs.every((p) => p !== null && typeof p === "object" && !Array.isArray(p))) return "A proof is not a JSON object.";
  const seen = new Set();
  const signers = new Set();
  for (const proof of proofs) {
    const text = jcs(proof);
    if (seen.has(text)) return "The same proof appears twice.";
    seen.add(text);
    // One key signs once per cryptosuite: two different such proofs cannot both be "the" signature.
    const signer = jcs([proof.cryptosuite ?? null, proof.verificationMethod ?? null]);
    if (signers.has(signer)) return `Two different ${proof.cryptosuite} proofs by the same key.`;
    signers.add(signer);
    if (Object.hasOwn(proof, "previousProof")) return "Proof chains (previousProof) are not supported.";
  }
  return null;
}

/** Check *document*'s eddsa-jcs-2022 proof end to end: key resolution, then signature.
 * The other proofs must be well formed and by keys of the issuer too; their
 * signatures (eddsa-rdfc-2022 needs a JSON-LD processor) are not checked here. */
async function checkSignedBy(document, issuerId, ctx, what) {
  const proofs = asArray(document?.proof);
  const proof = proofs.find((p) => p?.cryptosuite === JCS_SUITE);
  if (!proof) {
    const suites = proofs.map((p) => p?.cryptosuite || p?.type).filter((s) => typeof s === "string");
    if (suites.length) {
      throw new CheckFailure(`The signature on ${what} can't be checked in the browser`,
        `It is signed with ${suites.join(" and ")}, which needs a JSON-LD processor; check it with ` +
        "credpress verify or another Open Badges 3.0 verifier.", "unsupported");
    }
    throw new CheckFailure(`${what[0].toUpperCase()}${what.slice(1)} is not signed`, "It has no proof at all.");
  }
  let problem;
  try {
    problem = proofSetProblem(proofs);
  } catch {
    problem = "A proof holds values that are not JSON.";
  }
  if (problem) throw new CheckFailure(`The signatures on ${what} are not a valid set`, problem);
  for (const other of proofs) {
    if (other.type !== "DataIntegrityProof" || !KNOWN_SUITES.includes(other.cryptosuite)) {
      throw new CheckFailure(`${what[0].toUpperCase()}${what.slice(1)} carries an unknown kind of signature`,
        `A proof is ${JSON.stringify(other.type)} with cryptosuite ${JSON.stringify(other.cryptosuite)}.`);
    }
    if (other.proofPurpose !== "assertionMethod") {
      throw new CheckFailure(`The signature on ${what} is not an issuing signature`,
        `Its proofPurpose is ${JSON.stringify(other.proofPurpose)}, not assertionMethod.`);
    }
    if (!signatureBytes(other.proofValue)) {
      throw new CheckFailure(`The signature on ${what} is malformed`,
        `The ${other.cryptosuite} proofValue is not "z" + base58btc of a 64-byte Ed25519 signature.`);
    }
  }
  const resolved = await resolveKey(proof.verificationMethod, issuerId, ctx);
  for (const other of proofs) {
    if (other.verificationMethod !== proof.verificationMethod) await resolveKey(other.verificationMethod, issuerId, ctx);
  }
  let valid;
  try {
    valid = await verifyJcsProof(document, proof, resolved.key);
  } catch (error) {
    throw new CheckFailure(`The signature on ${what} could not be checked`, String(error?.message ?? error));
  }
  if (!valid) {
    throw new CheckFailure(`The signature does not match ${what}`,
      `${what[0].toUpperCase()}${what.slice(1)} has been changed since it was signed, or was signed with a different key.`);
  }
  return { proof, ...resolved };
}

// --- Status (W3C Bitstring Status List) -------------------------------------------------

async function checkStatusEntry(entry, issuerId, now, ctx) {
  const purpose = entry?.statusPurpose;
  if (entry?.type !== "BitstringStatusListEntry" || !["revocation", "suspension"].includes(purpose)) {
    throw new CheckFailure("This credential's status can't be checked in the browser",
      `Its status entry is ${JSON.stringify(entry?.type)} for ${JSON.stringify(purpose)}.`, "unsupported");
  }
  const word = purpose === "revocation" ? "revoked" : "suspended";
  const index = String(entry.statusListIndex ?? "");
  const listUrl = entry.statusListCredential;
  if (!/^\d+$/.test(index) || typeof listUrl !== "string") {
    throw new CheckFailure("The credential's status entry is malformed", "statusListIndex or statusListCredential is missing.");
  }
  const list = await fetchJson(listUrl, "the issuer's status list", ctx);
  // The list must come from the same issuer, and carry its own valid signature.
  if (idOf(list?.issuer) !== issuerId) {
    throw new CheckFailure("The status list is not the issuer's",
      `${listUrl} is issued by ${JSON.stringify(idOf(list?.issuer))}, not ${issuerId}.`);
  }
  try {
    await checkSignedBy(list, issuerId, ctx, "the status list");
  } catch (error) {
    if (error instanceof CheckFailure && error.status === "unsupported") {
      throw new CheckFailure(`Whether it is ${word} can't be checked in the browser`, error.detail, "unsupported");
    }
    throw error;
  }
  const subject = list.credentialSubject;
  if (!asArray(list.type).includes("BitstringStatusListCredential") || subject?.type !== "BitstringStatusList") {
    throw new CheckFailure("The status list is malformed", `${listUrl} is not a BitstringStatusListCredential.`);
  }
  if (subject.statusPurpose !== purpose) {
    throw new CheckFailure("The status list is for something else",
      `The credential asks about ${purpose}; ${listUrl} is a ${JSON.stringify(subject.statusPurpose)} list.`);
  }
  // An expired list is stale news. (validFrom is not held against it: a list
  // rebuilt a minute ago must not fail on a visitor's slow clock.)
  if (list.validUntil && now >= parseMoment(list.validUntil, "status list validUntil")) {
    throw new CheckFailure("The issuer's status list is out of date", `${listUrl} expired; the issuer must publish a new one.`);
  }
  if ((subject.statusSize ?? 1) !== 1) {
    throw new CheckFailure("This status list can't be read in the browser", "Only one-bit statuses are supported.", "unsupported");
  }
  let bits;
  try {
    if (typeof subject.encodedList !== "string" || !subject.encodedList.startsWith("u")) throw new Error("not base64url");
    bits = await gunzip(base64urlDecode(subject.encodedList.slice(1)));
  } catch {
    throw new CheckFailure("The status list is malformed", "Its encodedList is not \"u\" + base64url of GZIP data.");
  }
  const i = Number(index);
  if (bits.length * 8 < MIN_STATUS_BITS || i >= bits.length * 8) {
    throw new CheckFailure("The status list is malformed",
      `It holds ${bits.length * 8} entries; it must hold at least ${MIN_STATUS_BITS} and include index ${i}.`);
  }
  // Index 0 is the left-most bit: the most significant bit of byte 0.
  if (bits[i >> 3] & (0x80 >> (i & 7))) {
    throw new CheckFailure(`${word[0].toUpperCase()}${word.slice(1)} by the issuer`,
      `The issuer's signed status list says this credential has been ${word}.`, "revoked");
  }
  return ok("status", `Not ${word}`, `The issuer's signed status list shows it has not been ${word}.`);
}

// --- Validity period ---------------------------------------------------------------------

function checkValidity(credential, now) {
  const from = credential.validFrom === undefined ? null : parseMoment(credential.validFrom, "validFrom");
  const until = credential.validUntil === undefined ? null : parseMoment(credential.validUntil, "validUntil");
  const clock = `Your device's clock says it is ${formatDate(now)}.`;
  if (from && now < from) throw new CheckFailure(`Not valid until ${formatDate(from)}`, clock);
  if (until && now >= until) throw new CheckFailure(`Expired on ${formatDate(until)}`, clock, "expired");
  const since = from ? `Valid from ${formatDate(from)}` : "No start date";
  return until ? ok("validity", `Valid until ${formatDate(until)}`, `${since}.`)
    : ok("validity", "Does not expire", `${since}, with no expiry date.`);
}

// --- The whole verification -------------------------------------------------------------------

/** The recipient's name as signed: the OB "name" IdentityObject. */
export function recipientName(credential) {
  const subject = asArray(credential?.credentialSubject)[0];
  const named = asArray(subject?.identifier).find((i) => i?.identityType === "name" && i?.hashed === false);
  return typeof named?.identityHash === "string" ? named.identityHash : subject?.name;
}

/** The identity a verified signature proves: the did:web host (as a browser's
 * address bar writes it, so look-alike letters show as xn--…), or for did:key
 * an unknown key. *host* is null for did:key. */
export function signerOf(issuerId) {
  if (typeof issuerId === "string" && issuerId.startsWith("did:web:")) {
    try {
      const host = new URL(`https://${decodeURIComponent(issuerId.slice("did:web:".length).split(/[:#]/)[0])}/`).host;
      if (host) return { host, label: host };
    } catch {
      // not a valid host: fall through
    }
  }
  return { host: null, label: "an unknown key" };
}

/** Who issued *credential*, as far as its (verified) signature shows, compared
 * with this site's issuers (options.siteIssuers: [{did, name}]). */
function issuerIdentity(credential, issuerId, options) {
  const { host, label } = signerOf(issuerId);
  const claimed = typeof credential.issuer?.name === "string" ? credential.issuer.name : null;
  const site = asArray(options.siteIssuers).filter((i) => typeof i?.did === "string");
  const entry = site.find((i) => i.did === issuerId);
  // A badge page names its own issuer: the credential's name is then signed by that issuer's key.
  const own = Boolean(entry) || (options.expect?.issuer !== undefined && options.expect.issuer === issuerId);
  const name = own ? (typeof entry?.name === "string" && entry.name) || claimed : null;
  return {
    id: issuerId, host, claimed, own, checked: Array.isArray(options.siteIssuers), site,
    label: own && name ? `${name} (${label})` : label,
  };
}

function siteIssuerList(site) {
  if (!site.length) return "none listed";
  return site.map((i) => (typeof i.name === "string" ? `${i.name} (${signerOf(i.did).label})` : signerOf(i.did).label))
    .join(", ");
}

async function runChecks(credential, ctx) {
  const options = ctx.options;
  const now = options.now ? new Date(options.now) : new Date();
  if (credential === null || typeof credential !== "object" || Array.isArray(credential)) {
    return [notOk("format", "This is not a credential", "The JSON is not an object.")];
  }
  const issuerId = idOf(credential.issuer);
  if (typeof issuerId !== "string") return [notOk("format", "The credential names no issuer", "It has no issuer id.")];
  const checks = [];
  // Start downloading status lists now, alongside the key; they are trusted only once checked.
  for (const entry of asArray(credential.credentialStatus)) {
    const url = entry?.statusListCredential;
    if (typeof url === "string") fetchJson(url, "the issuer's status list", ctx).catch(() => {});
  }

  // The issuer's key and the signature: one step (the key is needed first), two lines.
  try {
    const { proof, where } = await checkSignedBy(credential, issuerId, ctx, "the credential");
    // Only now does the issuer's identifier mean anything: it is who signed.
    const issuer = issuerIdentity(credential, issuerId, options);
    ctx.issuer = issuer;
    checks.push(ok("signature", `Signed by ${issuer.label}`,
      `The ${JCS_SUITE} signature matches the credential file exactly: nothing in it has changed since it was signed.`));
    const key = proof.verificationMethod.slice(issuerId.length + 1);
    checks.push(where
      ? ok("key", "Key listed in the issuer's DID document", `The signing key (${key}) is published for issuing credentials in ${where}.`)
      : ok("key", "Key is the issuer's own did:key",
        "The issuer's identifier is the signing key itself: anyone can make such a key, so it names no organisation."));
    if (issuer.checked && issuer.own) {
      checks.push(ok("issuer", "An issuer of this site", `${issuer.label} is ${issuerId}, one of this site's issuers.`));
    } else if (issuer.checked) {
      checks.push(notOk("issuer", "Not an issuer of this site",
        `The signer, ${issuerId}, is not one of this site's issuers: ${siteIssuerList(issuer.site)}.`, "foreign"));
    }
  } catch (error) {
    checks.push(fromFailure("signature", error));
    // Nothing else means anything without a good signature; a record's credentials
    // still get their own verdicts, so the one that was changed is named.
    return withEmbedded(checks, credential, ctx);
  }

  // The page shows what was signed (badge page only: it passes what it displays).
  const expect = options.expect || {};
  if (expect.id !== undefined && credential.id !== expect.id) {
    checks.push(notOk("match", "This is not the credential shown on this page",
      `The page is about ${expect.id}; the file holds ${credential.id}.`));
  } else if (expect.issuer !== undefined && issuerId !== expect.issuer) {
    checks.push(notOk("match", "This credential is not from this page's issuer",
      `The page is about a credential of ${expect.issuer}; the file is signed by ${issuerId}.`));
  } else if (expect.recipient !== undefined && recipientName(credential) !== expect.recipient) {
    checks.push(notOk("match", "The name on this page is not the signed name",
      `The page says ${JSON.stringify(expect.recipient)}; the signed credential says ${JSON.stringify(recipientName(credential))}.`));
  }

  for (const entry of asArray(credential.credentialStatus)) {
    try {
      checks.push(await checkStatusEntry(entry, issuerId, now, ctx));
    } catch (error) {
      checks.push(fromFailure("status", error));
    }
  }

  try {
    checks.push(checkValidity(credential, now));
  } catch (error) {
    checks.push(fromFailure("validity", error));
  }
  return withEmbedded(checks, credential, ctx);
}

async function withEmbedded(checks, credential, ctx) {
  if (!ctx.inside && asArray(credential.type).includes("ClrCredential")) {
    ctx.embedded = await verifyEmbedded(credential, ctx);
    checks.push(embeddedCheck(ctx.embedded));
  }
  return checks;
}

// --- Learner records (CLR 2.0 ClrCredential) -------------------------------------------

const MAX_EMBEDDED = 1000;

/** Each credential a ClrCredential embeds (ClrSubject.verifiableCredential), verified on its
 * own with its own proof, key, status and dates, as credpress verify does. The record's own
 * signature covers the embedding; this says which credential inside is genuine. */
async function verifyEmbedded(record, ctx) {
  const subject = Array.isArray(record.credentialSubject) ? record.credentialSubject[0] : record.credentialSubject;
  const found = asArray(subject?.verifiableCredential).slice(0, MAX_EMBEDDED);
  // A page about a record expects its credentials from the record's issuer; nothing else.
  const expect = ctx.options.expect?.issuer !== undefined ? { issuer: ctx.options.expect.issuer } : undefined;
  const options = { ...ctx.options, expect };
  const results = [];
  for (const credential of found) {
    const started = performance.now();
    const inner = { options, cache: ctx.cache, inside: true };
    let checks;
    try {
      checks = await runChecks(credential, inner);
    } catch (error) {
      checks = [fromFailure("error", error)];
    }
    results.push(finish(checks, credential, started, options, inner.issuer ?? null));
  }
  return results;
}

function embeddedCheck(results) {
  const counts = {};
  for (const r of results) counts[r.state] = (counts[r.state] ?? 0) + 1;
  const words = Object.entries(counts).map(([state, n]) => `${n} ${state}`).join(", ");
  const label = `${results.length} credential${results.length === 1 ? "" : "s"} inside: ${words || "none"}`;
  const bad = !results.length || results.some((r) => r.state === "failed" || r.state === "foreign");
  return bad
    ? notOk("embedded", label, "Each credential in this record was checked on its own; the ones marked ✕ are not genuine.")
    : ok("embedded", label, "Each credential in this record was checked on its own, with its own signature and status.");
}

// Which state wins when several checks did not pass.
const PRECEDENCE = ["failed", "revoked", "expired", "unsupported", "foreign"];

function finish(checks, credential, started, options, issuer = null) {
  const statuses = checks.map((c) => c.status);
  const state = PRECEDENCE.find((s) => statuses.includes(s)) || "verified";
  const claimed = typeof credential?.issuer?.name === "string" && credential.issuer.name
    || idOf(credential?.issuer) || "its issuer";
  // Once the signature is verified, say who signed; before, only what the credential claims.
  const who = issuer?.label ?? claimed;
  const first = checks.find((c) => c.status === state); // the check that decided it
  const foreign = issuer?.host
    ? [`Signed by ${issuer.host}, not by this site`,
      `Genuine signature by ${issuer.host}, which is not an issuer of this site.`]
    : ["Signed by an unknown key, not by this site",
      "Genuine signature by an unknown key (did:key), which anyone can make and which is not an issuer of this site."];
  if (issuer?.claimed) foreign[1] += ` The name in it, ${JSON.stringify(issuer.claimed)}, is only what the signer says.`;
  const words = {
    verified: ["Verified", `This credential was issued by ${who} and has not been changed.`],
    foreign,
    failed: ["Not verified", credential?.issuer
      ? `This credential claims to be from ${claimed}, but that could not be confirmed. Do not rely on it.`
      : "This could not be checked as a credential."],
    revoked: ["Revoked", `${who} has withdrawn this credential.`],
    expired: ["Expired", `${first?.label}. The signature is genuine, but the credential is no longer valid.`],
    unsupported: ["Could not be fully checked", `${first?.label}.`],
  };
  const [headline, summary] = words[state];
  return { state, headline, summary, checks, credential, issuer, verifyHref: options.verifyHref,
    ms: Math.round((performance.now() - started) * 10) / 10 };
}

/**
 * Verify a credential given as JSON text (the exact bytes of the file, decoded).
 * options: {baseUrl, siteRoot, now, expect: {id, issuer, recipient}, siteIssuers: [{did, name}],
 *           prefetchDids: [did], verifyHref}.
 */
export async function verifyCredentialText(text, options = {}, started = performance.now(), ctx = newContext(options)) {
  let credential = null;
  let checks;
  try {
    if (!(await ed25519Supported())) {
      checks = [notOk("browser", "This browser can't check Ed25519 signatures",
        "Use the verify page in a current browser, or run credpress verify on the downloaded file.", "unsupported")];
    } else if (typeof text !== "string" || text.length > MAX_JSON_CHARS) {
      checks = [notOk("format", "This is too large to be a credential",
        `A credential is a few kilobytes of JSON; this is over ${MAX_JSON_CHARS / 1e6} million characters.`)];
    } else {
      try {
        credential = parseJson(text);
      } catch (error) {
        credential = null;
        checks = [error instanceof RangeError
          ? notOk("format", "This JSON is nested too deeply to be a credential", `It is ${error.message}.`)
          : notOk("format", "This is not valid JSON", "The credential file could not be read as JSON.")];
      }
      checks ??= await runChecks(credential, ctx);
    }
  } catch (error) {
    checks = [fromFailure("error", error)];
  }
  const result = finish(checks, credential, started, options, ctx.issuer ?? null);
  if (ctx.embedded) result.embedded = ctx.embedded;
  return result;
}

/** Fetch the credential at *url* and verify those very bytes. A badge page URL
 * works too: its <link rel="alternate" type="application/ld+json"> is followed. */
export async function verifyCredentialUrl(url, options = {}) {
  const started = performance.now();
  try {
    const ctx = newContext(options);
    // The credential itself may come from the HTTP cache (and a <link rel=preload>):
    // it is the same file the download button gives.
    let got = await fetchText(url, "the credential", options, "default");
    if (/html/i.test(got.type)) {
      const link = new DOMParser().parseFromString(got.text, "text/html")
        .querySelector('link[rel="alternate"][type="application/ld+json"]');
      if (!link) throw new CheckFailure("This page has no credential", `${url} is a web page without a credential link.`);
      got = await fetchText(new URL(link.getAttribute("href"), got.url).href, "the credential", options, "default");
    }
    return await verifyCredentialText(got.text, options, started, ctx);
  } catch (error) {
    return finish([fromFailure("download", error)], null, started, options);
  }
}

// --- Baked badges (OB 3.0 §5.3 Baking) -------------------------------------

/** The credential text inside a file: JSON as is, a baked PNG (iTXt) or SVG. */
export function extractCredential(bytes) {
  if (bytes[0] === 0x89 && utf8(bytes.subarray(1, 4)) === "PNG") return fromPng(bytes);
  const text = utf8(bytes).replace(/^\uFEFF/, "");
  return text.trimStart().startsWith("<") ? fromSvg(text) : text;
}

const BAKED_KEYWORD = "openbadgecredential";

function fromPng(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = [];
  // Chunks after the 8-byte signature: length (4, big-endian) | type (4) | data | CRC (4).
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    // A PNG keyword is 1-79 Latin-1 characters, then a NUL (PNG §11.3.4).
    const nul = data.subarray(0, 80).indexOf(0);
    // Text chunks of any kind with the badge keyword count: a second credential,
    // even in a tEXt or zTXt chunk, makes the badge ambiguous.
    if (["iTXt", "tEXt", "zTXt"].includes(type) && nul > 0 && String.fromCharCode(...data.subarray(0, nul)) === BAKED_KEYWORD) {
      found.push({ type, data, nul });
    }
    if (type === "IEND") break;
    at += 12 + length;
  }
  if (found.length > 1) {
    throw new CheckFailure("This PNG holds more than one credential",
      `It has ${found.length} ${BAKED_KEYWORD} chunks. A baked badge holds exactly one credential, so it is not clear which ` +
      "one this badge stands for; none of them is checked. Ask the issuer for the credential file itself.");
  }
  if (!found.length) {
    throw new CheckFailure("This PNG holds no credential", `It has no iTXt chunk with the keyword ${BAKED_KEYWORD}.`);
  }
  const [{ type, data, nul }] = found;
  if (type !== "iTXt") throw new CheckFailure("The baked credential is malformed", `It is in a ${type} chunk; OB 3.0 uses iTXt.`);
  // keyword \0 | compression flag | method | language \0 | translated keyword \0 | UTF-8 text
  if (data[nul + 1] !== 0) throw new CheckFailure("The baked credential is compressed", "OB 3.0 forbids compressing it.");
  const language = data.indexOf(0, nul + 3);
  const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
  if (translated < 0) throw new CheckFailure("The baked credential is malformed", "Its iTXt chunk is cut short.");
  return jsonOrJwt(utf8(data.subarray(translated + 1)));
}

function fromSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const elements = doc.getElementsByTagNameNS(OB_BAKED_NS, "credential");
  if (doc.querySelector("parsererror") || !elements.length) {
    throw new CheckFailure("This file holds no credential", "It is not JSON, and not an SVG with an <openbadges:credential> element.");
  }
  if (elements.length > 1) {
    throw new CheckFailure("This SVG holds more than one credential",
      `It has ${elements.length} <openbadges:credential> elements. A baked badge holds exactly one credential, so it is ` +
      "not clear which one this badge stands for; none of them is checked. Ask the issuer for the credential file itself.");
  }
  const [element] = elements;
  if (element.hasAttribute("verify")) return jsonOrJwt(element.getAttribute("verify"));
  return jsonOrJwt(element.textContent);
}

function jsonOrJwt(text) {
  if (!text.trim().startsWith("{")) {
    throw new CheckFailure("This badge holds a VC-JWT, which can't be checked here",
      "Check it with another Open Badges 3.0 verifier.", "unsupported");
  }
  return text;
}

const fileTooLarge = (size) => new CheckFailure("This file is too large to be a credential or a badge",
  `It is ${(size / 1e6).toFixed(1)} MB; a credential or a baked badge is far smaller (at most ${MAX_FILE_BYTES / 1e6} MB here).`);

/** Verify a dropped or chosen file's bytes (JSON, baked PNG or baked SVG). */
export async function verifyFileBytes(bytes, options = {}) {
  const started = performance.now();
  let text;
  try {
    if (bytes.length > MAX_FILE_BYTES) throw fileTooLarge(bytes.length);
    text = extractCredential(bytes);
  } catch (error) {
    const failure = error instanceof CheckFailure ? error
      : new CheckFailure("This file can't be read", "It is not a JSON, PNG or SVG file.");
    return finish([fromFailure("format", failure)], null, started, options);
  }
  return verifyCredentialText(text, options, started);
}

/** Verify a dropped or chosen File (or Blob), refusing a huge one before reading it. */
export async function verifyFile(file, options = {}) {
  const started = performance.now();
  let bytes;
  try {
    if (file.size > MAX_FILE_BYTES) throw fileTooLarge(file.size);
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (error) {
    const failure = error instanceof CheckFailure ? error : new CheckFailure("This file can't be read", String(error?.message ?? error));
    return finish([fromFailure("format", failure)], null, started, options);
  }
  return verifyFileBytes(bytes, options);
}
