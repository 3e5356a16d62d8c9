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
 */
(function () {
  "use strict";

  var ANNOUNCE_AT = [600, 300, 120, 60, 30];

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
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

  function timeLeft(seconds) {
    if (seconds >= 60) {
      return plural(Math.ceil(seconds / 60), "min", "min");
    }
    return seconds + " s";
  }

  function spoken(seconds) {
    if (seconds >= 60) {
      return plural(Math.round(seconds / 60), "minute", "minutes");
    }
    return plural(seconds, "second", "seconds");
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
        text.textContent = "Time left: " + timeLeft(seconds) + ". Submit by " + deadline + " (your time).";
      } else {
        text.textContent = "Time is up (" + deadline + "). Submitting your answers…";
      }
      ANNOUNCE_AT.forEach(function (mark) {
        if (previous > mark && seconds <= mark && seconds > 0) {
          announce("Time left: " + spoken(mark) + ". Submit by " + deadline + ".");
        }
      });
      previous = seconds;
      if (seconds <= 0) {
        announce("Time is up. Submitting your answers.");
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
      status.textContent = "Your answers are saved as you go.";
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
            show("Answer saved at " + clock(new Date(reply.body.saved_at)) + ".");
          } else if (reply.body.closed && reply.body.result_url) {
            window.location.assign(reply.body.result_url);
          } else {
            show("Your last answer was not saved: " + (reply.body.error || "please try again."));
            announce("Your last answer was not saved. " + (reply.body.error || ""));
          }
        })
        .catch(function () {
          show("Your answers could not be saved just now. Use “Save and come back later”.");
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
      show("Saving…");
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
