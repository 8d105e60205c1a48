/* Behaviour shared by every page, kept out of the markup so that the Content-Security-Policy can forbid inline
   scripts: [data-print] buttons print the page; [data-submit-on-change] fields submit their form when changed. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) { field.form.submit(); }
  });
})();
