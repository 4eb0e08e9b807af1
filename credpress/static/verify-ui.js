// Verification on the page: the badge page checks its own credential file on
// load; the verify page checks what a visitor pastes, drops or links to.
// The checks themselves live in verify.js; this file only wires and renders.
// Everything is built with textContent: credentials are untrusted input.
import { formatDate, recipientName, verifyCredentialText, verifyCredentialUrl, verifyFile } from "./verify.js";

const MARKS = { ok: "✓", verified: "✓", foreign: "!", failed: "✕", revoked: "✕", expired: "!", unsupported: "?", pending: "…" };
const PENDING = {
  state: "pending", headline: "Checking…", checks: [],
  summary: "Checking the signature, the issuer's key, the status and the dates, here in your browser.",
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function checkItem(check) {
  const item = el("li", "check");
  item.dataset.check = check.id;
  item.dataset.status = check.status;
  const words = el("div", "check-words");
  words.append(el("p", "check-label", check.label));
  if (check.detail) words.append(el("p", "check-detail", check.detail));
  item.append(el("span", "check-mark", MARKS[check.status] ?? "?"), words);
  item.firstChild.setAttribute("aria-hidden", "true");
  return item;
}

/** What the credential says (confirmed only if verified), for the verify page. */
function claims(result) {
  const { credential, issuer, state } = result;
  const subject = Array.isArray(credential.credentialSubject) ? credential.credentialSubject[0] : credential.credentialSubject;
  const awarded = Date.parse(credential.awardedDate ?? credential.validFrom);
  const claimed = credential.issuer?.name ?? credential.issuer?.id ?? credential.issuer;
  // The issuer row shows who signed once that is known: the name alone is the credential's own claim.
  const issuerRows = !issuer ? [["Issuer", claimed]]
    : issuer.own ? [["Issuer", issuer.label]]
      : [["Signed by", issuer.label], ["Issuer's name", typeof claimed === "string" ? `${claimed} (as it calls itself, not checked)` : undefined]];
  const rows = [
    ["Awarded to", recipientName(credential)],
    ["Achievement", subject?.achievement?.name ?? credential.name],
    ...issuerRows,
    ["Awarded", Number.isNaN(awarded) ? undefined : formatDate(new Date(awarded))],
    ["Credential", credential.id],
  ];
  const heading = state === "verified" ? "What this credential says"
    : state === "foreign" ? "What this credential says (signed by someone else)" : "What this credential claims (not confirmed)";
  const box = el("div", "verification-claims");
  box.append(el("h3", "", heading));
  const list = el("dl", "details");
  for (const [term, value] of rows) {
    if (typeof value !== "string" || !value) continue;
    list.append(el("dt", "", term), el("dd", "wrap-anywhere", value));
  }
  box.append(list);
  return box;
}

/** A learner record's credentials (CLR 2.0), each with its own verdict, for the verify page. */
function embeddedList(results) {
  const box = el("div", "verification-embedded");
  box.append(el("h3", "", "Credentials in this record"));
  const list = el("ul", "checks");
  for (const inner of results) {
    const subject = Array.isArray(inner.credential?.credentialSubject)
      ? inner.credential.credentialSubject[0] : inner.credential?.credentialSubject;
    const name = subject?.achievement?.name ?? inner.credential?.name ?? inner.credential?.id;
    const item = checkItem({ id: "embedded", status: inner.state, label: `${inner.headline}: ${name ?? "a credential"}`,
      detail: inner.summary });
    item.dataset.embeddedId = typeof inner.credential?.id === "string" ? inner.credential.id : "";
    list.append(item);
  }
  box.append(list);
  return box;
}

/** "<Learner> was awarded <Achievement> by <Issuer name> (<verified domain>)": only for a
 * verified credential of this site, whose names its own issuer's key signed. */
function awarded(result) {
  const { credential, issuer } = result;
  if (result.state !== "verified" || !issuer?.own || !credential || typeof credential !== "object") return null;
  const subject = Array.isArray(credential.credentialSubject) ? credential.credentialSubject[0] : credential.credentialSubject;
  const achievement = subject?.achievement?.name;
  if (typeof achievement !== "string" || !achievement) return null;
  const name = recipientName(credential);
  const ids = Array.isArray(subject?.identifier) ? subject.identifier : [subject?.identifier];
  const learner = typeof name === "string" && name ? name
    : ids.some((i) => i?.identityType === "emailAddress" && i?.hashed !== false)
      ? "A learner identified by a hashed email" : "A learner";
  return `${learner} was awarded ${achievement} by ${issuer.label}`;
}

/** Render *result* into the #verification section and set data-verification. */
function show(section, result, { withClaims = false } = {}) {
  section.dataset.verification = result.state;
  if (result.ms !== undefined) section.dataset.verificationMs = String(result.ms);
  const box = el("div", "verification-result");
  const headline = el("p", "verification-headline");
  const mark = el("span", "verification-mark", MARKS[result.state]);
  mark.setAttribute("aria-hidden", "true");
  // On the verify page, a verified credential of this site says in words what it proves.
  const words = withClaims ? awarded(result) : null;
  headline.append(mark, el("span", "", words ? `${result.headline}: ${words}` : result.headline));
  box.append(headline, el("p", "verification-text", result.summary));
  if (result.checks.length) {
    const list = el("ul", "checks");
    list.append(...result.checks.map(checkItem));
    box.append(list);
  }
  if (result.state === "unsupported" && result.verifyHref) {
    const note = el("p", "verification-text");
    const link = el("a", "", "Open the verify page");
    link.href = result.verifyHref;
    note.append(link, " in a current browser, or run credpress verify on the downloaded file.");
    box.append(note);
  }
  if (withClaims && result.credential && typeof result.credential === "object" && !Array.isArray(result.credential)) {
    box.append(claims(result));
  }
  if (withClaims && result.embedded?.length) box.append(embeddedList(result.embedded));
  const old = section.querySelector(".verification-result");
  if (old) old.replaceWith(box);
  else section.querySelector("h2").after(box);
}

/** A learner record page: each credential listed gets its own verdict (CLR 2.0 embedded credentials). */
function showEmbedded(result) {
  const byId = new Map((result.embedded ?? []).map((r) => [r.credential?.id, r]));
  for (const item of document.querySelectorAll("[data-embedded-id]")) {
    const inner = byId.get(item.dataset.embeddedId);
    const state = inner ? inner.state : "failed";
    item.dataset.verification = state;
    const words = inner ? inner.headline : "Not found in the signed record";
    item.querySelector(".record-check")?.replaceChildren(`${MARKS[state] ?? "?"} ${words}`);
  }
}

const section = document.getElementById("verification");
const data = section?.dataset ?? {};
const options = {
  baseUrl: data.baseUrl,
  // The site root as served (deployed or a local preview): data-root is relative.
  siteRoot: new URL(data.root || "./", location.href).href,
  verifyHref: data.verifyHref,
};

// From disk (file://) nothing can be fetched: page.js says so and how to serve the
// site (Chromium does not even load this module there; other browsers may).
const fromDisk = location.protocol === "file:";

if (section && data.credentialUrl && !fromDisk) {
  // Badge page: verify the very file the download button offers, and that it is
  // the credential (and the name) this page shows.
  // The no-JS text claims a signature; once the check runs, say what was done instead.
  const note = section.querySelector(".verification-summary");
  if (note) {
    const link = el("a", "", "verify page");
    link.href = data.verifyHref;
    note.className = "verification-note";
    note.replaceChildren("Checked in your browser against the credential file below. You can also check it on the ",
      link, " or with any Open Badges 3.0 verifier.");
  }
  show(section, PENDING);
  options.expect = { id: data.credentialId, issuer: data.issuerDid,
    recipient: document.querySelector(".recipient")?.textContent.trim() };
  options.prefetchDids = [data.issuerDid];
  const own = verifyCredentialUrl(new URL(data.credentialUrl, location.href).href, options);
  const components = [...document.querySelectorAll("[data-component-url]")];
  if (!components.length) {
    own.then((result) => {
      show(section, result);
      if (data.record) showEmbedded(result);
    });
  } else {
    // A stacked credential: each component listed in its evidence gets its own check,
    // and the stack's verdict fails if any of them is revoked or invalid.
    const parts = components.map((item) => verifyCredentialUrl(new URL(item.dataset.componentUrl, location.href).href,
      { ...options, expect: { id: item.dataset.componentId, issuer: data.issuerDid } })
      .then((result) => showComponent(item, result)));
    Promise.all([own, ...parts]).then(([result, ...results]) => show(section, stackVerdict(result, results)));
  }
}

/** Render one component's result into its list item; returns the result. */
function showComponent(item, result) {
  item.dataset.verification = result.state;
  const box = item.querySelector(".component-result");
  const mark = el("span", "verification-mark", MARKS[result.state] ?? "?");
  mark.setAttribute("aria-hidden", "true");
  box.replaceChildren(mark, " ", result.headline);
  return result;
}

/** The stack's own result, failed if any component did not verify. */
function stackVerdict(result, results) {
  const bad = results.filter((r) => r.state !== "verified").length;
  if (result.state !== "verified" || !bad) return result;
  return {
    ...result,
    state: "failed",
    headline: "Not valid: a credential in this stack did not verify",
    summary: `This credential's own signature checks out, but ${bad} of the ${results.length} credentials it was awarded for ` +
      "is revoked or invalid (see the list below), so it does not stand.",
  };
}

const form = document.getElementById("verify-form");
if (section && form && !fromDisk) {
  // This site's issuers, written by the build: a credential signed by anyone else
  // gets its own verdict, never the green one, whatever name it gives itself.
  try {
    const list = JSON.parse(document.getElementById("site-issuers")?.textContent ?? "[]");
    options.siteIssuers = Array.isArray(list) ? list : [];
  } catch {
    options.siteIssuers = [];
  }
  const run = async (work) => {
    section.hidden = false;
    show(section, PENDING);
    show(section, await work, { withClaims: true });
    section.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };
  const fromFile = (file) => file && run(verifyFile(file, options));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (event.submitter?.value === "url") {
      const typed = form.elements.url.value.trim();
      let url;
      try {
        url = new URL(typed, location.href).href;
      } catch {
        url = typed; // fetch fails and reports it
      }
      run(verifyCredentialUrl(url, options));
    } else {
      run(verifyCredentialText(form.elements.text.value, options));
    }
  });
  form.elements.file.addEventListener("change", () => fromFile(form.elements.file.files[0]));
  const zone = form.querySelector(".drop-zone");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    fromFile(event.dataTransfer.files[0]);
  });
}
