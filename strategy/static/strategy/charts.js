/* Draws plotly figures whose JSON sits in a <script type="application/json"> element (no inline script:
   the CSP forbids it). Markup: <div class="chart" data-plotly-figure="ID-of-json-element"></div>.
   The page always carries a table of the same figures, so nothing is lost without JavaScript. */
(function () {
  "use strict";
  function draw() {
    if (typeof window.Plotly === "undefined") { return; }
    var charts = document.querySelectorAll("[data-plotly-figure]");
    Array.prototype.forEach.call(charts, function (element) {
      var source = document.getElementById(element.getAttribute("data-plotly-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      element.hidden = false;
      window.Plotly.newPlot(element, figure.data, figure.layout, { responsive: true, displaylogo: false });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
