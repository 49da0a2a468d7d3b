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

// Every captcha picture gets a button that shows another code (django-simple-captcha's refresh view
// answers with a new key and picture; the key goes into the field's hidden half).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const meta = document.querySelector('meta[name="captcha-refresh"]');
  if (!meta) { return; }
  document.querySelectorAll("img.captcha").forEach(function (img) {
    const anchor = img.closest("a") || img;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm ms-2 captcha-refresh";
    button.title = meta.dataset.label;
    button.setAttribute("aria-label", meta.dataset.label);
    const icon = document.createElement("i");
    icon.className = "bi bi-arrow-clockwise";
    button.appendChild(icon);
    anchor.insertAdjacentElement("afterend", button);
    button.addEventListener("click", function () {
      fetch(meta.content, { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          img.src = data.image_url;
          const box = anchor.parentElement;
          const key = box.querySelector('input[type="hidden"][name$="_0"]');
          const answer = box.querySelector('input[type="text"][name$="_1"]');
          if (key) { key.value = data.key; }
          if (answer) { answer.value = ""; answer.focus(); }
        });
    });
  });
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
