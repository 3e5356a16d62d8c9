/*
 * Quick exit, after the GOV.UK "Exit this page" component.
 * - The "Exit this page" link is the first tab stop after the skip link on every page. Without
 *   JavaScript it is an ordinary link to a neutral site.
 * - With JavaScript, activating it (or pressing Shift three times within five seconds)
 *   blanks the page at once and replaces the current history entry with the neutral site,
 *   so the back button does not return here.
 * - Following a link from one page of this site to another replaces the current history entry
 *   instead of adding one, so after an exit Back goes to the page that was open before this
 *   site, not to an earlier page of it. Pages reached by submitting a form (a search, quiz
 *   answers, signing in) still add an entry: the browser does that, and this script does not
 *   change it. Links that open elsewhere or download a file, links into the admin, sign-out
 *   links and links marked data-keep-history behave as usual.
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

  // Paths whose links keep the browser's usual history: the admin, signing out, and files.
  var KEEP_HISTORY_PATH = /^\/(admin|documents|static|media)\/|^\/account\/logout\/|\/download\/?$/;
  var FILE_EXTENSION = /\.(pdf|csv|tsv|xlsx?|ods|odt|docx?|zip|json|txt|ics|png|jpe?g|gif|svg|webp)$/i;

  // The same-origin page that a plain left-click on `anchor` opens, or null when the click
  // should keep the browser's usual behaviour.
  function replaceableTarget(event, anchor) {
    if (event.defaultPrevented || event.button !== 0) {
      return null;
    }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return null;
    }
    if (anchor.hasAttribute("download") || anchor.closest("[data-keep-history]")) {
      return null;
    }
    var target = anchor.getAttribute("target");
    if (target && target.toLowerCase() !== "_self") {
      return null;
    }
    var raw = anchor.getAttribute("href");
    if (!raw || raw.charAt(0) === "#" || typeof anchor.href !== "string") {
      return null;
    }
    var url;
    try {
      url = new URL(anchor.href, window.location.href);
    } catch (error) {
      return null;
    }
    if (url.origin !== window.location.origin) {
      return null;
    }
    if (
      url.hash &&
      url.pathname === window.location.pathname &&
      url.search === window.location.search
    ) {
      return null; // a jump within this page
    }
    if (KEEP_HISTORY_PATH.test(url.pathname) || FILE_EXTENSION.test(url.pathname)) {
      return null;
    }
    return url.href;
  }

  function keepHistoryShort() {
    document.addEventListener("click", function (event) {
      var anchor = event.target.closest && event.target.closest("a[href]");
      if (!anchor) {
        return;
      }
      var href = replaceableTarget(event, anchor);
      if (href) {
        event.preventDefault();
        window.location.replace(href);
      }
    });
  }

  function init() {
    keepHistoryShort();
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
        // The page's language gives the words (data-shift-one, data-shift-two on the link).
        var words = link.getAttribute(left === 1 ? "data-shift-one" : "data-shift-two");
        status.textContent =
          words || "Shift, press " + left + " more time" + (left === 1 ? "" : "s") + " to exit.";
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
