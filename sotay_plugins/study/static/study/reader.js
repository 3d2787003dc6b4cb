/* The resolution reader: record "read to the end" without a tap when the end marker scrolls into
   view or the audio ends. Posts the same form as the "Tôi đã đọc hết" button (with its CSRF
   token); the server records it once. Without JavaScript the button does the same. */
(function () {
  "use strict";
  var end = document.querySelector("[data-study-end]");
  var form = document.querySelector("[data-study-form]");
  if (!end || !form || !window.fetch) { return; }
  var sent = false;
  function post(via) {
    if (sent) { return; }
    sent = true;
    var data = new FormData(form);
    data.set("via", via);
    fetch(end.getAttribute("data-study-end"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (json) {
      if (!json || !json.read) { sent = false; return; }
      var done = document.querySelector("[data-study-done]");
      if (done) { done.hidden = false; }
      form.hidden = true;
    }).catch(function () { sent = false; });
  }
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { post("text"); observer.disconnect(); }
      });
    });
    observer.observe(end);
  }
  var audio = document.querySelector("[data-study-audio]");
  if (audio) { audio.addEventListener("ended", function () { post("audio"); }); }
})();
