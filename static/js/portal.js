// Portal behaviour without inline scripts (the Content-Security-Policy forbids them).
// The shared <dialog>: htmx loads a partial into #portal-dialog-body, and we open it; a response
// that triggers "portal:close-dialog" closes it. One Escape closes it (even from a search box,
// which would otherwise spend the first Escape on clearing itself), and focus goes back to what
// opened it: the same element, or the one that replaced it (same id) when the page was redrawn.
(function () {
  "use strict";
  function dialog() { return document.getElementById("portal-dialog"); }
  var opener = null;
  var openerId = null;

  function closeDialog() {
    var d = dialog();
    if (d && d.open) { d.close(); }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var d = dialog();
    if (event.detail.target && event.detail.target.id === "portal-dialog-body" && d && !d.open) {
      opener = event.detail.elt;
      openerId = opener && opener.id ? opener.id : null;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "portal-dialog-body") {
      var d = dialog();
      if (d && !d.open) { d.showModal(); }
      var focusable = d.querySelector("[autofocus], input:not([type=hidden]), button, select, textarea");
      if (focusable) { focusable.focus(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var d = dialog();
    if (!d) { return; }
    d.addEventListener("close", function () {
      var target = opener && opener.isConnected ? opener : (openerId && document.getElementById(openerId));
      if (target && typeof target.focus === "function") { target.focus(); }
      opener = null;
      openerId = null;
    });
    d.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); closeDialog(); }
    });
  });

  document.addEventListener("portal:close-dialog", closeDialog);

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) { event.preventDefault(); closeDialog(); }
  });

  // "N selected" beside a dialog's OK: counts what its selector matches, as boxes are ticked and
  // as a search brings another list.
  function updateCounts(root) {
    root.querySelectorAll("[data-selection-count]").forEach(function (counter) {
      var count = document.querySelectorAll(counter.getAttribute("data-selection-count")).length;
      counter.textContent = count + " selected";
    });
  }
  document.addEventListener("change", function () { updateCounts(document); });
  document.addEventListener("htmx:afterSettle", function () { updateCounts(document); });
})();
