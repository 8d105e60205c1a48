/* The map of an indicator by unit (plotly.js, offline): a choropleth of the uploaded shapes on a geo subplot with
   no base map, and proportional symbols at the units' points where there is no shape. Hover shows the value, the
   numerator/denominator and the communes counted; a click opens the unit's page; the camera button saves a PNG. */
(function () {
  "use strict";
  var EMPTY_TOPOLOGY = {type: "Topology", objects: {}, arcs: []};

  function seedGeoAssets() {
    /* plotly.js fetches a world topojson from its CDN for a geo subplot whose traces set a locationmode (a GeoJSON
       choropleth sets "geojson-id"), even when every base layer is hidden. None is drawn here: give it an empty
       one, so nothing is requested. */
    window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
    ["world_110m", "world_50m", "asia_110m", "asia_50m"].forEach(function (name) {
      if (!window.PlotlyGeoAssets.topojson[name]) { window.PlotlyGeoAssets.topojson[name] = EMPTY_TOPOLOGY; }
    });
  }

  function hoverText(data, unit) {
    var labels = data.labels;
    if (unit.value === null) { return "<b>" + unit.name + "</b><br>" + labels.no_value; }
    return "<b>" + unit.name + "</b><br>" + labels.value + ": " + unit.value_text + " " + data.unit +
      "<br>" + labels.numerator + "/" + labels.denominator + ": " + unit.numerator + "/" + unit.denominator +
      "<br>" + labels.communes + ": " + unit.communes;
  }

  function draw() {
    var source = document.getElementById("map-data");
    var target = document.getElementById("map");
    if (!source || !target || typeof Plotly === "undefined") { return; }
    seedGeoAssets();
    var data = JSON.parse(source.textContent);
    var values = data.units.filter(function (u) { return u.value !== null; }).map(function (u) { return u.value; });
    var zmin = values.length ? Math.min.apply(null, values) : 0;
    var zmax = values.length ? Math.max.apply(null, values) : 1;
    if (zmin === zmax) { zmax = zmin + 1; }
    var colorscale = "YlGnBu";
    var traces = [];
    var shaped = data.units.filter(function (u) { return u.has_shape; });
    var valued = shaped.filter(function (u) { return u.value !== null; });
    var blank = shaped.filter(function (u) { return u.value === null; });
    if (blank.length) {
      traces.push({type: "choropleth", geojson: data.geojson, featureidkey: "id", name: data.labels.no_value,
        locations: blank.map(function (u) { return u.uid; }), z: blank.map(function () { return 0; }),
        colorscale: [[0, "#e3e7ec"], [1, "#e3e7ec"]], showscale: false,
        marker: {line: {color: "#7b8794", width: 0.6}},
        text: blank.map(function (u) { return hoverText(data, u); }), hovertemplate: "%{text}<extra></extra>",
        customdata: blank.map(function (u) { return u.url; })});
    }
    if (valued.length) {
      traces.push({type: "choropleth", geojson: data.geojson, featureidkey: "id", name: data.unit,
        locations: valued.map(function (u) { return u.uid; }), z: valued.map(function (u) { return u.value; }),
        zmin: zmin, zmax: zmax, colorscale: colorscale, reversescale: false,
        colorbar: {title: {text: data.unit}, thickness: 14},
        marker: {line: {color: "#ffffff", width: 0.8}},
        text: valued.map(function (u) { return hoverText(data, u); }), hovertemplate: "%{text}<extra></extra>",
        customdata: valued.map(function (u) { return u.url; })});
    }
    var located = data.units.filter(function (u) { return !u.has_shape && u.lon !== null; });
    var symbols = located.filter(function (u) { return u.value !== null; });
    var unvalued = located.filter(function (u) { return u.value === null; });
    var floor = Math.min(0, zmin);
    if (unvalued.length) {
      traces.push({type: "scattergeo", mode: "markers", name: data.labels.no_value,
        lon: unvalued.map(function (u) { return u.lon; }), lat: unvalued.map(function (u) { return u.lat; }),
        marker: {size: 6, color: "#b8c0ca", line: {color: "#7b8794", width: 0.6}},
        text: unvalued.map(function (u) { return hoverText(data, u); }), hovertemplate: "%{text}<extra></extra>",
        customdata: unvalued.map(function (u) { return u.url; })});
    }
    if (symbols.length) {
      traces.push({type: "scattergeo", mode: "markers", name: data.labels.value,
        lon: symbols.map(function (u) { return u.lon; }), lat: symbols.map(function (u) { return u.lat; }),
        marker: {
          /* the circle's area, not its radius, grows with the value */
          size: symbols.map(function (u) { return 8 + 26 * Math.sqrt(Math.max(0, (u.value - floor) / (zmax - floor))); }),
          color: symbols.map(function (u) { return u.value; }),
          cmin: zmin, cmax: zmax, colorscale: colorscale, showscale: !valued.length,
          colorbar: {title: {text: data.unit}, thickness: 14},
          line: {color: "#1d2733", width: 0.8}, opacity: 0.85},
        text: symbols.map(function (u) { return hoverText(data, u); }), hovertemplate: "%{text}<extra></extra>",
        customdata: symbols.map(function (u) { return u.url; })});
    }
    var layout = {
      title: {text: data.title, font: {size: 15}},
      geo: {visible: false, fitbounds: "locations", projection: {type: "mercator"}, bgcolor: "rgba(0,0,0,0)"},
      margin: {t: 40, r: 10, b: 10, l: 10}, showlegend: false, separators: ",.",
      font: {family: "Segoe UI, Roboto, Noto Sans, Arial, sans-serif", size: 13}
    };
    var config = {displaylogo: false, responsive: true, locale: "vi", scrollZoom: false,
      toImageButtonOptions: {format: "png", filename: data.filename, scale: 2}};
    Plotly.newPlot(target, traces, layout, config).then(function () {
      target.setAttribute("data-ready", "1");
    });
    target.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      if (point && point.customdata) { window.location.href = point.customdata; }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
