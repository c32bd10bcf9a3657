/*
 * The competency picker's search (evidence/_competency_picker.html): narrows the checkbox list to the
 * competencies whose code or statement holds every word typed, opens the frameworks that still match and
 * says how many match in a live region. Without scripts the search box stays hidden and the list works as
 * it is. Ticked competencies always stay in view, so a search never hides a choice already made.
 */
(function () {
  "use strict";

  function words(text) {
    return text.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  }

  function enhance(picker) {
    if (picker.dataset.searchReady) {
      return;
    }
    picker.dataset.searchReady = "1";
    var box = picker.querySelector(".picker-search");
    var input = picker.querySelector(".picker-search-input");
    var status = picker.querySelector(".picker-search-status");
    if (!box || !input || !status) {
      return;
    }
    var groups = Array.prototype.map.call(picker.querySelectorAll(".picker-group"), function (group) {
      return {
        element: group,
        wasOpen: group.open,
        items: Array.prototype.map.call(group.querySelectorAll(".picker-item"), function (item) {
          return {
            element: item,
            box: item.querySelector("input[type=checkbox]"),
            text: item.textContent.toLocaleLowerCase(),
          };
        }),
      };
    });

    function say(count) {
      var template = count === 0 ? status.dataset.none : count === 1 ? status.dataset.one : status.dataset.many;
      status.textContent = (template || "").replace("{count}", String(count));
    }

    function narrow() {
      var terms = words(input.value);
      if (terms.length === 0) {
        groups.forEach(function (group) {
          group.element.hidden = false;
          group.element.open = group.wasOpen || group.items.some(function (item) { return item.box && item.box.checked; });
          group.items.forEach(function (item) { item.element.hidden = false; });
        });
        status.textContent = "";
        return;
      }
      var total = 0;
      groups.forEach(function (group) {
        var shown = 0;
        group.items.forEach(function (item) {
          var matches = terms.every(function (term) { return item.text.indexOf(term) !== -1; });
          var keep = matches || (item.box && item.box.checked);
          item.element.hidden = !keep;
          if (matches) {
            total += 1;
          }
          if (keep) {
            shown += 1;
          }
        });
        group.element.hidden = shown === 0;
        group.element.open = shown > 0;
      });
      say(total);
    }

    function firstVisibleBox() {
      var boxes = picker.querySelectorAll(".picker-group:not([hidden]) .picker-item:not([hidden]) input[type=checkbox]");
      return boxes.length ? boxes[0] : null;
    }

    var pending = null;
    input.addEventListener("input", function () {
      window.clearTimeout(pending);
      // A short pause, so a list of hundreds is not walked on every keystroke.
      pending = window.setTimeout(narrow, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter in the search box narrows the list; it must not submit the evidence half-filled.
        event.preventDefault();
        window.clearTimeout(pending);
        narrow();
      } else if (event.key === "ArrowDown") {
        var first = firstVisibleBox();
        if (first) {
          event.preventDefault();
          first.focus();
        }
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        narrow();
      }
    });
    box.hidden = false;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".competency-picker"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
