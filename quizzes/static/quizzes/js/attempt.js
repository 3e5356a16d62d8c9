/*
 * Taking a quiz (quizzes/attempt.html, quizzes/review.html): progressive enhancement.
 *
 * Autosave: each answer is POSTed (with the form's CSRF token) to the attempt's autosave
 * endpoint as it changes, one request at a time, so the server always keeps the latest.
 * Without JavaScript, "Save and come back later" does the same job.
 *
 * Countdown: "Time left" and the deadline in the learner's own clock time. The remaining
 * seconds come from the server, so a wrong clock on this device does not matter. Screen
 * readers hear it through a polite live region only at 10, 5, 2 and 1 minutes and 30 seconds
 * left (WCAG 2.2.1), never every second. At zero the form is submitted; the server marks what
 * arrives in time and ignores anything later.
 *
 * Words: the templates give them in the page's language in data- attributes (the countdown's
 * on [data-countdown], the autosave's on the form), with {left}, {deadline}, {n}, {time} and
 * {error} to fill in; the English below is used when a host site's template gives none.
 */
(function () {
  "use strict";

  var ANNOUNCE_AT = [600, 300, 120, 60, 30];

  // The words in the page's language from `element`'s data-<name> attribute, else the
  // English `fallback`; {key} filled in from `values`.
  function words(element, name, fallback, values) {
    var text = (element && element.getAttribute("data-" + name)) || fallback;
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  // "one" or "other": the plural form of n in the page's language.
  function pluralForm(n) {
    if (window.Intl && Intl.PluralRules) {
      try {
        return new Intl.PluralRules(document.documentElement.lang || undefined).select(n) === "one"
          ? "one"
          : "other";
      } catch (error) {
        // An unknown language tag: English rules below.
      }
    }
    return n === 1 ? "one" : "other";
  }

  function plural(box, name, n, one, other) {
    var form = pluralForm(n);
    return words(box, name + "-" + form, form === "one" ? one : other, { n: n });
  }

  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function announce(text) {
    var region = document.querySelector("[data-countdown-announce]");
    if (region) {
      region.textContent = text;
    }
  }

  function timeLeft(box, seconds) {
    if (seconds >= 60) {
      return words(box, "short-minutes", "{n} min", { n: Math.ceil(seconds / 60) });
    }
    return words(box, "short-seconds", "{n} s", { n: seconds });
  }

  function spoken(box, seconds) {
    if (seconds >= 60) {
      return plural(box, "minute", Math.round(seconds / 60), "{n} minute", "{n} minutes");
    }
    return plural(box, "second", seconds, "{n} second", "{n} seconds");
  }

  function submitAtZero(form) {
    if (!form || form.getAttribute("data-submitting")) {
      return;
    }
    form.setAttribute("data-submitting", "true");
    form.querySelectorAll("button[name=action]").forEach(function (button) {
      button.disabled = true;
    });
    var action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = "submit";
    form.appendChild(action);
    form.submit();
  }

  function startCountdown() {
    var box = document.querySelector("[data-countdown]");
    if (!box) {
      return;
    }
    var secondsLeft = parseInt(box.getAttribute("data-seconds-left"), 10);
    if (isNaN(secondsLeft)) {
      return;
    }
    var endsAt = Date.now() + secondsLeft * 1000;
    var deadline = clock(new Date(endsAt));
    var text = box.querySelector("[data-countdown-text]");
    var form = document.querySelector("form[data-timed-form]");
    var previous = secondsLeft;

    function tick() {
      var seconds = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
      if (seconds > 0) {
        text.textContent = words(
          box,
          "text-left",
          "Time left: {left}. Submit by {deadline} (your time).",
          { left: timeLeft(box, seconds), deadline: deadline }
        );
      } else {
        text.textContent = words(
          box,
          "text-up",
          "Time is up ({deadline}). Submitting your answers…",
          { deadline: deadline }
        );
      }
      ANNOUNCE_AT.forEach(function (mark) {
        if (previous > mark && seconds <= mark && seconds > 0) {
          announce(
            words(box, "say-left", "Time left: {left}. Submit by {deadline}.", {
              left: spoken(box, mark),
              deadline: deadline,
            })
          );
        }
      });
      previous = seconds;
      if (seconds <= 0) {
        announce(words(box, "say-up", "Time is up. Submitting your answers."));
        // A second's margin, so that the server's clock has passed the deadline too.
        setTimeout(function () {
          submitAtZero(form);
        }, 1000);
        return;
      }
      var fraction = (endsAt - Date.now()) % 1000;
      setTimeout(tick, fraction > 0 ? fraction : 1000);
    }
    tick();
  }

  function startAutosave() {
    var form = document.querySelector("form[data-autosave-url]");
    if (!form || !window.fetch || !window.FormData) {
      return;
    }
    var url = form.getAttribute("data-autosave-url");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var status = document.querySelector("[data-autosave-status]");
    var pending = {};
    var order = [];
    var busy = false;
    if (status) {
      status.textContent = words(form, "autosave-on", "Your answers are saved as you go.");
    }

    function show(message) {
      if (status) {
        status.textContent = message;
      }
    }

    function flush() {
      if (busy || !order.length) {
        return;
      }
      var question = order.shift();
      var data = pending[question];
      delete pending[question];
      busy = true;
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (reply) {
          if (reply.ok && reply.body.saved) {
            show(
              words(form, "autosave-saved", "Answer saved at {time}.", {
                time: clock(new Date(reply.body.saved_at)),
              })
            );
          } else if (reply.body.closed && reply.body.result_url) {
            window.location.assign(reply.body.result_url);
          } else {
            var error = reply.body.error || words(form, "autosave-retry", "please try again.");
            show(words(form, "autosave-failed", "Your last answer was not saved: {error}", { error: error }));
            announce(
              words(form, "autosave-failed-say", "Your last answer was not saved.") +
                (reply.body.error ? " " + reply.body.error : "")
            );
          }
        })
        .catch(function () {
          show(
            words(
              form,
              "autosave-offline",
              "Your answers could not be saved just now. Use “Save and come back later”."
            )
          );
        })
        .then(function () {
          busy = false;
          flush();
        });
    }

    form.addEventListener("change", function (event) {
      var name = event.target.name || "";
      if (!/^q\d+$/.test(name) || form.getAttribute("data-submitting")) {
        return;
      }
      var data = new FormData();
      data.append("csrfmiddlewaretoken", token ? token.value : "");
      data.append("question", name.slice(1));
      form.querySelectorAll("input[name='" + name + "']:checked").forEach(function (input) {
        data.append("choice", input.value);
      });
      if (!pending[name.slice(1)]) {
        order.push(name.slice(1));
      }
      pending[name.slice(1)] = data;
      show(words(form, "autosave-saving", "Saving…"));
      flush();
    });
  }

  function init() {
    startAutosave();
    startCountdown();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
