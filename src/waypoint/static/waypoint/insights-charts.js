/* Waypoint: the charts of the insights dashboards (growth, status, pace, equal access, advancements, alerts,
 * evidence), drawn with the vendored Chart.js.
 *
 * Each <canvas class="insights-chart" data-chart-source="ID"> reads its data from the
 * <script type="application/json" id="ID"> block Django's json_script filter wrote beside it
 * (insights.selectors.dashboard.chart_data):
 *   {type: "bar" | "stacked" | "line", unit, title, labels: [row label, ...],
 *    series: [{label, values: [number | null, ...]}, ...]}
 * Every figure is suppressed on the server before it gets here: a hidden figure is null and drawn as a gap,
 * never as zero. The table under the chart holds the same figures and is the accessible source.
 * No inline script or style: the Content-Security-Policy allows scripts from /static/ only.
 */
(function () {
  "use strict";

  var TEXT = "#1a2433";
  var GRID = "#d4dbe3";
  // Distinct hues, each dark enough to read against white.
  var COLOURS = ["#0b5394", "#b45309", "#0f6e66", "#8a1c7c", "#4d7c0f", "#a16207", "#3f4b58", "#be123c"];

  function readData(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function dataset(series, index, type) {
    var colour = COLOURS[index % COLOURS.length];
    var set = {
      label: series.label,
      data: series.values,
      borderColor: colour,
      backgroundColor: colour,
    };
    if (type === "line") {
      set.borderWidth = 2;
      set.pointRadius = 3;
      set.tension = 0;
      set.spanGaps = false; // a hidden month stays a gap
    }
    return set;
  }

  function suffix(unit) {
    return unit === "percent" ? " %" : "";
  }

  function draw(canvas) {
    var data = readData(canvas);
    if (!data || !window.Chart || !data.series || data.series.length === 0 || !data.labels) {
      return;
    }
    var type = data.type === "line" ? "line" : "bar";
    var stacked = data.type === "stacked";
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var unit = suffix(data.unit);
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return dataset(series, index, type);
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        plugins: {
          legend: { position: "bottom", labels: { color: TEXT, boxWidth: 18 } },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = context.parsed.y;
                if (value === null || value === undefined) {
                  return context.dataset.label + ": *";
                }
                return context.dataset.label + ": " + Math.round(value * 100) / 100 + unit;
              },
            },
          },
        },
        scales: {
          x: { stacked: stacked, ticks: { color: TEXT }, grid: { color: GRID } },
          y: {
            stacked: stacked,
            beginAtZero: true,
            max: stacked && data.unit === "percent" ? 100 : undefined,
            ticks: { color: TEXT },
            grid: { color: GRID },
          },
        },
      },
    });
  }

  function start() {
    document.querySelectorAll("canvas.insights-chart[data-chart-source]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
