// Small page behaviours. Served by the site itself (the CSP allows only 'self').

// Copy the badge page's address: the Clipboard API where the browser allows it
// (a secure context, W3C Clipboard API §8.2 writeText), else select the address
// shown under the QR code so the reader copies it themselves.
async function copyLink(button) {
  const status = button.parentElement.querySelector(".copy-status");
  const say = (text, manual) => {
    status.textContent = text;
    status.classList.toggle("manual", manual);
  };
  try {
    if (!navigator.clipboard?.writeText) throw new Error("no Clipboard API");
    await navigator.clipboard.writeText(button.dataset.url);
    say("Link copied", false);
  } catch {
    const shown = document.querySelector(".page-url");
    if (shown) {
      const range = document.createRange();
      range.selectNodeContents(shown);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    say("Press Ctrl+C (⌘C on a Mac) to copy the selected link", true);
  }
}

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-action='print']")) window.print();
  const copy = event.target.closest("[data-action='copy-link']");
  if (copy) copyLink(copy);
});

// An expired credential looks expired, on screen and on paper, from the date the
// page shows (the verification panel below checks the signed one).
const until = document.querySelector(".certificate .valid-until time");
if (until && Date.parse(until.getAttribute("datetime")) <= Date.now()) {
  until.closest(".certificate").classList.add("is-expired");
  until.closest(".valid-until").querySelector("dt").textContent = "Expired";
  if (!document.querySelector(".revoked-stamp")) document.querySelector(".expired-stamp")?.removeAttribute("hidden");
}

// A page opened from disk (file://) cannot fetch the credential, the issuer's key
// or the status list: browsers give file: pages an opaque origin (HTML Standard
// §7.1.1 "Origins") and refuse them cross-origin fetches and module scripts, so
// verify-ui.js never runs. Say so in the verification panel, and how to serve
// the folder instead. This script is a classic one, so it runs from disk too.
function explainFilePreview(section) {
  const make = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const root = new URL(section.dataset.root || "./", location.href).href;
  const folder = decodeURIComponent(new URL(root).pathname);
  const here = new URL(location.href.slice(root.length).replace(/index\.html$/, ""), "http://localhost:8000/").href;
  const headline = make("p", "verification-headline");
  const mark = make("span", "verification-mark", "!");
  mark.setAttribute("aria-hidden", "true");
  headline.append(mark, make("span", "", "Verification needs the site to be served"));
  const how = make("p", "verification-text");
  how.append(
    "This page was opened from a file on disk, where browsers do not let it download the credential, " +
      "the issuer's key or the revocation list, so nothing was checked. To preview the site with " +
      "verification, serve its folder over http: run ",
    make("code", "", "credpress serve"),
    ", or in a terminal ",
    make("code", "wrap-anywhere", `cd "${folder}" && python -m http.server 8000`),
    " and open ",
    make("code", "wrap-anywhere", here),
    ".",
  );
  const box = make("div", "verification-result");
  box.append(headline, how, make("p", "verification-note", "Once published, the site checks credentials in the browser."));
  section.querySelector(".verification-summary")?.remove();
  section.querySelector(".verification-result")?.remove();
  section.querySelector("h2").after(box);
  section.dataset.verification = "file";
  section.hidden = false;
}

const verification = document.getElementById("verification");
if (verification && location.protocol === "file:") explainFilePreview(verification);
