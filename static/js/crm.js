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

// Charts declare themselves: <canvas data-chart="bar" data-source="id-of-json-script">.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    const data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: canvas.dataset.chart,
      data: { labels: data.labels, datasets: [{ data: data.values, label: data.label || "" }] },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } },
    });
  });
});

// A link marked data-with-query takes the page's current query string (the list's filters as htmx
// has pushed them into the address bar), so "Export" exports what the list shows now.
document.addEventListener("click", function (event) {
  const link = event.target.closest("a[data-with-query]");
  if (link) { link.search = window.location.search; }
});

// Widths and colours that come from data (progress bars, tag colours) are set here from data-width and
// data-colour, not written as style attributes, which the CSP refuses. htmx:load runs for the page and
// for every swapped-in fragment (a polled job progress bar).
function applyDataStyles(root) {
  const found = Array.from(root.querySelectorAll ? root.querySelectorAll("[data-width], [data-colour]") : []);
  if (root.matches && root.matches("[data-width], [data-colour]")) { found.push(root); }
  found.forEach(function (element) {
    if (element.dataset.width !== undefined) { element.style.width = element.dataset.width + "%"; }
    if (element.dataset.colour !== undefined) { element.style.backgroundColor = element.dataset.colour; }
  });
}
document.addEventListener("DOMContentLoaded", function () { applyDataStyles(document); });
document.addEventListener("htmx:load", function (event) { applyDataStyles(event.detail.elt); });
