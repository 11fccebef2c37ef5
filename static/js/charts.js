/* Draws every plotly chart on the page from its JSON data block (no inline script: CSP).
   Markup: <div class="chart" data-chart="ID"></div> and <script type="application/json" id="ID">…</script>.
   Without JavaScript the fallback table next to each chart carries the same figures. */
(function () {
  "use strict";
  function draw() {
    if (typeof window.Plotly === "undefined") { return; }
    var nodes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var source = document.getElementById(node.getAttribute("data-chart"));
      if (!source) { return; }
      var figure;
      try { figure = JSON.parse(source.textContent); } catch (e) { return; }
      node.innerHTML = "";
      node.setAttribute("aria-label", (node.getAttribute("data-title") || "Chart") + " (the table below has the same figures)");
      window.Plotly.newPlot(node, figure.data, figure.layout, { responsive: true, displaylogo: false });
      /* The chart is drawn: fold its table away (still one click to open). */
      var holder = node.closest("figure");
      var details = holder ? holder.querySelector("details.chart-table") : null;
      if (details) { details.removeAttribute("open"); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
