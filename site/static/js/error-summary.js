/*
 * After a form is sent back with errors, move focus to the error summary (GOV.UK pattern), so
 * keyboard and screen reader users start from the list of problems. The summary is rendered by
 * includes/form_fields.html with tabindex="-1". A static file: the Content Security Policy
 * allows no inline script.
 */
(function () {
  "use strict";

  function init() {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
