/* Statistics charts (Chart.js): each <canvas data-chart="trend|groups|returned"
   data-source="<id>"> is drawn from the JSON block of that id, rendered by the
   server with json_script (no inline script: the Content Security Policy). */
(function () {
  "use strict";
  var COLOURS = ["#0b5394", "#38761d", "#b45f06", "#741b47", "#999999"];

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function trend(canvas, d) {
    var sets = d.trend.series.map(function (s, i) {
      return { type: "bar", label: s.label, data: s.data, backgroundColor: COLOURS[i], stack: "received", yAxisID: "y" };
    });
    sets.push({ type: "line", label: d.trend.rate.label, data: d.trend.rate.data, borderColor: COLOURS[3],
      backgroundColor: COLOURS[3], yAxisID: "rate", spanGaps: true, tension: 0.2 });
    return new Chart(canvas, {
      data: { labels: d.trend.labels, datasets: sets },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function groups(canvas, d) {
    var box = canvas.parentNode;
    box.style.height = Math.max(240, 36 * d.groups.labels.length + 90) + "px";
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: d.groups.labels.map(function (l) { return l.length > 28 ? l.slice(0, 27) + "…" : l; }),
        datasets: [
          { label: d.groups.received.label, data: d.groups.received.data, backgroundColor: COLOURS[0], xAxisID: "x" },
          { label: d.groups.rate.label, data: d.groups.rate.data, backgroundColor: COLOURS[1], xAxisID: "rate" }
        ]
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: {
          x: { beginAtZero: true, position: "bottom", ticks: { precision: 0 } },
          rate: { min: 0, max: 100, position: "top", grid: { drawOnChartArea: false } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function returned(canvas, d) {
    return new Chart(canvas, {
      type: "doughnut",
      data: { labels: d.returned.labels, datasets: [{ data: d.returned.data, backgroundColor: COLOURS }] },
      options: { maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } }
    });
  }

  var DRAW = { trend: trend, groups: groups, returned: returned };

  function drawAll() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var d = data(canvas.dataset.source);
      var draw = DRAW[canvas.dataset.chart];
      if (d && draw) {
        draw(canvas, d);
        canvas.dataset.drawn = "true";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
