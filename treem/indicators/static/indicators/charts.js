/* Charts of an indicator: the trend with target lines and projection, and the values by unit (plotly.js). */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("indicator-chart-data");
    if (!source || typeof Plotly === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var config = {displaylogo: false, responsive: true, locale: "vi"};
    var fmt = {separators: ",.", font: {family: "Segoe UI, Roboto, Noto Sans, Arial, sans-serif", size: 13}};
    var trend = [{x: data.years, y: data.values, mode: "lines+markers", name: "Giá trị", connectgaps: false,
                  hovertemplate: "%{x}: %{y:.1f} %<extra></extra>"}];
    if (data.projection.length) {
      trend.push({x: data.projection.map(function (p) { return p[0]; }),
                  y: data.projection.map(function (p) { return p[1]; }),
                  mode: "lines", name: "Xu hướng dự báo", line: {dash: "dash"},
                  hovertemplate: "%{x}: %{y:.1f} %<extra>dự báo</extra>"});
    }
    var lastYear = Math.max.apply(null, data.years.concat(data.targets.map(function (t) { return t.year; })));
    var shapes = [], annotations = [];
    data.targets.forEach(function (t) {
      shapes.push({type: "line", xref: "x", yref: "y", x0: data.years[0], x1: lastYear, y0: t.value, y1: t.value,
                   line: {dash: "dot", width: 1.5, color: "#b42318"}});
      trend.push({x: [t.year], y: [t.value], mode: "markers", name: t.label, marker: {symbol: "star", size: 12},
                  hovertemplate: t.label + "<extra></extra>"});
    });
    Plotly.newPlot("trend-chart", trend, Object.assign({title: data.title, shapes: shapes, annotations: annotations,
      xaxis: {dtick: 1, range: [data.years[0] - 0.5, lastYear + 0.5]}, yaxis: {title: data.unit},
      margin: {t: 40, r: 10, b: 40, l: 50}, legend: {orientation: "h"}}, fmt), config);
    if (data.units.length > 1 && document.getElementById("unit-chart")) {
      var bar = [{type: "bar", x: data.units, y: data.unit_values, hovertemplate: "%{x}: %{y:.1f} %<extra></extra>"}];
      var unitShapes = data.headline_target === null ? [] : [{type: "line", xref: "paper", x0: 0, x1: 1,
        y0: data.headline_target, y1: data.headline_target, line: {dash: "dot", color: "#b42318"}}];
      Plotly.newPlot("unit-chart", bar, Object.assign({shapes: unitShapes, yaxis: {title: data.unit},
        margin: {t: 10, r: 10, b: 120, l: 50}}, fmt), config);
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
