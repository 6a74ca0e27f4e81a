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

  // The same rule as slawatch.formatting.duration_text: two largest units, rounded to the
  // smaller; the unit words and the overrun phrase come from the page, in its language.
  var SIZES = [86400, 3600, 60, 1];

  function step(seconds) {
    var lead = SIZES.findIndex(function (size) { return seconds >= size; });
    return SIZES[Math.min((lead < 0 ? 3 : lead) + 1, 3)];
  }

  function remaining(seconds) {
    var root = document.body;
    var units = (root.dataset.durationUnits || "d,h,min,s").split(",");
    var s = Math.abs(seconds), unit = step(s), amount = Math.round(s / unit) * unit;
    if (step(amount) > unit) { unit = step(amount); amount = Math.round(s / unit) * unit; }
    var parts = [];
    SIZES.forEach(function (size, i) {
      if (size < unit) return;
      var count = Math.floor(amount / size);
      amount -= count * size;
      if (count || (!parts.length && size === unit)) parts.push(count + " " + units[i]);
    });
    var text = parts.join(" ");
    if (seconds < 0 && /[1-9]/.test(text)) return (root.dataset.overrun || "%s overrun").replace("%s", text);
    return text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.dataset.countdown);
      if (isNaN(due)) return;
      var left = (due - now) / 1000;
      el.textContent = remaining(left);
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
