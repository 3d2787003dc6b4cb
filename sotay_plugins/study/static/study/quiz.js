// The quiz page with JavaScript: each choice is saved as it is made (PUT …/answers/, an
// idempotent upsert on the server), and a countdown shows the time the server gives. Without
// JavaScript the page's form does the same work page by page; this file only adds to it.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var url = form.getAttribute("data-save-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var errorBox = document.getElementById("quiz-save-error");
  var pending = {};

  function selectedOf(question) {
    var boxes = form.querySelectorAll("input[data-question='" + question + "']");
    var ids = [];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) { ids.push(parseInt(boxes[i].value, 10)); }
    }
    return ids;
  }

  function mark(question, text) {
    var input = form.querySelector("input[data-question='" + question + "']");
    var note = input && input.closest("fieldset").querySelector(".saved");
    if (note) { note.textContent = text; }
  }

  function save(question) {
    pending[question] = true;
    var body = JSON.stringify({ question: parseInt(question, 10), selected: selectedOf(question) });
    return fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" },
      body: body
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }).then(function (result) {
      if (result.ok) {
        delete pending[question];
        errorBox.hidden = true;
        mark(question, form.getAttribute("data-saved-text"));
        progress();
        if (typeof result.data.seconds_left === "number") { left = result.data.seconds_left; }
      } else {
        errorBox.textContent = result.data.detail || "";
        errorBox.hidden = false;
        if (result.status === 409) { finish(); }  // time is up or already submitted
      }
    }).catch(function () {
      errorBox.textContent = form.getAttribute("data-offline-text");
      errorBox.hidden = false;
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

  // The countdown: the server's seconds left, counted down here; at zero the form submits
  // (what was saved counts; the server closes the attempt itself if this never arrives).
  var clock = document.getElementById("quiz-clock");
  var left = parseInt(clock.getAttribute("data-seconds-left"), 10);
  var finished = false;
  function finish() {
    if (finished) { return; }
    finished = true;
    var flag = document.createElement("input");
    flag.type = "hidden"; flag.name = "nop-bai"; flag.value = "1";
    form.appendChild(flag);
    errorBox.textContent = form.getAttribute("data-timeout-text");
    errorBox.hidden = false;
    form.submit();
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
