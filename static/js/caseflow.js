/* Caseflow: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";
  // An error summary takes the focus, so that keyboard and screen-reader users hear it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // A form with typed data warns before the page is left without saving it.
  var dirty = false;
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // The main menu folds on a phone: the button shows and hides it (without script it stays open).
  var toggle = document.querySelector("[data-menu-toggle]");
  var menu = document.getElementById("main-menu");
  if (toggle && menu) {
    toggle.hidden = false;
    menu.classList.add("folded");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      menu.classList.toggle("folded", open);
    });
  }
})();
