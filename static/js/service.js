// Service statistics charts: <canvas data-service-chart="bar|line|doughnut" data-source="json-script-id">.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-service-chart]").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    const data = JSON.parse(source.textContent);
    const type = canvas.dataset.serviceChart;
    const options = {
      responsive: true, aspectRatio: 1.4,
      plugins: { legend: { display: type === "doughnut", position: "bottom" } },
    };
    if (canvas.dataset.max) {
      options.scales = { y: { min: 1, max: Number(canvas.dataset.max) } };
    } else if (type === "bar") {
      options.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
    }
    new Chart(canvas, {
      type: type,
      data: { labels: data.labels, datasets: [{ data: data.values, tension: 0.3 }] },
      options: options,
    });
  });
});
