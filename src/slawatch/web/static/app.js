// slawatch pages: charts from data-chart configs and live countdowns; no build step.
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      canvas.dataset.drawn = "1";
      var config = JSON.parse(canvas.dataset.chart);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      new Chart(canvas, config);
    });
  }

  function remaining(seconds, lang) {
    var sign = seconds < 0 ? "−" : "";
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var units = lang === "de" ? ["T", "Std.", "Min.", "Sek."] : ["d", "h", "min", "s"];
    var parts = d ? [d + " " + units[0], h + " " + units[1]]
      : h ? [h + " " + units[1], m + " " + units[2]]
      : [m + " " + units[2], (s % 60) + " " + units[3]];
    return sign + parts.join(" ");
  }

  function tick() {
    var lang = document.documentElement.lang;
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.dataset.countdown);
      if (isNaN(due)) return;
      var left = (due - now) / 1000;
      el.textContent = remaining(left, lang);
      el.classList.toggle("breached", left < 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    tick();
    setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); tick(); });
})();
