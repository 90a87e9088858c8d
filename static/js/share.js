// Share: copy a badge's public link to the clipboard, and say so beside the button.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-text]");
    if (!button) { return; }
    var text = button.getAttribute("data-copy-text");
    function done(message) {
      var note = button.parentElement.querySelector(".share-note");
      if (!note) {
        note = document.createElement("span");
        note.className = "share-note small text-body-secondary align-self-center";
        note.setAttribute("role", "status");
        button.parentElement.appendChild(note);
      }
      note.textContent = message;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { done("Link copied"); },
        function () { done(text); }
      );
    } else {
      done(text);
    }
  });
})();
