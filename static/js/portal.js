// Portal behaviour without inline scripts (the Content-Security-Policy forbids them).
// The shared <dialog>: htmx loads a partial into #portal-dialog-body, and we open it; a response
// that triggers "portal:close-dialog" closes it.
(function () {
  "use strict";
  function dialog() { return document.getElementById("portal-dialog"); }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "portal-dialog-body") {
      var d = dialog();
      if (d && !d.open) { d.showModal(); }
      var focusable = d.querySelector("[autofocus], input, button, select, textarea");
      if (focusable) { focusable.focus(); }
    }
  });

  document.addEventListener("portal:close-dialog", function () {
    var d = dialog();
    if (d && d.open) { d.close(); }
  });

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) { event.preventDefault(); var d = dialog(); if (d) { d.close(); } }
  });
})();
