// consult: small enhancements only; every page works without this file.
(function () {
  "use strict";

  // Move focus to the error summary of a form shown again with errors.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
