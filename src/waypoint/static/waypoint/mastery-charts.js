/* Waypoint: a line chart of each competency's level history on the student mastery page, on a time axis.
 *
 * Each <canvas class="mastery-chart" data-chart-source="ID"> reads its data from the
 * <script type="application/json" id="ID"> block Django's json_script filter wrote beside it:
 *   {title, points: [{at, date, level, steps}], min, max, threshold, thresholdLabel, noLevel, stepsLabel,
 *    levels: [{value, label}]}
 * There is one point per day: `level` is the level the day ended on, `at` the day's last change (ISO 8601 with
 * its offset), `date` the day in the district's time zone, and `steps` every level the day passed through
 * (several scores on one day each move the level; drawn one above the other they read as a column of dots).
 *
 * The x axis is a linear scale of milliseconds, so a point's position is proportional to its date: two
 * changes a day apart sit close, two a month apart sit far. Ticks are whole days, weeks or months chosen for
 * the span and labelled once each in the page's language (no date adapter is needed, and no label repeats).
 * No inline script, no inline style: the Content-Security-Policy allows scripts from /static/ only, and
 * Chart.js sizes its canvas through the CSSOM. The canvas has a text alternative and a table beside it.
 */
(function () {
  "use strict";

  var INK = "#0b5394";
  var GRID = "#d4dbe3";
  var TEXT = "#1a2433";
  var MASTERY = "#0f6e66";
  var DAY = 24 * 60 * 60 * 1000;
  var MAX_TICKS = 6;

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

  function locale() {
    return document.documentElement.lang || undefined;
  }

  // A calendar day as local midnight, from "YYYY-MM-DD" (the district's day, not the browser's UTC guess).
  function dayStart(isoDate) {
    var parts = isoDate.split("-");
    return new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])).getTime();
  }

  // The x of a point: its day, so each day's point sits on that day's tick.
  function xOf(point) {
    return dayStart(point.date);
  }

  function levelText(levels, value, noLevel) {
    if (value === null || value === undefined) {
      return noLevel || "";
    }
    var name = levelName(levels, value);
    return (name ? name + " " : "") + "(" + Math.round(value * 100) / 100 + ")";
  }

  // Tick positions for a span: every day, every 7 days, or the first of every 1, 2, 3 or 6 months, whichever
  // gives at most MAX_TICKS ticks. Each is a distinct day, so no label can repeat.
  function dateTicks(first, last) {
    var span = Math.max(last - first, DAY);
    var ticks = [];
    var start = new Date(first);
    start.setHours(0, 0, 0, 0);
    var days = [1, 7];
    for (var i = 0; i < days.length; i += 1) {
      if (span / (days[i] * DAY) <= MAX_TICKS) {
        for (var t = start.getTime(); t <= last + DAY / 2; t += days[i] * DAY) {
          ticks.push({ value: t, unit: "day" });
        }
        return ticks;
      }
    }
    var months = [1, 2, 3, 6, 12];
    for (var j = 0; j < months.length; j += 1) {
      var step = months[j];
      if (span / (step * 30.44 * DAY) <= MAX_TICKS || step === 12) {
        var cursor = new Date(start.getFullYear(), start.getMonth() + 1, 1);
        while (cursor.getTime() <= last) {
          ticks.push({ value: cursor.getTime(), unit: "month" });
          cursor = new Date(cursor.getFullYear(), cursor.getMonth() + step, 1);
        }
        return ticks;
      }
    }
    return ticks;
  }

  function formatDay(value, withYear) {
    var options = { month: "short", day: "numeric" };
    if (withYear) {
      options.year = "numeric";
    }
    return new Intl.DateTimeFormat(locale(), options).format(new Date(value));
  }

  function formatMonth(value) {
    return new Intl.DateTimeFormat(locale(), { month: "short", year: "numeric" }).format(new Date(value));
  }

  function thresholdPlugin(threshold, label) {
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
        ctx.fillText(label || "", area.left + 4, y - 4);
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
    var points = data.points.map(function (point) {
      return { x: xOf(point), y: point.level, date: point.date, steps: point.steps || [] };
    });
    var first = points[0].x;
    var last = points[points.length - 1].x;
    // A single change, or changes on one day, still get a day's width on either side to sit in.
    var pad = Math.max((last - first) * 0.04, DAY / 2);
    var ticks = dateTicks(first, last);
    var years = new Date(first).getFullYear() !== new Date(last).getFullYear();
    new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          {
            label: data.title,
            data: points,
            borderColor: INK,
            backgroundColor: INK,
            pointRadius: 4,
            pointHoverRadius: 6,
            // A level holds until the next change: a step, not a slope between two changes.
            stepped: "after",
            tension: 0,
            spanGaps: true,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        animation: reduceMotion ? false : { duration: 300 },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? formatDay(items[0].raw.x, true) : "";
              },
              label: function (context) {
                return levelText(levels, context.parsed.y, data.noLevel);
              },
              // A day with several changes lists them, in order, under the level it ended on.
              afterLabel: function (context) {
                var steps = context.raw.steps;
                if (!steps || steps.length < 2) {
                  return "";
                }
                return (data.stepsLabel || "") + ": " + steps.map(function (step) {
                  return step === null ? "—" : String(Math.round(step * 100) / 100);
                }).join(" → ");
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
          x: {
            type: "linear",
            min: first - pad,
            max: last + pad,
            afterBuildTicks: function (axis) {
              axis.ticks = ticks
                .filter(function (tick) {
                  return tick.value >= axis.min && tick.value <= axis.max;
                })
                .map(function (tick) {
                  return { value: tick.value, unit: tick.unit };
                });
            },
            ticks: {
              color: TEXT,
              maxRotation: 0,
              autoSkip: true,
              callback: function (value, index, all) {
                var tick = all[index];
                return tick && tick.unit === "month" ? formatMonth(value) : formatDay(value, years);
              },
            },
            grid: { color: GRID },
          },
        },
      },
      plugins: [thresholdPlugin(data.threshold, data.thresholdLabel)],
    });
  }

  // A chart folded inside a closed <details> has no size yet: it is drawn the first time it is opened.
  function drawWhenShown(canvas) {
    var folded = canvas.closest("details:not([open])");
    if (!folded) {
      draw(canvas);
      return;
    }
    folded.addEventListener("toggle", function shown() {
      if (folded.open) {
        folded.removeEventListener("toggle", shown);
        drawWhenShown(canvas);
      }
    });
  }

  function start() {
    document.querySelectorAll("canvas.mastery-chart[data-chart-source]").forEach(drawWhenShown);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
