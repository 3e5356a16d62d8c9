// The upload status page: asks for the upload's progress every few seconds, updates the bar
// and the text, and reloads the page once the upload has finished (to show what it did).
// The text's words come from the template in the page's language (data-text, with {processed}
// and {total}), the numbers written as that language writes them; without data-text (a host
// site's own template) the server's text is shown.
(function () {
  "use strict";

  function number(n) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined).format(n);
    } catch (error) {
      return String(n);
    }
  }

  function progressText(box, progress) {
    var words = box.getAttribute("data-text");
    if (!words) {
      return progress.text;
    }
    return words
      .replace("{processed}", number(progress.processed))
      .replace("{total}", number(progress.total));
  }

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
        text.textContent = progressText(box, progress);
        status.textContent = progress.status_label;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the Refresh link still works
        window.setTimeout(poll, delay);
      });
  }
  // The same words and number format from the start as after each update.
  if (box.getAttribute("data-text") && bar) {
    // The attributes, not the properties: a <progress> reports a max of 0 as 1.
    text.textContent = progressText(box, {
      processed: parseInt(bar.getAttribute("value"), 10) || 0,
      total: parseInt(bar.getAttribute("max"), 10) || 0,
    });
  }
  window.setTimeout(poll, delay);
})();
