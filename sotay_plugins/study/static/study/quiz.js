// The quiz page with JavaScript: each choice is saved as it is made (PUT …/answers/, an
// idempotent upsert on the server), and a countdown shows the time the server gives. Without
// JavaScript the page's form does the same work page by page; this file only adds to it.
//
// With no network: a quiz that allows it (data-offline="1") keeps answering. Each choice, and
// "Nộp bài", goes into the phone's offline queue (the service worker's, through js/offline.js),
// which sends them in order when the network returns, each once (Idempotency-Key); once one
// choice waits there, the later ones follow it through the queue so that none overtakes it. The
// server keeps the clock: what arrives after the deadline is refused, and the page says why.
// Another quiz says it needs the network, and the phone keeps nothing.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var url = form.getAttribute("data-save-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var errorBox = document.getElementById("quiz-save-error");
  var statusBox = document.getElementById("quiz-offline");
  var sw = navigator.serviceWorker;
  var offline = form.getAttribute("data-offline") === "1" && Boolean(sw && window.sotayOffline);
  var queueing = false;   // a choice waits in the queue: the next ones go after it
  var waiting = {};       // queue key -> question id, or "submit"
  var submitted = false;

  function text(name) { return form.getAttribute("data-" + name) || ""; }

  function say(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function tell(message) {
    if (!statusBox) { return; }
    statusBox.textContent = message;
    statusBox.hidden = !message;
  }

  function selectedOf(question) {
    var boxes = form.querySelectorAll("input[data-question='" + question + "']");
    var ids = [];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) { ids.push(parseInt(boxes[i].value, 10)); }
    }
    return ids;
  }

  function mark(question, note) {
    var input = form.querySelector("input[data-question='" + question + "']");
    var place = input && input.closest("fieldset").querySelector(".saved");
    if (place) { place.textContent = note; }
  }

  function stillWaiting(what) {
    for (var key in waiting) { if (waiting[key] === what) { return true; } }
    return false;
  }

  function keep(what, entry) {
    queueing = true;
    entry.key = window.sotayOffline.key();
    entry.csrf = token;
    entry.sent = "";
    entry.refused = "";
    waiting[entry.key] = what;
    return window.sotayOffline.queue(entry);
  }

  function keepAnswer(question) {
    var body = { question: parseInt(question, 10), selected: selectedOf(question) };
    mark(question, text("kept-one"));
    progress();
    tell(text("kept-text"));
    return keep(question, { url: url, method: "PUT", body: body });
  }

  function keepSubmit() {
    if (submitted) { return; }
    submitted = true;
    keep("submit", { url: form.getAttribute("data-submit-url"), method: "POST", body: {} }).then(function () {
      tell(text("submit-kept-text"));
      var inputs = form.querySelectorAll("input, button");
      for (var i = 0; i < inputs.length; i++) { inputs[i].disabled = true; }
    });
  }

  function needsNetwork(question) {
    if (question) { mark(question, text("not-saved")); }
    say(text("network-text"));
  }

  function save(question) {
    if (offline && (queueing || !navigator.onLine)) { return keepAnswer(question); }
    if (!navigator.onLine) { return needsNetwork(question); }
    var body = JSON.stringify({ question: parseInt(question, 10), selected: selectedOf(question) });
    return fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" },
      body: body
    }).then(function (response) {
      return response.json().then(null, function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function () { return null; }).then(function (result) {
      if (result === null) {  // no answer from the server: the network is gone
        if (offline) { return keepAnswer(question); }
        return needsNetwork(question);
      }
      if (result.ok) {
        say("");
        mark(question, text("saved-text"));
        progress();
        if (typeof result.data.seconds_left === "number") { left = result.data.seconds_left; }
      } else {
        say(result.data.detail || "");
        if (result.status === 409) { finish(); }  // time is up or already submitted
      }
    });
  }

  // What the queue sent, or what the server refused, for this page's entries.
  if (offline) {
    sw.addEventListener("message", function (event) {
      var data = event.data || {};
      if (!data.key || !(data.key in waiting)) { return; }
      var what = waiting[data.key];
      delete waiting[data.key];
      if (data.type === "sent") {
        if (what === "submit") { window.location.assign(form.getAttribute("data-result-url")); return; }
        if (!stillWaiting(what)) { mark(what, text("saved-text")); }
      } else {
        if (what !== "submit") { mark(what, text("not-saved")); }
        say(data.detail || text("refused-text"));
      }
      if (!Object.keys(waiting).length) {
        queueing = false;
        if (!submitted) { tell(text("sent-text")); }
      }
    });
  }

  // "Đã trả lời a/t câu.": the page's own count, kept up to date as choices are saved.
  var counter = document.getElementById("quiz-progress");
  var template = counter ? counter.getAttribute("data-template") : null;
  function progress() {
    if (!template) { return; }
    var sets = form.querySelectorAll("fieldset.question");
    var answered = parseInt(counter.getAttribute("data-answered-elsewhere"), 10) || 0;
    for (var i = 0; i < sets.length; i++) {
      if (sets[i].querySelector("input:checked")) { answered += 1; }
    }
    counter.textContent = template.replace("__A__", answered);
  }

  form.addEventListener("change", function (event) {
    var q = event.target.getAttribute("data-question");
    if (q) { save(q); }
  });

  // The form's buttons with no network: a quiz that allows it queues "Nộp bài" after the
  // answers (the others have nothing left to do: the answers wait already); another says it
  // needs the network instead of leaving the page for the browser's error.
  form.addEventListener("submit", function (event) {
    if (navigator.onLine && !queueing) { return; }
    event.preventDefault();
    if (!offline) { return needsNetwork(null); }
    if (event.submitter && event.submitter.name === "nop-bai") { return keepSubmit(); }
    tell(text("kept-text"));
  });

  // The countdown: the server's seconds left, counted down here; at zero the form submits
  // (what was saved counts; the server closes the attempt itself if this never arrives).
  var clock = document.getElementById("quiz-clock");
  var left = parseInt(clock.getAttribute("data-seconds-left"), 10);
  var finished = false;
  function finish() {
    if (finished) { return; }
    finished = true;
    say(text("timeout-text"));
    if (navigator.onLine && !queueing) {
      var flag = document.createElement("input");
      flag.type = "hidden"; flag.name = "nop-bai"; flag.value = "1";
      form.appendChild(flag);
      form.submit();
    } else if (offline) {
      keepSubmit();
    }
  }
  function tick() {
    if (left <= 0) { clock.textContent = "00:00"; finish(); return; }
    var m = Math.floor(left / 60), s = left % 60;
    clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 60) { clock.parentNode.classList.add("low"); }
    left -= 1;
  }
  tick();
  setInterval(tick, 1000);
})();
