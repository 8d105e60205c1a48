/* Incident statistics: the monthly and drowning charts (plotly.js). */
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Plotly === "undefined") { return; }
  var config = {displaylogo: false, responsive: true, locale: "vi"};
  [["chart-monthly", "chart-monthly-data"], ["chart-drowning", "chart-drowning-data"]].forEach(function (pair) {
    var spec = JSON.parse(document.getElementById(pair[1]).textContent);
    Plotly.newPlot(pair[0], spec.data, spec.layout, config);
  });
});
