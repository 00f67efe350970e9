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

  // Switching the language on a half-filled form keeps what was typed: the entries ride along in
  // this tab's sessionStorage for the one reload and are put back (and removed from the storage)
  // when the same page shows again. Where the page cannot be shown again (a form shown after a
  // refused POST has no address of its own), the switch asks first. Without script, the switch
  // simply reloads the page in the other language.
  var KEPT = "caseflow-kept-entries";
  var SKIPPED = { hidden: true, password: true, file: true, submit: true, button: true, reset: true, image: true };
  var warned = function () { return document.querySelectorAll("form[data-warn-unsaved]"); };

  function entriesOf(form) {
    var entries = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIPPED[el.type]) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        entries.push({ name: el.name, value: el.value, checked: el.checked });
      } else if (el.type === "select-multiple") {
        entries.push({ name: el.name, values: Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; }) });
      } else {
        entries.push({ name: el.name, value: el.value });
      }
    });
    return entries;
  }

  function putBack(form, entries) {
    entries.forEach(function (entry) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== entry.name || SKIPPED[el.type]) { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === entry.value) { el.checked = entry.checked; }
        } else if (el.type === "select-multiple") {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = entry.values.indexOf(o.value) >= 0; });
        } else {
          el.value = entry.value;
        }
      });
    });
  }

  var switcher = document.querySelector("form.lang-switch");
  if (switcher) {
    switcher.addEventListener("submit", function (event) {
      if (!dirty) { return; }
      var next = switcher.querySelector("input[name=next]");
      if (next && next.value) {
        try {
          sessionStorage.setItem(KEPT, JSON.stringify({
            page: next.value, forms: Array.prototype.map.call(warned(), entriesOf) }));
          dirty = false;
          return;
        } catch (e) { /* storage refused: ask instead */ }
      }
      if (window.confirm(switcher.getAttribute("data-discard-warning"))) {
        dirty = false;
      } else {
        event.preventDefault();
      }
    });
    var stored = null;
    try { stored = sessionStorage.getItem(KEPT); sessionStorage.removeItem(KEPT); } catch (e) { stored = null; }
    if (stored) {
      var kept = JSON.parse(stored);
      var forms = warned();
      if (kept.page === window.location.pathname + window.location.search && forms.length === kept.forms.length) {
        Array.prototype.forEach.call(forms, function (form, i) { putBack(form, kept.forms[i]); });
        dirty = true;
        var notice = document.createElement("p");
        notice.className = "flash flash-info";
        notice.setAttribute("role", "status");
        notice.setAttribute("data-kept-entries", "");
        notice.textContent = switcher.getAttribute("data-kept-message");
        forms[0].parentNode.insertBefore(notice, forms[0]);
      }
    }
  }

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
