/* Offline app (issue 18): register /sw.js, sync; forms: offline-forms.js. */
(function () {
  "use strict";
  var sw = navigator.serviceWorker, root = document.documentElement;
  if (!sw || !window.fetch || root.hasAttribute("data-offline-page")) return;
  if (root.getAttribute("data-member") !== "1") {
    if (sw.controller) sw.controller.postMessage({ type: "forget" });
    return;
  }
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
    var text = (event.data || {}).text;
    if (!text) return;
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
