// Small behaviours shared by every page; no inline scripts so a strict CSP can hold.
document.addEventListener("change", function (event) {
  const all = event.target.closest("[data-select-all]");
  if (all) {
    document.querySelectorAll(all.dataset.selectAll).forEach(function (box) { box.checked = all.checked; });
  }
});
document.addEventListener("submit", function (event) {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
