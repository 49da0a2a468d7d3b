// The pipeline board's drag and drop. Each card also carries a stage select with a Move button
// (htmx, or a plain form post without JavaScript), so the board works from the keyboard too.
(function () {
  "use strict";
  let dragged = null;

  function csrfHeaders() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { return {}; }
  }

  document.addEventListener("dragstart", function (event) {
    const card = event.target.closest(".sales-card");
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    document.querySelectorAll(".sales-column.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
    dragged = null;
  });

  document.addEventListener("dragover", function (event) {
    const column = event.target.closest(".sales-column");
    if (!column || !dragged) { return; }
    event.preventDefault();
    column.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    const column = event.target.closest(".sales-column");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-target"); }
  });

  document.addEventListener("drop", function (event) {
    const column = event.target.closest(".sales-column");
    if (!column || !dragged) { return; }
    event.preventDefault();
    const board = document.getElementById("board");
    if (column.contains(dragged)) { return; }
    htmx.ajax("POST", dragged.dataset.moveUrl, {
      target: "#board",
      swap: "outerHTML",
      headers: csrfHeaders(),
      values: { stage: column.dataset.stage, version: dragged.dataset.version, mine: board.dataset.mine },
    });
  });
})();

// Charts with several data sets (the forecast): <canvas data-sales-chart data-source="id-of-json-script">,
// the JSON holding {labels, datasets: [{label, data, type?}]}.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-sales-chart]").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    const data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: data,
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } },
    });
  });
});

// An order line takes its product's list price: choosing a product fills an empty unit price (the
// server does the same for a price left empty, so this only shows it).
document.addEventListener("change", function (event) {
  const select = event.target;
  if (!select.matches || !select.matches("#order-lines select[name$='-product']")) { return; }
  const option = select.selectedOptions[0];
  const price = select.name.replace(/-product$/, "-unit_price");
  const input = select.form && select.form.elements[price];
  if (input && option && option.dataset.price && !input.value) { input.value = option.dataset.price; }
});
