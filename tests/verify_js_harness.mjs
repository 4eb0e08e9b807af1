// Runs credpress/static/verify.js (a browser module) under Node 20 for the
// differential tests (tests/test_verifier_parity.py).
//
//   node tests/verify_js_harness.mjs < request.json > results.json
//
// request: {verifyJs: path, maps: [[urlPrefix, folder]], now: ISO date-time,
//           siteIssuers: [{did, name}] | null,
//           cases: [{name, text} | {name, fileBase64}]}
// results: [{name, state, headline, summary, issuer, checks: [{id, status, label, detail}],
//            embedded: [{id, state, checks}] (a ClrCredential's credentials)}]
//
// Node 20 has what verify.js needs (WebCrypto with Ed25519, fetch, Blob,
// DecompressionStream); fetch is replaced by a shim that serves URLs under the
// mapped prefixes from folders and refuses everything else, like
// `credpress verify --map … --offline`.
import { readFile } from "node:fs/promises";
import path from "node:path";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString("utf-8"));

const fetched = [];
globalThis.fetch = async (url) => {
  const href = String(url);
  fetched.push(href);
  for (const [prefix, folder] of request.maps) {
    if (!href.startsWith(prefix)) continue;
    const rel = decodeURIComponent(href.slice(prefix.length).split(/[?#]/)[0]);
    const file = path.resolve(folder, rel);
    if (!rel || !file.startsWith(path.resolve(folder) + path.sep)) return new Response("", { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    } catch {
      return new Response("", { status: 404 });
    }
  }
  throw new TypeError(`offline: ${href} is not under any mapped prefix`);
};

const source = await readFile(request.verifyJs, "utf-8");
const verify = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);

const results = [];
for (const item of request.cases) {
  const options = { now: request.now };
  if (request.siteIssuers) options.siteIssuers = request.siteIssuers;
  const result = item.fileBase64 !== undefined
    ? await verify.verifyFileBytes(new Uint8Array(Buffer.from(item.fileBase64, "base64")), options)
    : await verify.verifyCredentialText(item.text, options);
  results.push({
    name: item.name, state: result.state, headline: result.headline, summary: result.summary, ms: result.ms,
    issuer: result.issuer ? { label: result.issuer.label, host: result.issuer.host, own: result.issuer.own } : null,
    checks: result.checks.map(({ id, status, label, detail }) => ({ id, status, label, detail })),
    embedded: (result.embedded ?? []).map((r) => ({ id: r.credential?.id, state: r.state,
      checks: r.checks.map(({ id, status, label }) => ({ id, status, label })) })),
  });
}
process.stdout.write(JSON.stringify({ results, fetched }));
