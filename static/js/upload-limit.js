// Stops a submission the server would refuse for its size while the typed text is still on the page:
// the limits come from data attributes on <body> (crm.context_processors.upload_limits).
(function () {
  function human(bytes) {
    const units = ["bytes", "KB", "MB", "GB"];
    let value = bytes, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return (unit ? value.toFixed(1) : value) + " " + units[unit];
  }

  function tooLarge(form) {
    const body = document.body.dataset;
    const textMax = parseInt(body.uploadTextMax || "0", 10);
    const fileMax = parseInt(body.uploadFileMax || "0", 10);
    let text = 0;
    for (const field of form.elements) {
      if (field.type === "file") {
        const limit = parseInt(field.dataset.maxBytes || "0", 10) || fileMax;
        for (const file of field.files || []) {
          if (limit && file.size > limit) { return [file.name, file.size, limit]; }
        }
      } else if (field.name && typeof field.value === "string" && !((field.type === "checkbox" || field.type === "radio") && !field.checked)) {
        // As sent url-encoded, which is what Django measures against DATA_UPLOAD_MAX_MEMORY_SIZE.
        text += encodeURIComponent(field.name).length + encodeURIComponent(field.value).length + 2;
      }
    }
    if (textMax && text > textMax) { return [document.body.dataset.uploadTextLabel || "text", text, textMax]; }
    return null;
  }

  document.addEventListener("submit", function (event) {
    const template = document.body.dataset.uploadTooLarge;
    const found = template && tooLarge(event.target);
    if (!found) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    window.alert(template.replace("{what}", found[0]).replace("{size}", human(found[1])).replace("{limit}", human(found[2])));
  }, true);

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-history-back]")) { window.history.back(); }
  });
})();
