/* Waypoint: a line chart of each competency's level history on the student mastery page.
 *
 * Each <canvas class="mastery-chart" data-chart-source="ID"> reads its data from the
 * <script type="application/json" id="ID"> block Django's json_script filter wrote beside it:
 *   {title, points: [{date, level}], min, max, threshold, levels: [{value, label}]}
 * No inline script, no inline style: the Content-Security-Policy allows scripts from /static/ only, and
 * Chart.js sizes its canvas through the CSSOM. The canvas has a text alternative and a table beside it.
 */
(function () {
  "use strict";

  var INK = "#0b5394";
  var GRID = "#d4dbe3";
  var TEXT = "#1a2433";
  var MASTERY = "#0f6e66";

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

  function levelName(levels, value) {
    var name = null;
    levels.forEach(function (level) {
      if (level.value <= value + 1e-9) {
        name = level.label;
      }
    });
    return name;
  }

  function thresholdPlugin(threshold) {
    // A dashed line at the mastery threshold, drawn on the canvas (no DOM, no styles).
    return {
      id: "masteryThreshold",
      afterDatasetsDraw: function (chart) {
        if (threshold === null || threshold === undefined) {
          return;
        }
        var y = chart.scales.y.getPixelForValue(threshold);
        var area = chart.chartArea;
        var ctx = chart.ctx;
        ctx.save();
        ctx.strokeStyle = MASTERY;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(area.left, y);
        ctx.lineTo(area.right, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = MASTERY;
        ctx.font = "12px system-ui, sans-serif";
        ctx.fillText("Mastery", area.left + 4, y - 4);
        ctx.restore();
      },
    };
  }

  function draw(canvas) {
    var data = readData(canvas);
    if (!data || !window.Chart || !data.points || data.points.length === 0) {
      return;
    }
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var levels = data.levels || [];
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.points.map(function (point) { return point.date; }),
        datasets: [
          {
            label: data.title,
            data: data.points.map(function (point) { return point.level; }),
            borderColor: INK,
            backgroundColor: INK,
            pointRadius: 4,
            pointHoverRadius: 6,
            stepped: false,
            tension: 0,
            spanGaps: true,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = context.parsed.y;
                var name = levelName(levels, value);
                return (name ? name + " " : "") + "(" + Math.round(value * 100) / 100 + ")";
              },
            },
          },
        },
        scales: {
          y: {
            min: data.min,
            max: data.max,
            ticks: {
              color: TEXT,
              stepSize: 1,
              callback: function (value) {
                var name = null;
                levels.forEach(function (level) {
                  if (Math.abs(level.value - value) < 1e-9) {
                    name = level.label;
                  }
                });
                return name ? value + " " + name : value;
              },
            },
            grid: { color: GRID },
          },
          x: { ticks: { color: TEXT, maxRotation: 0, autoSkip: true }, grid: { color: GRID } },
        },
      },
      plugins: [thresholdPlugin(data.threshold)],
    });
  }

  function start() {
    document.querySelectorAll("canvas.mastery-chart[data-chart-source]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
