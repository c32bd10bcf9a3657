/* Waypoint: a student's trajectory toward graduation beside the model trajectories of 3, 4, 5 and 6 years.
 *
 * Each <canvas class="trajectory-chart" data-chart-source="ID"> reads its data from the
 * <script type="application/json" id="ID"> block Django's json_script filter wrote beside it:
 *   {xTitle, yTitle, required, requiredLabel,
 *    series: [{label, role: "student" | "projection" | "model", target: bool, points: [[month, count], ...]}]}
 * `month` is the month of high school (0 at its first day), `count` the competencies at mastery. The server
 * computes every point (progress/trajectory.py); this file only draws them. The table under the chart holds
 * the same numbers and is the accessible source: the canvas is labelled and points to it.
 * No inline script or style: the Content-Security-Policy allows scripts from /static/ only.
 */
(function () {
  "use strict";

  var TEXT = "#1a2433";
  var GRID = "#d4dbe3";
  var STUDENT = "#0b5394";
  var MODEL = "#6b7785";
  var TARGET = "#0f6e66";
  var GOAL = "#8a4b08";

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

  function dataset(series) {
    var points = series.points.map(function (point) {
      return { x: point[0], y: point[1] };
    });
    if (series.role === "student") {
      return { label: series.label, data: points, borderColor: STUDENT, backgroundColor: STUDENT,
        borderWidth: 3, pointRadius: 2, tension: 0 };
    }
    if (series.role === "projection") {
      return { label: series.label, data: points, borderColor: STUDENT, backgroundColor: STUDENT,
        borderWidth: 2, borderDash: [6, 4], pointRadius: 0, tension: 0 };
    }
    var colour = series.target ? TARGET : MODEL;
    return { label: series.label, data: points, borderColor: colour, backgroundColor: colour,
      borderWidth: series.target ? 2.5 : 1.5, borderDash: series.target ? [] : [2, 3], pointRadius: 0,
      tension: 0 };
  }

  function goalPlugin(required, label) {
    // A line at the number of competencies graduation requires, drawn on the canvas (no DOM, no styles).
    return {
      id: "graduationGoal",
      afterDatasetsDraw: function (chart) {
        if (required === null || required === undefined) {
          return;
        }
        var y = chart.scales.y.getPixelForValue(required);
        var area = chart.chartArea;
        var ctx = chart.ctx;
        ctx.save();
        ctx.strokeStyle = GOAL;
        ctx.lineWidth = 1;
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(area.left, y);
        ctx.lineTo(area.right, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = GOAL;
        ctx.font = "12px system-ui, sans-serif";
        ctx.fillText(label || "", area.left + 4, y - 4);
        ctx.restore();
      },
    };
  }

  function draw(canvas) {
    var data = readData(canvas);
    if (!data || !window.Chart || !data.series || data.series.length === 0) {
      return;
    }
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "line",
      data: { datasets: data.series.map(dataset) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        animation: reduceMotion ? false : { duration: 300 },
        plugins: {
          legend: { position: "bottom", labels: { color: TEXT, boxWidth: 18 } },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? data.xTitle + " " + items[0].parsed.x : "";
              },
              label: function (context) {
                return context.dataset.label + ": " + Math.round(context.parsed.y * 10) / 10;
              },
            },
          },
        },
        scales: {
          x: {
            type: "linear",
            min: 0,
            title: { display: true, text: data.xTitle, color: TEXT },
            ticks: { color: TEXT, stepSize: 12 },
            grid: { color: GRID },
          },
          y: {
            min: 0,
            title: { display: true, text: data.yTitle, color: TEXT },
            ticks: { color: TEXT, precision: 0 },
            grid: { color: GRID },
          },
        },
      },
      plugins: [goalPlugin(data.required, data.requiredLabel)],
    });
  }

  function start() {
    document.querySelectorAll("canvas.trajectory-chart[data-chart-source]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
