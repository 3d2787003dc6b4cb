/* Offline app (issue 18): register /sw.js, sync; forms: offline-forms.js. The phone's queue of
   what was done offline is the worker's; pages put an entry in it with sotayOffline.queue
   (forms that can wait, study/quiz.js) and hear back by its key ("sent" or "refused"). */
(function () {
  "use strict";
  var sw = navigator.serviceWorker, root = document.documentElement;
  if (!sw || !window.fetch || root.hasAttribute("data-offline-page")) return;
  if (root.getAttribute("data-member") !== "1") {
    if (sw.controller) sw.controller.postMessage({ type: "forget" });
    return;
  }
  function key() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  /* entry: {url, method, body, csrf, sent, refused}; resolves once the worker holds it. */
  function queue(entry) {
    entry.key = entry.key || key();
    return sw.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { resolve(entry.key); };
        (sw.controller || registration.active).postMessage({ type: "queue", entry: entry }, [channel.port2]);
      });
    });
  }
  window.sotayOffline = { key: key, queue: queue };
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var forms = document.getElementById("offline-texts"); // a form here can wait offline
  if (forms) {
    var script = document.createElement("script");
    script.src = forms.getAttribute("data-js");
    document.head.appendChild(script);
  }
  function sync(force) {
    sw.ready.then(function (r) {
      (sw.controller || r.active).postMessage({ type: "sync", force: force, csrf: token ? token.value : "" });
    });
  }
  sw.register("/sw.js", { scope: "/" }).then(function () { if (navigator.onLine) sync(false); }, function () {});
  window.addEventListener("online", function () { sync(true); });
  sw.addEventListener("message", function (event) {
    var data = event.data || {};
    if (!data.text) return; // an entry without texts is its page's to show (study/quiz.js)
    var text = data.detail ? data.text + " " + data.detail : data.text;
    var box = document.getElementById("offline-status");
    if (!box) {
      box = document.createElement("p");
      box.id = "offline-status";
      box.className = "offline-status";
      box.setAttribute("role", "status");
      document.getElementById("main").insertAdjacentElement("afterbegin", box);
    }
    box.textContent = text;
  });
})();
