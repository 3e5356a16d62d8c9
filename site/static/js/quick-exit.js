/*
 * Quick exit, after the GOV.UK "Exit this page" component.
 * - The "Exit this page" link is the first tab stop after the skip link on every page. Without
 *   JavaScript it is an ordinary link to a neutral site.
 * - With JavaScript, activating it (or pressing Shift three times within five seconds)
 *   blanks the page at once and replaces the current history entry with the neutral site,
 *   so the back button does not return here.
 * - Nothing is sent to this site on exit: no analytics, no request.
 */
(function () {
  "use strict";

  var PRESSES_NEEDED = 3;
  var WINDOW_MS = 5000;

  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  function blank() {
    document.documentElement.classList.add("quick-exit-active");
    var overlay = document.querySelector("[data-quick-exit-overlay]");
    if (overlay) {
      overlay.hidden = false;
    }
  }

  function unblank() {
    document.documentElement.classList.remove("quick-exit-active");
    var overlay = document.querySelector("[data-quick-exit-overlay]");
    if (overlay) {
      overlay.hidden = true;
    }
  }

  function exitTo(url) {
    blank();
    document.title = "Loading";
    window.location.replace(url);
  }

  function init() {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) {
      return;
    }
    var url = link.getAttribute("href");
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    status.setAttribute("data-quick-exit-status", "");
    link.parentNode.appendChild(status);

    link.addEventListener("click", function (event) {
      event.preventDefault();
      exitTo(url);
    });

    var presses = 0;
    var timer = null;

    function reset() {
      presses = 0;
      status.textContent = "";
      if (timer) {
        window.clearTimeout(timer);
        timer = null;
      }
    }

    document.addEventListener(
      "keydown",
      function (event) {
        // Shift used as a modifier (typing a capital letter) is not a quick-exit press.
        if (event.key !== "Shift") {
          reset();
        }
      },
      true
    );

    document.addEventListener(
      "keyup",
      function (event) {
        if (event.key !== "Shift") {
          return;
        }
        presses += 1;
        if (timer) {
          window.clearTimeout(timer);
        }
        timer = window.setTimeout(reset, WINDOW_MS);
        if (presses >= PRESSES_NEEDED) {
          reset();
          exitTo(url);
          return;
        }
        var left = PRESSES_NEEDED - presses;
        status.textContent =
          "Shift, press " + left + " more time" + (left === 1 ? "" : "s") + " to exit.";
      },
      true
    );

    // A page restored from the back/forward cache must not stay blank.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        unblank();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
