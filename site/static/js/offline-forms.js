/* Forms that can wait for the network (issue 18): a form with data-offline-url (a bookmark, a
   comment), submitted with no network or on a page the worker served from the phone (<html
   data-kept>), is queued in the worker (IndexedDB, through js/offline.js) with a key made once;
   the worker sends it with Idempotency-Key when the network returns, and the server carries it
   out once. */
(function () {
  "use strict";
  var sw = navigator.serviceWorker, root = document.documentElement;
  var texts = document.getElementById("offline-texts");
  if (!sw || !window.fetch || !texts || !window.sotayOffline || root.getAttribute("data-member") !== "1") return;

  function queue(form) {
    var body = JSON.parse(form.getAttribute("data-offline-body") || "{}");
    (form.getAttribute("data-offline-fields") || "").split(",").filter(Boolean).forEach(function (name) {
      if (form.elements[name]) body[name] = form.elements[name].value;
    });
    var label = form.getAttribute("data-offline-label") || "";
    var entry = {
      url: form.getAttribute("data-offline-url"),
      method: form.getAttribute("data-offline-method") || "POST",
      body: body,
      csrf: (form.elements.csrfmiddlewaretoken || {}).value || "",
      sent: texts.getAttribute("data-sent").replace("%s", label),
      refused: texts.getAttribute("data-refused").replace("%s", label)
    };
    window.sotayOffline.queue(entry).then(function () {
      var box = document.getElementById("offline-status");
      if (!box) {
        box = document.createElement("p");
        box.id = "offline-status";
        box.className = "offline-status";
        box.setAttribute("role", "status");
        form.insertAdjacentElement("afterend", box);
      }
      box.textContent = texts.getAttribute("data-queued");
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-offline-url")) return;
    if (navigator.onLine && !root.hasAttribute("data-kept")) return; // a plain form post
    event.preventDefault();
    queue(form);
  });
})();
