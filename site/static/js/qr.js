// The member's QR page renews its code in place (no page reload, which lost the reader's place
// and was an accessibility failure): every `data-every` seconds, and when the page comes back
// into view, the card is fetched from `data-renew` and swapped. Without JavaScript the page
// keeps its "Làm mới mã" link, which reloads it.
(function () {
  var card = document.getElementById("qr-card");
  if (!card || !window.fetch) return;
  var note = document.getElementById("qr-note");
  var every = (parseInt(card.dataset.every, 10) || 60) * 1000;
  var last = Date.now();
  var busy = false;
  if (note) note.textContent = note.dataset.auto;

  function renew() {
    if (busy) return;
    busy = true;
    fetch(card.dataset.renew, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        card.innerHTML = html;
        card.dataset.renewed = String((parseInt(card.dataset.renewed, 10) || 0) + 1);
        last = Date.now();
        if (note) note.textContent = note.dataset.auto;
      })
      .catch(function () {
        if (note) note.textContent = note.dataset.failed;
      })
      .then(function () { busy = false; });
  }

  setInterval(function () {
    if (!document.hidden && Date.now() - last >= every - 500) renew();
  }, 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && Date.now() - last >= every - 500) renew();
  });
  var button = document.getElementById("qr-renew");
  if (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      renew();
    });
  }
})();
