/* Turn on Web Push on this device: register the service worker (/sw.js), subscribe with the
   server's VAPID key and send the subscription to /api/v1/notices/push-subscriptions/.
   Self-hosted (the CSP allows only our own scripts); without it the inbox works the same. */
(function () {
  "use strict";
  var box = document.getElementById("push");
  if (!box) { return; }
  var state = box.querySelector(".push-state");
  var button = box.querySelector(".push-on");
  function say(name) { if (state) { state.textContent = state.getAttribute("data-" + name) || ""; } }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("unsupported");
    return;
  }
  if (Notification.permission === "denied") { say("denied"); return; }
  function keyBytes(b64) {
    var pad = "=".repeat((4 - (b64.length % 4)) % 4);
    var raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function send(sub) {
    var json = sub.toJSON();
    return fetch(box.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf") },
      body: JSON.stringify({ endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth })
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
    });
  }
  function subscribe() {
    return navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) {
        return reg.pushManager.getSubscription().then(function (existing) {
          return existing || reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(box.getAttribute("data-key"))
          });
        });
      })
      .then(send)
      .then(function () { say("on"); if (button) { button.hidden = true; } })
      .catch(function () { say("error"); });
  }
  navigator.serviceWorker.getRegistration("/").then(function (reg) {
    return reg ? reg.pushManager.getSubscription() : null;
  }).then(function (existing) {
    if (existing && Notification.permission === "granted") {
      send(existing).then(function () { say("on"); }, function () { say("error"); });
      return;
    }
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        Notification.requestPermission().then(function (answer) {
          if (answer === "granted") { subscribe(); } else { say("denied"); }
        });
      });
    }
  });
})();
