// Report charts declare themselves: <canvas data-report-chart="id-of-json-script">, the JSON made by
// reports.tables.Chart.as_json. Clicking a bar or slice opens the filtered list behind it.
(function () {
  "use strict";
  const COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#dc3545", "#6f42c1", "#20c997", "#ffc107", "#0dcaf0", "#6c757d", "#d63384"];

  function colour(index) { return COLOURS[index % COLOURS.length]; }

  function readJson(id) {
    const source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function drawChart(canvas) {
    const spec = readJson(canvas.dataset.reportChart);
    if (!spec) { return; }
    const round = spec.type === "doughnut";
    const datasets = spec.datasets.map(function (set, index) {
      const dataset = {
        label: set.label,
        data: set.data,
        links: set.links || [],
        backgroundColor: round ? set.data.map(function (_v, i) { return colour(i); }) : colour(index),
        borderColor: round ? "rgba(0,0,0,0)" : colour(index),
        fill: false,
      };
      // A second unit (a percentage, a score) reads off its own axis on the right.
      if (set.axis && set.axis !== "y") { dataset.yAxisID = set.axis; }
      if (set.type) { dataset.type = set.type; dataset.order = -1; }
      return dataset;
    });
    const options = {
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" } },
      onClick: function (_event, elements) {
        if (!elements.length) { return; }
        const link = datasets[elements[0].datasetIndex].links[elements[0].index];
        if (link) { window.location.href = link; }
      },
      onHover: function (event, elements) {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      },
    };
    if (!round) {
      const axes = spec.axes || {};
      const title = function (axis) { return axes[axis] ? { display: true, text: axes[axis] } : undefined; };
      options.scales = { x: { stacked: spec.stacked }, y: { stacked: spec.stacked, beginAtZero: true, title: title("y") } };
      if (spec.datasets.some(function (set) { return set.axis === "y1"; })) {
        options.scales.y1 = { position: "right", beginAtZero: true, title: title("y1"), grid: { drawOnChartArea: false } };
      }
    }
    new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  }

  // Statistics: the sampled points and the least-squares line over their x range.
  function drawScatter(canvas) {
    const spec = readJson(canvas.dataset.reportScatter);
    if (!spec) { return; }
    const points = spec.points.map(function (p) { return { x: p[0], y: p[1] }; });
    const datasets = [{ type: "scatter", label: spec.y_label, data: points, backgroundColor: "rgba(13,110,253,0.35)", pointRadius: 2 }];
    if (spec.slope !== null && points.length) {
      const xs = points.map(function (p) { return p.x; });
      const low = Math.min.apply(null, xs), high = Math.max.apply(null, xs);
      datasets.push({
        type: "line",
        label: "y = " + spec.slope.toFixed(3) + "x " + (spec.intercept < 0 ? "− " : "+ ") + Math.abs(spec.intercept).toFixed(3),
        data: [{ x: low, y: spec.slope * low + spec.intercept }, { x: high, y: spec.slope * high + spec.intercept }],
        borderColor: "#dc3545", pointRadius: 0,
      });
    }
    new Chart(canvas, {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { title: { display: true, text: spec.x_label } }, y: { title: { display: true, text: spec.y_label } } },
      },
    });
  }

  function drawAll(root) {
    if (typeof Chart === "undefined") { return; }
    if (document.querySelector(".big-screen")) {
      Chart.defaults.color = "#e9ecef";
      Chart.defaults.font.size = 16;
      Chart.defaults.borderColor = "rgba(255,255,255,0.15)";
    }
    root.querySelectorAll("canvas[data-report-chart]").forEach(drawChart);
    root.querySelectorAll("canvas[data-report-scatter]").forEach(drawScatter);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // The big screen re-fetches its body with htmx: free the old charts, draw the new ones.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (typeof Chart === "undefined") { return; }
    event.detail.target.querySelectorAll("canvas").forEach(function (canvas) {
      const chart = Chart.getChart(canvas);
      if (chart) { chart.destroy(); }
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.detail.target); });

  // Choosing another data set starts that data set's form afresh.
  document.addEventListener("change", function (event) {
    const select = event.target.closest("[data-dataset-switch]");
    if (select) { window.location.search = "?dataset=" + encodeURIComponent(select.value); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
