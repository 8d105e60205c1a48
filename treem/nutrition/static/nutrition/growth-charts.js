/* A child's growth charts (plotly.js), drawn from the figures in #growth-figures. */
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Plotly) { return; }
  JSON.parse(document.getElementById("growth-figures").textContent).forEach(function (figure) {
    Plotly.newPlot("bieu-do-" + figure.id, figure.data, figure.layout, {displaylogo: false, responsive: true,
      locale: "vi", modeBarButtonsToRemove: ["select2d", "lasso2d"]});
  });
});
