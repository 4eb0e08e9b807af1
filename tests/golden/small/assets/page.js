// Small page behaviours. Served by the site itself (the CSP allows only 'self').
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-action='print']");
  if (target) window.print();
});
