/* The unit browser: keeps the hidden unit field in step with the panel (htmx history). */
// Keep the hidden unit field in step with the panel so that changing the date keeps the chosen unit.
document.body.addEventListener("htmx:pushedIntoHistory", function () {
  var params = new URLSearchParams(window.location.search);
  var field = document.querySelector(".picker input[name=unit]");
  if (field) { field.value = params.get("unit") || ""; }
});
