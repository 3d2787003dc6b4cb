/* Voice input (issue 18): a microphone button beside a search box or a text field, for members
   who find typing on a phone hard. Progressive enhancement: the button is made here, and only
   when the browser offers speech recognition (SpeechRecognition / webkitSpeechRecognition);
   elsewhere nothing is added and the field works as before. No inline script (the CSP forbids
   it): the field carries its Vietnamese labels in data attributes —
   <input … data-voice-input data-voice-label="Nói để nhập từ khóa"
          data-voice-stop-label="Dừng nghe" data-voice-listening="Đang nghe, mời đồng chí nói…"
          data-voice-error="Chưa nghe được. Xin thử lại hoặc gõ bằng bàn phím.">
   A recognized phrase replaces a one-line field (input) and is added to the end of a text area.
   Recognition is in Vietnamese (vi-VN); the browser asks for the microphone the first time. */
(function () {
  "use strict";
  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (typeof Recognition !== "function") return;
  var fields = document.querySelectorAll("[data-voice-input]");
  if (!fields.length) return;
  var MIC = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" width="24" height="24">' +
    '<path fill="currentColor" d="M12 15a3 3 0 0 0 3-3V6a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3z"/>' +
    '<path d="M18 11a6 6 0 0 1-12 0M12 17v4M8 21h8" fill="none" stroke="currentColor" ' +
    'stroke-width="2" stroke-linecap="round"/></svg>';
  var current = null; // {field, button, recognition}

  function status(field, text) {
    var id = (field.id || "field") + "-voice-status";
    var p = document.getElementById(id);
    if (!p) {
      p = document.createElement("p");
      p.id = id;
      p.className = "voice-input-status";
      p.setAttribute("role", "status");
      var next = field.nextElementSibling;
      var anchor = field.parentNode.classList.contains("search-row") ? field.parentNode
        : next && next.classList.contains("voice-input") ? next : field;
      anchor.insertAdjacentElement("afterend", p);
    }
    p.textContent = text || "";
    p.hidden = !text;
  }

  function put(field, text) {
    text = (text || "").trim();
    if (!text) return;
    if (field.tagName === "TEXTAREA" && field.value.trim()) {
      field.value = field.value.replace(/\s*$/, "") + " " + text;
    } else {
      field.value = text;
    }
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (max > 0 && field.value.length > max) field.value = field.value.slice(0, max);
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  }

  function label(button, field, listening) {
    var text = field.getAttribute(listening ? "data-voice-stop-label" : "data-voice-label");
    button.setAttribute("aria-pressed", listening ? "true" : "false");
    button.setAttribute("aria-label", text);
    button.classList.toggle("listening", listening);
    var words = button.querySelector(".voice-input-label");
    if (words) words.textContent = text;
  }

  function finish() {
    if (!current) return;
    var done = current;
    current = null;
    label(done.button, done.field, false);
    try { done.recognition.abort(); } catch (e) { /* already stopped */ }
  }

  function listen(field, button) {
    var recognition = new Recognition();
    recognition.lang = "vi-VN";
    recognition.interimResults = false;
    recognition.continuous = false;
    recognition.maxAlternatives = 1;
    var heard = false;
    current = { field: field, button: button, recognition: recognition };
    recognition.onresult = function (event) {
      var result = event.results[event.results.length - 1];
      if (result && result[0]) {
        heard = true;
        put(field, result[0].transcript);
        status(field, "");
      }
    };
    recognition.onerror = function () {
      if (current && current.recognition === recognition) {
        finish();
        status(field, field.getAttribute("data-voice-error"));
      }
    };
    recognition.onend = function () {
      if (current && current.recognition === recognition) {
        finish();
        status(field, heard ? "" : field.getAttribute("data-voice-error"));
      }
    };
    label(button, field, true);
    status(field, field.getAttribute("data-voice-listening"));
    try {
      recognition.start();
    } catch (e) {
      finish();
      status(field, field.getAttribute("data-voice-error"));
    }
  }

  Array.prototype.forEach.call(fields, function (field) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "voice-input";
    button.setAttribute("aria-label", field.getAttribute("data-voice-label"));
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", field.id);
    button.innerHTML = MIC;
    if (!field.parentNode.classList.contains("search-row")) {
      // Under a text area there is room to say it in words too (the search row has none).
      var words = document.createElement("span");
      words.className = "voice-input-label";
      words.setAttribute("aria-hidden", "true");
      words.textContent = field.getAttribute("data-voice-label");
      button.appendChild(words);
    }
    field.insertAdjacentElement("afterend", button);
    button.addEventListener("click", function () {
      var mine = current && current.button === button;
      if (current) { var was = current.field; finish(); status(was, ""); }
      if (!mine) listen(field, button);
    });
  });
  window.addEventListener("pagehide", finish);
})();
