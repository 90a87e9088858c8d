// The achievement form shows only the fields of the chosen kind of criteria (no inline scripts:
// the Content-Security-Policy forbids them). Without JavaScript the server renders the same.
(function () {
  "use strict";
  function showCriteriaOf(select) {
    document.querySelectorAll("[data-criteria-field]").forEach(function (group) {
      group.hidden = group.getAttribute("data-criteria-field") !== select.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-criteria-type]")) { showCriteriaOf(event.target); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("[data-criteria-type]");
    if (select) { showCriteriaOf(select); }
  });
})();
