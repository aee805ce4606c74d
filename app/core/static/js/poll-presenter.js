/* Presenter view of a poll: fetch the results every few seconds and redraw the bars and numbers
   in place (no page reload). The page is server-rendered, so without this script it still shows
   the results as they were when it loaded. */
(function () {
  "use strict";
  var root = document.querySelector("[data-poll-results]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-poll-results");
  var seconds = Math.max(1, parseInt(root.getAttribute("data-interval"), 10) || 3);
  var lang = document.documentElement.lang || "nl";

  function percent(value) {
    return Number(value).toLocaleString(lang, { maximumFractionDigits: 1 }) + "%";
  }

  function setText(selector, text) {
    var el = root.querySelector(selector);
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function update(data) {
    setText("[data-total]", String(data.n));
    var small = root.querySelector("[data-small]");
    if (small) { small.hidden = !data.small; }
    data.options.forEach(function (option) {
      var row = root.querySelector('.bar-row[data-code="' + option.code + '"]');
      if (row) {
        var track = row.querySelector(".bar-track");
        var bar = row.querySelector(".bar");
        var full = parseFloat(track.getAttribute("width"));
        bar.setAttribute("width", (full * option.percent / 100).toFixed(1));
        row.querySelector(".bar-value").textContent = option.count + " \u00b7 " + percent(option.percent);
      }
      setText('[data-count="' + option.code + '"]', String(option.count));
      setText('[data-percent="' + option.code + '"]', percent(option.percent));
    });
    root.setAttribute("data-updated", String(Date.now()));
  }

  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { window.setTimeout(tick, seconds * 1000); });
  }

  window.setTimeout(tick, seconds * 1000);
}());
