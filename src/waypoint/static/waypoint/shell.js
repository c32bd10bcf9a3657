/* Waypoint: the page shell's disclosures — the phone menu, the task menus, the account menu.
 *
 * Each is a <button data-disclosure aria-expanded aria-controls="ID">; the stylesheet hides the element it
 * controls while aria-expanded is "false", so the button's state and what is shown cannot disagree, and
 * nothing flashes open while the page loads. Without scripts, no-script.css shows every menu open instead.
 *
 * A dropdown (data-dropdown: a task menu, the account menu) closes when another opens, on a click or focus
 * outside it, and on Escape, which returns focus to its button. Escape also closes the phone menu.
 */
(function () {
  "use strict";

  function controlled(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function isOpen(button) {
    return button.getAttribute("aria-expanded") === "true";
  }

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function openButtons() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-disclosure][aria-expanded="true"]'));
  }

  // Whether `node` sits in the disclosure of `button`: the button itself or what it controls.
  function within(button, node) {
    var region = controlled(button);
    return button.contains(node) || (region !== null && region.contains(node));
  }

  // Close the open dropdowns that do not hold `node` (the phone menu stays open around its task menus).
  function closeDropdownsOutside(node) {
    openButtons().forEach(function (button) {
      if (button.hasAttribute("data-dropdown") && !within(button, node)) {
        setOpen(button, false);
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-disclosure]");
    if (button && controlled(button)) {
      var opening = !isOpen(button);
      if (opening) {
        closeDropdownsOutside(button);
      }
      setOpen(button, opening);
      return;
    }
    closeDropdownsOutside(event.target);
  });

  document.addEventListener("focusin", function (event) {
    closeDropdownsOutside(event.target);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    // The innermost open disclosure first: a task menu inside the open phone menu closes before the menu.
    var open = openButtons();
    var innermost = open.filter(function (button) {
      return !open.some(function (other) {
        return other !== button && within(button, other);
      });
    })[0];
    if (innermost) {
      setOpen(innermost, false);
      innermost.focus();
    }
  });
})();
