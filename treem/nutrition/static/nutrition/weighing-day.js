/* Weighing day: keyboard entry row by row, the saved counter and the name filter. */
(function () {
  "use strict";
  var table = document.getElementById("weighing");
  if (!table) { return; }
  function fields(row) { return Array.prototype.slice.call(row.querySelectorAll("input:not([type=hidden]), select")); }
  function nextRow(row) {
    var next = row.nextElementSibling;
    while (next && (!next.classList.contains("weighing-row") || next.hidden)) { next = next.nextElementSibling; }
    return next;
  }
  function focusField(field) { if (field) { field.focus(); if (field.select) { field.select(); } } }
  function save(row) {
    // Leaving the field first lets its change (and preview) go out before the save, which then replaces it.
    if (document.activeElement && row.contains(document.activeElement)) { document.activeElement.blur(); }
    row.querySelector("button.save").click();
  }
  function rowOf(event) { return document.getElementById("tre-" + event.detail.child); }
  function count() {
    var counter = document.getElementById("dem-da-luu");
    var saved = table.querySelectorAll("tr.weighing-row.saved").length;
    counter.textContent = "Đã lưu " + saved + "/" + counter.dataset.total + " trẻ";
  }
  table.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName === "BUTTON" || event.target.tagName === "A") { return; }
    var row = event.target.closest("tr.weighing-row");
    if (!row) { return; }
    event.preventDefault();
    var list = fields(row);
    var index = list.indexOf(event.target);
    if (event.ctrlKey || index === list.length - 1) { save(row); return; }
    focusField(list[index + 1]);
  });
  table.addEventListener("input", function (event) {
    var row = event.target.closest("tr.weighing-row");
    if (row) { row.classList.remove("saved"); }
  });
  document.body.addEventListener("weighing-saved", function (event) {
    var row = rowOf(event);
    if (!row) { return; }
    row.classList.add("saved");
    count();
    if (row.contains(document.activeElement) || document.activeElement === document.body) {
      var next = nextRow(row);
      if (next) { focusField(fields(next)[0]); }
    }
  });
  document.body.addEventListener("weighing-confirm", function (event) {
    var row = rowOf(event);
    if (row) { row.querySelector("button.save").focus(); }
  });
  document.body.addEventListener("weighing-error", function (event) {
    var row = rowOf(event);
    if (row) { focusField(fields(row)[0]); }
  });
  var filter = document.getElementById("loc-tre");
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  filter.addEventListener("input", function () {
    var wanted = fold(filter.value.trim());
    table.querySelectorAll("tr.weighing-row").forEach(function (row) {
      row.hidden = wanted !== "" && row.dataset.search.indexOf(wanted) === -1;
    });
  });
  filter.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    var first = table.querySelector("tr.weighing-row:not([hidden])");
    if (first) { focusField(fields(first)[0]); }
  });
})();
