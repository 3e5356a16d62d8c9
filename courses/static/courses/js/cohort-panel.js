/*
 * Copy buttons in a cohort's "Adding people" panel (courses/cohorts/_manage_panel.html).
 * Without the clipboard API the buttons stay hidden; the fields are read-only and
 * selectable. The translated messages come from the button's data attributes.
 */
(function () {
  "use strict";

  function init() {
    if (!navigator.clipboard) {
      return;
    }
    document.querySelectorAll(".cohort-panel [data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) {
        return;
      }
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          var status = button.closest(".cohort-panel").querySelector("[data-copy-status]");
          button.textContent = button.getAttribute("data-copied-label");
          if (status) {
            status.textContent = button.getAttribute("data-copied-status");
          }
          setTimeout(function () {
            button.textContent = label;
          }, 2000);
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
