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

/** Render *result* into the #verification section and set data-verification. */
function show(section, result, { withClaims = false } = {}) {
  section.dataset.verification = result.state;
  if (result.ms !== undefined) section.dataset.verificationMs = String(result.ms);
  const box = el("div", "verification-result");
  const headline = el("p", "verification-headline");
  const mark = el("span", "verification-mark", MARKS[result.state]);
  mark.setAttribute("aria-hidden", "true");
  headline.append(mark, el("span", "", result.headline));
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
  const old = section.querySelector(".verification-result");
  if (old) old.replaceWith(box);
  else section.querySelector("h2").after(box);
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
  verifyCredentialUrl(new URL(data.credentialUrl, location.href).href, options).then((result) => show(section, result));
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
