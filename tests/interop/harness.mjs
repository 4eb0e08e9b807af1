// Shared parts of the interop verifiers: CLI, the offline "web" (bundled
// contexts + the published site folder), did:web resolution and reporting.
// Nothing here ever touches the network: a URL we cannot map to a local file
// is an error, so a verifier can never pass by quietly fetching something.
import {readFileSync, readdirSync, statSync, existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_CONTEXTS = path.join(HERE, '../../credpress/data/contexts');

export const MULTIKEY_CONTEXT_V1 = 'https://w3id.org/security/multikey/v1';

const USAGE = `usage: node ${path.basename(process.argv[1] ?? 'SCRIPT')}
  --site DIR --base-url URL [--contexts DIR] [--expect-fail] [FILE.json ...]
With no FILE, verifies every credentials/*.json under --site.
--contexts defaults to credpress/data/contexts (needs its loader-map.json).
--expect-fail: exit 0 only if every credential is rejected.`;

/** Parse the common command line; exits with status 2 on misuse. */
export function parseCli(argv, extraOptions = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        site: {type: 'string'},
        'base-url': {type: 'string'},
        contexts: {type: 'string', default: DEFAULT_CONTEXTS},
        'expect-fail': {type: 'boolean', default: false},
        help: {type: 'boolean', default: false},
        ...extraOptions
      }
    });
  } catch(e) {
    usageError(e.message);
  }
  const {values, positionals} = parsed;
  if(values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if(!values.site || !values['base-url']) {
    usageError('--site and --base-url are required');
  }
  if(!existsSync(path.join(values.contexts, 'loader-map.json'))) {
    usageError(`no loader-map.json in contexts folder "${values.contexts}"`);
  }
  const site = path.resolve(values.site);
  // a base URL without a trailing slash would let "https://a.test/x" claim
  // "https://a.test/xyz"; normalise so prefix matching means "inside".
  let baseUrl;
  try {
    baseUrl = new URL(values['base-url']).href;
  } catch {
    usageError(`--base-url is not a URL: "${values['base-url']}"`);
  }
  if(!baseUrl.endsWith('/')) {
    baseUrl += '/';
  }
  const files = positionals.length > 0 ?
    positionals.map(f => path.resolve(f)) : siteCredentials(site);
  return {...values, site, baseUrl, files, contexts: path.resolve(
    values.contexts), expectFail: values['expect-fail']};
}

function usageError(message) {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

function siteCredentials(site) {
  const dir = path.join(site, 'credentials');
  if(!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir).filter(f => f.endsWith('.json')).sort()
    .map(f => path.join(dir, f));
}

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * The offline web: maps a URL to a local JSON document, or throws.
 * Contexts come from loader-map.json in the contexts folder; URLs under
 * baseUrl come from the same relative path under the site folder.
 */
export class OfflineWeb {
  constructor({site, baseUrl, contexts = DEFAULT_CONTEXTS}) {
    this.site = site;
    this.baseUrl = baseUrl;
    this.contextsDir = contexts;
    this.contextMap = loadContextMap(contexts);
    this.cache = new Map();
  }

  /** Local file for a URL (query and fragment ignored), or null. */
  fileFor(url) {
    const bare = url.split('#')[0];
    if(Object.hasOwn(this.contextMap, bare)) {
      return path.join(this.contextsDir, this.contextMap[bare]);
    }
    if(!bare.startsWith(this.baseUrl)) {
      return null;
    }
    const rel = decodeURIComponent(
      new URL(bare).pathname.slice(new URL(this.baseUrl).pathname.length));
    const file = path.resolve(this.site, rel);
    // refuse "../" tricks: the file must sit inside the site folder
    if(!(file + path.sep).startsWith(this.site + path.sep) ||
      file === this.site) {
      return null;
    }
    // a static host serves exactly this file; no index.json or ".json"
    // guessing, so a wrong link in a credential shows up as a failure
    return existsSync(file) && statSync(file).isFile() ? file : null;
  }

  /** The parsed JSON document at url; throws if it is not available. */
  get(url) {
    const file = this.fileFor(url);
    if(!file) {
      throw new Error(`offline loader refused URL "${url}" ` +
        '(not a bundled context and not a file under --base-url in --site)');
    }
    if(!this.cache.has(file)) {
      this.cache.set(file, readJson(file));
    }
    // hand out a copy so a library cannot mutate our cache
    return structuredClone(this.cache.get(file));
  }
}

function loadContextMap(dir) {
  const mapFile = path.join(dir, 'loader-map.json');
  if(!existsSync(mapFile)) {
    throw new Error(`no loader-map.json in contexts folder "${dir}"` +
      ' (use --contexts DIR)');
  }
  const map = readJson(mapFile);
  // keys like "_comment" are notes, not URLs
  return Object.fromEntries(
    Object.entries(map).filter(([k]) => /^https?:\/\//.test(k)));
}

/**
 * did:web DID (no fragment) -> HTTPS URL of its DID document, per the
 * did:web spec: ":" separates path segments, "%3A" in the host is a port,
 * and a DID with no path lives at /.well-known/did.json.
 */
export function didWebToUrl(did) {
  if(!did.startsWith('did:web:')) {
    throw new Error(`not a did:web DID: "${did}"`);
  }
  const [host, ...segments] = did.slice('did:web:'.length).split(':');
  if(!host) {
    throw new Error(`did:web DID has no host: "${did}"`);
  }
  const origin = `https://${decodeURIComponent(host)}`;
  const tail = segments.length === 0 ? '.well-known/did.json' :
    [...segments.map(decodeURIComponent), 'did.json'].join('/');
  return `${origin}/${tail}`;
}

/** Print one result line per credential, the summary, and exit. */
export async function runAll(
  {files, expectFail, print = line => console.log(line)}, verifyOne) {
  if(files.length === 0) {
    // finding nothing to check is a broken setup, not a pass
    console.error('error: no credentials to verify');
  }
  let ok = 0;
  let bad = 0;
  for(const file of files) {
    let result;
    try {
      result = await verifyOne(readJson(file));
    } catch(e) {
      result = {verified: false, error: errorText(e)};
    }
    print(JSON.stringify({file, ...result}));
    // in --expect-fail mode a credential "passes" when it is rejected
    if(result.verified !== expectFail) {
      ok++;
    } else {
      bad++;
    }
  }
  if(expectFail) {
    console.error('(--expect-fail: "passed" counts credentials that were ' +
      'rejected as expected)');
  }
  print(`${ok} passed, ${bad} failed`);
  process.exit(bad === 0 && files.length > 0 ? 0 : 1);
}

/** Flatten a library error (VerificationError nests the real causes). */
export function errorText(error) {
  if(!error) {
    return undefined;
  }
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    return error.errors.map(errorText).join('; ');
  }
  const cause = error.cause && error.cause !== error ?
    ` (cause: ${errorText(error.cause)})` : '';
  return `${error.name && error.name !== 'Error' ? error.name + ': ' : ''}` +
    `${error.message ?? String(error)}${cause}`;
}
