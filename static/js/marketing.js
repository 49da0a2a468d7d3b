// Marketing pages: the check-in scanner and the campaign comparison charts (no inline scripts: CSP).

// Check-in: the camera reads the QR code (the browser's BarcodeDetector where there is one, the
// vendored jsQR otherwise), puts the code into the field and submits the form; typing still works.
(function () {
  const button = document.getElementById("scan-start");
  if (!button) { return; }
  const video = document.getElementById("scan-video");
  const canvas = document.getElementById("scan-canvas");
  const input = document.querySelector(button.dataset.scannerTarget);
  const form = document.querySelector(button.dataset.scannerForm);
  const unavailable = document.getElementById("scan-unavailable");
  let stream = null;
  let detector = null;
  let last = "";

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.classList.add("d-none");
  }

  function found(code) {
    if (!code || code === last) { return; }
    last = code;
    input.value = code;
    form.requestSubmit();
    setTimeout(function () { last = ""; }, 3000);  // the same badge may be shown again later
  }

  async function tick() {
    if (!stream) { return; }
    if (video.readyState >= 2) {
      if (detector) {
        try {
          const codes = await detector.detect(video);
          if (codes.length) { found(codes[0].rawValue); }
        } catch (error) { detector = null; }
      } else if (typeof jsQR !== "undefined") {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const context = canvas.getContext("2d", { willReadFrequently: true });
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code) { found(code.data); }
      }
    }
    requestAnimationFrame(tick);
  }

  button.addEventListener("click", async function () {
    if (stream) { stop(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      unavailable.classList.remove("d-none");
      input.focus();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      unavailable.classList.remove("d-none");
      input.focus();
      return;
    }
    // Some platforms (desktop Linux) define BarcodeDetector but read no QR codes with it.
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        detector = formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      } catch (error) { detector = null; }
    }
    video.srcObject = stream;
    video.classList.remove("d-none");
    await video.play();
    requestAnimationFrame(tick);
  });

  // After each check-in the field is cleared and ready for the next person.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === form) { input.value = ""; input.focus(); }
  });
})();

// Campaign effect: cost against won revenue, and ROI, per campaign.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-effect-chart]").forEach(function (canvas) {
    const data = JSON.parse(document.getElementById(canvas.dataset.source).textContent);
    const datasets = canvas.dataset.effectChart === "roi"
      ? [{ label: data.roi.label, data: data.roi.values.map(Number) }]
      : data.series.map(function (series) { return { label: series.label, data: series.values.map(Number) }; });
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } },
    });
  });
});
