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
