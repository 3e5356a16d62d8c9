// The upload status page: asks for the upload's progress every few seconds, updates the bar
// and the text, and reloads the page once the upload has finished (to show what it did).
(function () {
  "use strict";
  var box = document.querySelector("[data-upload-job]");
  if (!box || box.dataset.finished === "true" || !window.fetch) {
    return;
  }
  var bar = box.querySelector("[data-upload-job-bar]");
  var text = box.querySelector("[data-upload-job-text]");
  var status = box.querySelector("[data-upload-job-status]");
  var delay = 2000;

  function poll() {
    fetch(box.dataset.progressUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        if (progress.finished) {
          window.location.reload();
          return;
        }
        bar.max = progress.total;
        bar.value = progress.processed;
        text.textContent = progress.text;
        status.textContent = progress.status_label;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the Refresh link still works
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
