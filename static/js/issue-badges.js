// Manual issuance pages (Roster, Issue Badges, course assignment), without inline scripts:
// - "select all" checkboxes, shown only when this script runs;
// - Enter in a dialog's live search box does not submit the dialog's form, and what was typed
//   before htmx was ready is searched for;
// - choices ticked while a search was on its way survive the list it brings back;
// - after "Successfully Issued Badge" the dialog closes itself a moment later;
// - a form's button marked data-disable-on-submit cannot be clicked twice.
(function () {
  "use strict";

  function revealScriptOnlyControls(root) {
    root.querySelectorAll("[data-requires-js]").forEach(function (element) {
      element.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    revealScriptOnlyControls(document);
  });
  document.addEventListener("htmx:load", function (event) {
    revealScriptOnlyControls(event.target);
    // The dialog focuses its search box as soon as it is shown, a moment before htmx wires the
    // box up: whatever was typed in that moment is searched for now.
    var search = event.target.querySelector("[data-search-input]");
    if (search && search.value) { htmx.trigger(search, "search"); }
  });

  document.addEventListener("change", function (event) {
    var selectAll = event.target.closest("[data-select-all]");
    if (!selectAll) { return; }
    document.querySelectorAll(selectAll.getAttribute("data-select-all")).forEach(function (box) {
      if (!box.disabled) { box.checked = selectAll.checked; }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-search-input]")) {
      event.preventDefault();
    }
  });

  // A search response lists the choices as they were when it was asked for; whatever was ticked
  // or unticked since then is put back.
  var choicesBeforeSwap = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var list = event.detail.target;
    if (!list || !list.hasAttribute("data-keep-choices")) { return; }
    choicesBeforeSwap = {};
    list.querySelectorAll("input[type=checkbox], input[type=radio]").forEach(function (input) {
      choicesBeforeSwap[input.name + "=" + input.value] = input.checked;
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!choicesBeforeSwap || !list || !list.hasAttribute("data-keep-choices")) { return; }
    list.querySelectorAll("input[type=checkbox], input[type=radio]").forEach(function (input) {
      var key = input.name + "=" + input.value;
      if (key in choicesBeforeSwap && !input.disabled) { input.checked = choicesBeforeSwap[key]; }
    });
    choicesBeforeSwap = null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var done = target && target.querySelector("[data-close-dialog-after]");
    if (!done) { return; }
    var delay = Number(done.getAttribute("data-close-dialog-after")) || 1200;
    window.setTimeout(function () {
      // Only if the dialog still shows this success (it may have been closed or reused).
      if (done.isConnected) {
        document.dispatchEvent(new CustomEvent("portal:close-dialog"));
      }
    }, delay);
  });

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-disable-on-submit")) { return; }
    // Disabled after the browser has read the button's name and value into the request.
    // A large batch takes a moment: the button says what it is doing, and so does a status for
    // screen readers.
    window.setTimeout(function () {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      var busyText = button.getAttribute("data-busy-text");
      if (busyText) {
        if (!button.hasAttribute("data-idle-text")) { button.setAttribute("data-idle-text", button.textContent); }
        button.replaceChildren();
        var spinner = document.createElement("span");
        spinner.className = "spinner-border spinner-border-sm me-2";
        spinner.setAttribute("aria-hidden", "true");
        button.append(spinner, busyText);
        var status = button.form && button.form.querySelector("[data-busy-status]");
        if (status) { status.textContent = busyText; }
      }
    }, 0);
  });

  // Coming back with the Back button shows the page as it was left: enable its buttons again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("[data-disable-on-submit]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      if (button.hasAttribute("data-idle-text")) { button.textContent = button.getAttribute("data-idle-text"); }
    });
  });
})();
