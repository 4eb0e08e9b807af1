#!/usr/bin/env bash
# Self-test of the interop verifiers (not of credpress): they must accept
# credentials signed by Digital Bazaar's own vc.issue and the published
# 1EdTech OB 3.0 eddsa-rdfc-2022 test vector, and reject tampered copies.
#   bash tests/interop/selftest.sh [--contexts DIR]
# Needs `npm ci` in tests/interop first. Offline: no URL is ever fetched.
# VERBOSE=1 prints each verifier's output; KEEP=1 keeps the temp folder.
# The 1EdTech vector is read from the repository (tests/data/specs); if it is
# missing, that is a failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
specs="$here/../data/specs"
ctx=()
if [[ "${1:-}" == "--contexts" ]]; then ctx=(--contexts "$2"); fi
tmp="$(mktemp -d)"
trap '[[ -n "${KEEP:-}" ]] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
pass=0 fail=0

# check NAME EXPECT(pass|fail) VERIFIER ARGS...
check() {
  local name="$1" expect="$2" verifier="$3"; shift 3
  local flag=(); [[ "$expect" == fail ]] && flag=(--expect-fail)
  if node "$here/$verifier" "${ctx[@]}" "${flag[@]}" "$@" \
      >"$tmp/out" 2>"$tmp/err"; then
    pass=$((pass + 1)); echo "ok   $verifier: $name"
    if [[ -n "${VERBOSE:-}" ]]; then sed 's/^/     /' "$tmp/out"; fi
  else
    fail=$((fail + 1)); echo "FAIL $verifier: $name"; cat "$tmp/out" "$tmp/err"
  fi
}

# tamper IN OUT JS: copy a JSON file, applying JS to `d` (the parsed doc)
tamper() {
  node --input-type=module -e "
    import {readFileSync, writeFileSync} from 'node:fs';
    const d = JSON.parse(readFileSync('$1', 'utf8'));
    $3;
    writeFileSync('$2', JSON.stringify(d, null, 2));"
}

# 1. fixture site signed by @digitalbazaar/vc issue (fresh key each run)
site="$tmp/site"
node "$here/make-fixture-site.mjs" "$site" "${ctx[@]}" >/dev/null
t="$tmp/tampered"; mkdir -p "$t"
x="$site/credentials/x.json"
tamper "$x" "$t/achievement-name.json" \
  "d.credentialSubject.achievement.name = 'Forged Achievement'"
tamper "$x" "$t/issuer-name.json" "d.issuer.name = 'Evil Corp'"
tamper "$x" "$t/valid-from.json" "d.validFrom = '2020-01-01T00:00:00Z'"
tamper "$x" "$t/identity-hash.json" \
  "d.credentialSubject.identifier[0].identityHash = 'sha256\$' + '0'.repeat(64)"
tamper "$x" "$t/proof-value.json" \
  "d.proof.proofValue = d.proof.proofValue.slice(0, -2) + (d.proof.proofValue.endsWith('11') ? '22' : '11')"
tamper "$x" "$t/unknown-vm.json" \
  "d.proof.verificationMethod = d.proof.verificationMethod.replace('#key-1', '#key-2')"
tamper "$x" "$t/undefined-term.json" "d.credentialSubject.hacked = true"

# a second site whose did.json no longer authorises key-1 for assertions
site2="$tmp/site-unauthorised"; cp -r "$site" "$site2"
tamper "$site/issuers/acme/did.json" "$site2/issuers/acme/did.json" \
  "d.assertionMethod = []"
# a third whose status list was edited (clears bit 7 without re-signing)
site3="$tmp/site-status"; cp -r "$site" "$site3"
tamper "$site/status/1.json" "$site3/status/1.json" \
  "d.credentialSubject.encodedList = d.credentialSubject.encodedList.replace(/.\$/, c => c === 'A' ? 'B' : 'A')"

for v in verify-db.mjs verify-dcc.mjs; do
  [[ -f "$here/$v" ]] || continue
  common=(--site "$site" --base-url https://example.test/)
  check "fixture x.json verifies" pass "$v" "${common[@]}" "$x"
  check "fixture active.json (status bit clear) verifies" pass "$v" \
    "${common[@]}" "$site/credentials/active.json"
  check "fixture revoked.json (status bit set) rejected" fail "$v" \
    "${common[@]}" "$site/credentials/revoked.json"
  for f in "$t"/*.json; do
    check "tampered $(basename "$f" .json) rejected" fail "$v" \
      "${common[@]}" "$f"
  done
  check "key not in assertionMethod rejected" fail "$v" \
    --site "$site2" --base-url https://example.test/ "$x"
  check "edited status list rejected" fail "$v" \
    --site "$site3" --base-url https://example.test/ \
    "$site3/credentials/active.json"
  check "base URL that does not match the DID rejected" fail "$v" \
    --site "$site" --base-url https://other.test/ "$x"
done

# 2. the published 1EdTech vector; its key is an https URL with a fragment,
#    so serve a controller document for https://example.edu/issuers/565049
vec="$specs/test-vectors/ob-v3p0-eddsa-rdfc-2022"
if [[ -f "$vec/signed.json" && -f "$vec/keyPair.json" ]]; then
  tv="$tmp/tv"; mkdir -p "$tv/issuers"
  node --input-type=module -e "
    import {readFileSync, writeFileSync} from 'node:fs';
    const k = JSON.parse(readFileSync('$vec/keyPair.json', 'utf8'));
    writeFileSync('$tv/issuers/565049', JSON.stringify({
      '@context': ['https://www.w3.org/ns/did/v1',
        'https://w3id.org/security/multikey/v1'],
      id: k.controller,
      verificationMethod: [{id: k.verificationMethod, type: 'Multikey',
        controller: k.controller, publicKeyMultibase: k.publicKeyMultibase}],
      assertionMethod: [k.verificationMethod]}));"
  tamper "$vec/signed.json" "$t/vector-name.json" "d.name = 'Forged Badge'"
  vcommon=(--site "$tv" --base-url https://example.edu/)
  check "1EdTech OB 3.0 vector verifies" pass verify-db.mjs \
    "${vcommon[@]}" "$vec/signed.json"
  check "tampered 1EdTech vector rejected" fail verify-db.mjs \
    "${vcommon[@]}" "$t/vector-name.json"
  # Known limitation, pinned so we notice if it changes: verifier-core
  # dereferences an https verificationMethod URL and uses the whole document
  # as the key (no fragment lookup), so this vector cannot pass there; its
  # did:web resolver does pick the key out of a DID document (see above).
  if [[ -f "$here/verify-dcc.mjs" ]]; then
    check "1EdTech vector (https key URL) not resolvable: known limitation" \
      fail verify-dcc.mjs "${vcommon[@]}" "$vec/signed.json"
  fi
else
  fail=$((fail + 1)); echo "FAIL 1EdTech vector missing at $vec (see tests/data/specs/MANIFEST.md)"
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
