/* The secretary's check-in page: progressive enhancement of a plain form (no library).
 * - camera scanning with the browser's BarcodeDetector where it exists (Chrome on Android);
 * - posts to the API (session + CSRF) and updates the list without reloading;
 * - offline: a check-in that cannot reach the server is queued in localStorage with its own time
 *   and sent to the offline endpoint when the network is back (each applied exactly once there);
 * - the list refreshes itself every 10 s (other scanners at the same event).
 */
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  var form = document.getElementById("code-form");
  if (!root || !form || !window.fetch || !window.JSON) return;

  var d = root.dataset;
  var queueKey = d.queueKey;  // the roll's (meetings: "sotay-checkin-queue-<meeting id>", as before)
  var live = document.getElementById("live");
  var queueNote = document.getElementById("queue");
  var input = document.getElementById("code");
  var csrf = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var syncing = false;

  function say(text, kind) {
    live.textContent = text;
    live.className = "live " + (kind || "ok");
    live.hidden = false;
  }

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(items) {
    try { localStorage.setItem(queueKey, JSON.stringify(items)); } catch (e) { /* storage full or off */ }
    showQueue(items);
  }
  function showQueue(items) {
    queueNote.hidden = !items.length;
    queueNote.textContent = d.msgQueue + " " + items.length;
  }

  function credential(text) {
    text = text.trim();
    return text.indexOf("|") >= 0 ? { cccd_qr: text } : { token: text };
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  function updateRow(record) {
    var row = document.querySelector('#roll li[data-member="' + record.member + '"]');
    if (!row) return;
    var badge = row.querySelector("[data-status]");
    var time = "";
    if (record.checked_in_at && (record.status === "present" || record.status === "late")) {
      var at = new Date(record.checked_in_at);
      time = " " + ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2);
    }
    badge.textContent = record.status_label + time;
    badge.className = "st st-" + record.status;
  }

  function updateCounts(summary) {
    var set = function (key, value) {
      var el = document.querySelector('#counts [data-count="' + key + '"]');
      if (el) el.textContent = value;
    };
    set("present", summary.present + summary.late);
    set("excused", summary.excused);
    set("expected", summary.expected);
  }

  function enqueue(cred) {
    var items = readQueue();
    cred.at = new Date().toISOString();
    cred.client_id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    items.push(cred);
    writeQueue(items);
    say(d.msgOffline, "wait");
  }

  function checkIn(text) {
    if (!text.trim()) return;
    var cred = credential(text);
    if (!navigator.onLine) { enqueue(cred); return; }
    post(d.checkinUrl, cred).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (r) {
      if (r.ok) {
        updateRow(r.data);
        say(d.msgDone + " " + r.data.member_name + " — " + r.data.status_label + (r.data.already ? " (" + d.msgAlready + ")" : ""));
        refresh();
      } else {
        say(r.data.detail || "?", "err");
      }
    }).catch(function () { enqueue(cred); });
  }

  function sync() {
    var items = readQueue();
    if (syncing || !items.length || !navigator.onLine) return;
    syncing = true;
    post(d.offlineUrl, { items: items }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (r) {
      if (!r.ok) { say(r.data.detail || "?", "err"); return; }
      // Every item got an answer (created, already or a refusal): drop them all; keep only items
      // queued while this request was in flight.
      var sent = {};
      items.forEach(function (item) { sent[item.client_id] = true; });
      writeQueue(readQueue().filter(function (item) { return !sent[item.client_id]; }));
      var errors = r.data.results.filter(function (x) { return x.outcome === "error"; });
      say(d.msgSynced + (errors.length ? " " + errors.map(function (x) { return x.detail; }).join(" ") : ""),
          errors.length ? "err" : "ok");
      refresh();
    }).catch(function () { /* still offline: try again later */ }).then(function () { syncing = false; });
  }

  function refresh() {
    if (!navigator.onLine) return;
    fetch(d.attendanceUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.results.forEach(updateRow);
        updateCounts(data.summary);
      }).catch(function () {});
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    checkIn(text);
    input.focus();
  });

  // Camera scanning: the browser's own BarcodeDetector (Chrome on Android) or, elsewhere
  // (Safari, Firefox), the vendored jsQR decoder, loaded only when the camera is switched on.
  var camera = document.getElementById("camera");
  var loadDecoder = function () {
    if ("BarcodeDetector" in window) {
      try {
        var native = new window.BarcodeDetector({ formats: ["qr_code"] });
        return Promise.resolve(function (video) {
          return native.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue || "" : ""; });
        });
      } catch (e) { /* fall through to jsQR */ }
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = d.qrDecoder;
      script.onload = function () {
        var canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", { willReadFrequently: true });
        resolve(function (video) {
          var scale = Math.min(1, 640 / (video.videoWidth || 640));  // cheap phones: decode small frames
          canvas.width = Math.round(video.videoWidth * scale);
          canvas.height = Math.round(video.videoHeight * scale);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          var frame = context.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
          return Promise.resolve(code ? code.data : "");
        });
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  };
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    var video = document.getElementById("camera-video");
    var start = document.getElementById("camera-start");
    var stopButton = document.getElementById("camera-stop");
    var decode = null, stream = null, last = "", lastAt = 0, timer = null, busy = false;
    camera.hidden = false;
    var stop = function () {
      if (timer) clearInterval(timer);
      timer = null;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true; stopButton.hidden = true; start.hidden = false;
    };
    start.addEventListener("click", function () {
      loadDecoder().then(function (fn) {
        decode = fn;
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false; stopButton.hidden = false; start.hidden = true;
        return video.play();
      }).then(function () {
        timer = setInterval(function () {
          if (busy || video.readyState < 2) return;
          busy = true;
          decode(video).then(function (value) {
            var now = Date.now();
            if (value && (value !== last || now - lastAt > 4000)) {  // the same card held up: once
              last = value; lastAt = now;
              if (navigator.vibrate) navigator.vibrate(80);
              checkIn(value);
            }
          }).catch(function () {}).then(function () { busy = false; });
        }, 250);
      }).catch(function () { stop(); say(d.msgCamera, "err"); });
    });
    stopButton.addEventListener("click", stop);
  }

  showQueue(readQueue());
  window.addEventListener("online", sync);
  setInterval(function () { sync(); refresh(); }, 10000);
  sync();
})();
