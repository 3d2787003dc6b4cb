// Autocomplete of titles and document numbers for the search box (issue 15): fills the
// <datalist> from /api/v1/search/suggest/. Without JavaScript the form works as is.
(function () {
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!input || !list || !window.fetch) return;
  var timer = null, last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      last = q;
      fetch("/api/v1/search/suggest/?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (data) {
          list.textContent = "";
          (data.results || []).forEach(function (row) {
            var option = document.createElement("option");
            option.value = row.number && row.number.toLowerCase().indexOf(q.toLowerCase()) === 0 ? row.number : row.title;
            option.label = row.number ? row.number + " — " + row.title : row.title;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
