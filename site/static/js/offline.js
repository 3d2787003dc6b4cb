/* The shell's side of the offline app (issue 18); the service worker is /sw.js.
   - A member's page registers the worker and asks it to sync: send what waits, re-check and
     refresh what is kept (again whenever the network returns). A page without a member (the
     login page, after a logout) tells it to forget everything kept on this phone.
   - A form with data-offline-url (a bookmark, a comment), submitted with no network, is queued
     in the worker (IndexedDB) with a key made here once, and sent when the network returns.
   - The offline page lists what the phone keeps. */
(function () {
  "use strict";
  var sw = navigator.serviceWorker;
  if (!sw || !window.fetch) return;
  var root = document.documentElement;
  var member = root.getAttribute("data-member") === "1";
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = token ? token.value : "";

  function send(message) {
    return sw.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        (sw.controller || registration.active).postMessage(message, [channel.port2]);
      });
    });
  }

  function say(text, form) {
    var box = document.getElementById("offline-status");
    if (!box) {
      box = document.createElement("p");
      box.id = "offline-status";
      box.className = "offline-status";
      box.setAttribute("role", "status");
      if (form) form.insertAdjacentElement("afterend", box);
      else (document.getElementById("main") || document.body).insertAdjacentElement("afterbegin", box);
    }
    box.textContent = text;
  }

  function key() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  if (root.hasAttribute("data-offline-page")) {
    send({ type: "list" }).then(function (found) {
      var list = document.getElementById("kept-list");
      if (!found || !found.items || !found.items.length || !list) return;
      found.items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = false;
      document.getElementById("kept-empty").hidden = true;
    });
    return;
  }

  if (!member) {
    if (sw.controller) sw.controller.postMessage({ type: "forget" });
    return;
  }

  sw.register("/sw.js", { scope: "/" }).then(function () {
    if (navigator.onLine) send({ type: "sync", csrf: csrf });
  }).catch(function () {});

  window.addEventListener("online", function () { send({ type: "sync", force: true, csrf: csrf }); });

  sw.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "sent" && data.label) say(root.getAttribute("data-sent").replace("%s", data.label));
    if (data.type === "refused" && data.label) say(root.getAttribute("data-refused").replace("%s", data.label));
  });

  function queue(form) {
    var body = JSON.parse(form.getAttribute("data-offline-body") || "{}");
    (form.getAttribute("data-offline-fields") || "").split(",").filter(Boolean).forEach(function (name) {
      if (form.elements[name]) body[name] = form.elements[name].value;
    });
    var entry = {
      key: key(),
      url: form.getAttribute("data-offline-url"),
      method: form.getAttribute("data-offline-method") || "POST",
      body: body,
      csrf: (form.elements.csrfmiddlewaretoken || {}).value || csrf,
      label: form.getAttribute("data-offline-label") || ""
    };
    send({ type: "queue", entry: entry }).then(function () {
      say(root.getAttribute("data-queued"), form);
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
    });
  }

  /* Queued: with no network, or on a page the worker served from the phone (data-kept: the
     network failed a moment ago, whatever navigator.onLine says). The worker tries to send at
     once, and again whenever the network returns. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-offline-url")) return;
    if (navigator.onLine && !root.hasAttribute("data-kept")) return;
    event.preventDefault();
    queue(form);
  });
})();
