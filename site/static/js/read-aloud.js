/* "Nghe đọc": the page read aloud in Vietnamese by the browser's speech synthesis, or, on a
   phone with no Vietnamese voice, by the audio version made on the server
   (<audio data-read-aloud-audio>). Progressive enhancement; markup and options: README.md,
   "Reading aloud". */
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  if (typeof window.SpeechSynthesisUtterance !== "function") synth = null;
  var buttons = document.querySelectorAll("button[data-read-aloud]");
  var player = document.querySelector("audio[data-read-aloud-audio]");
  if (!buttons.length || (!synth && !player)) return;

  var BLOCK = /^(H[1-6]|P|LI|DT|DD|DIV|SECTION|ARTICLE|ASIDE|HEADER|FOOTER|UL|OL|DL|TABLE|TR|TD|TH|CAPTION|BLOCKQUOTE|FIGCAPTION)$/;
  var SKIP = /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|BUTTON|FORM|INPUT|SELECT|TEXTAREA|SVG|IMG)$/;
  var voice = null;
  var active = null; // {button, utterances, marked}

  function pickVoice() {
    var voices = synth && synth.getVoices ? synth.getVoices() : [];
    for (var i = 0; i < voices.length; i++) {
      if (/^vi([-_]|$)/i.test(voices[i].lang)) { voice = voices[i]; return; }
    }
  }
  pickVoice();
  if (synth && synth.addEventListener) synth.addEventListener("voiceschanged", pickVoice);

  /* The audio version: used when the browser has no Vietnamese voice to speak with. */
  function useAudio() { return !!player && (!synth || !voice); }

  function playAudio(button) {
    active = { button: button, utterances: null, marked: null, audio: true };
    setLabel(button, true);
    note(button, "");
    var playing = player.play();
    if (playing && playing.catch) playing.catch(function () { if (active && active.audio) stop(); });
  }
  if (player) {
    player.addEventListener("ended", function () { if (active && active.audio) stop(); });
    player.addEventListener("pause", function () { if (active && active.audio) stop(); });
  }

  function skip(el) {
    return el.hidden || el.getAttribute("aria-hidden") === "true" || el.hasAttribute("data-no-read") ||
      SKIP.test(el.tagName.toUpperCase());
  }

  function flush(chunk, out) {
    var text = chunk.text.replace(/\s+/g, " ").trim();
    if (text) out.push({ el: chunk.el, text: text });
    chunk.text = "";
  }

  function walk(node, chunk, out) {
    for (var c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3) {
        chunk.text += c.nodeValue;
      } else if (c.nodeType === 1 && !skip(c)) {
        if (c.hasAttribute("data-speak")) {
          chunk.text += " " + c.getAttribute("data-speak") + " ";
        } else if (BLOCK.test(c.tagName.toUpperCase())) {
          flush(chunk, out);
          var inner = { el: c, text: "" };
          walk(c, inner, out);
          flush(inner, out);
        } else {
          walk(c, chunk, out);
        }
      }
    }
  }

  function chunksOf(target) {
    var out = [];
    var chunk = { el: target, text: "" };
    walk(target, chunk, out);
    flush(chunk, out);
    return out;
  }

  function mark(el) {
    if (!active) return;
    if (active.marked) active.marked.classList.remove("reading");
    active.marked = el;
    el.classList.add("reading");
    if (el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
  }

  function setLabel(button, speaking) {
    var label = button.querySelector(".read-aloud-label") || button;
    if (!button.getAttribute("data-read-label")) button.setAttribute("data-read-label", label.textContent);
    label.textContent = speaking ? button.getAttribute("data-stop-label") : button.getAttribute("data-read-label");
  }

  function note(button, text) {
    var box = button.parentNode;
    var p = box.querySelector(".read-aloud-note");
    if (!text) { if (p) p.hidden = true; return; }
    if (!p) {
      p = document.createElement("p");
      p.className = "read-aloud-note";
      p.setAttribute("role", "status");
      box.appendChild(p);
    }
    p.textContent = text;
    p.hidden = false;
  }

  function stop() {
    if (!active) return;
    var done = active;
    active = null;
    if (done.audio) {
      if (!player.paused) player.pause();
    } else if (synth) {
      synth.cancel();
    }
    if (done.marked) done.marked.classList.remove("reading");
    setLabel(done.button, false);
  }

  function start(button) {
    var target = document.querySelector(button.getAttribute("data-read-aloud") || "main") || document.body;
    var chunks = chunksOf(target);
    if (!chunks.length) return;
    synth.cancel();
    note(button, "");
    var session = [];
    active = { button: button, utterances: session, marked: null };
    setLabel(button, true);
    chunks.forEach(function (chunk, i) {
      var u = new window.SpeechSynthesisUtterance(chunk.text);
      u.lang = "vi-VN";
      if (voice) u.voice = voice;
      u.rate = 0.9; // a little slower than default: easier to follow
      u.onstart = function () { mark(chunk.el); };
      u.onerror = function (event) {
        if (!active || active.utterances !== session) return;
        if (event && event.error !== "interrupted" && event.error !== "canceled") {
          stop();
          if (player) { playAudio(button); return; } // the phone cannot speak: the audio version
          note(button, button.getAttribute("data-error-label")); // e.g. no Vietnamese voice on this phone
        } else if (i === chunks.length - 1) {
          stop();
        }
      };
      if (i === chunks.length - 1) u.onend = function () { if (active && active.utterances === session) stop(); };
      session.push(u); // keep references: Chrome may drop events of collected utterances
    });
    session.forEach(function (u) { synth.speak(u); });
  }

  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var mine = active && active.button === button;
      stop();
      if (mine) return;
      if (useAudio()) playAudio(button);
      else start(button);
    });
  });
  window.addEventListener("pagehide", stop);
})();
