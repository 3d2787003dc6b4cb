/* The offline page (/ngoai-tuyen/, issue 18) lists what the phone keeps, as the worker says. */
(function () {
  "use strict";
  var sw = navigator.serviceWorker;
  if (!sw || !sw.controller) return;
  var channel = new MessageChannel();
  channel.port1.onmessage = function (event) {
    var found = event.data || {}, list = document.getElementById("kept-list");
    if (!found.items || !found.items.length || !list) return;
    found.items.forEach(function (item) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
    document.getElementById("kept-empty").hidden = true;
  };
  sw.controller.postMessage({ type: "list" }, [channel.port2]);
})();
