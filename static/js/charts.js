// Charts drawn from the data table beside them (no inline script: the Content-Security-Policy
// forbids it, and the table is what a screen reader reads). Markup:
//   <figure data-chart="bar|line" [data-chart-stacked]>
//     <canvas aria-hidden="true"></canvas>
//     <table data-chart-data> thead: a label column, then one column per series;
//             tbody: one row per point, its label in a <th>, values in data-value </table>
//   </figure>
(function () {
  "use strict";
  var COLOURS = ["#0a3a82", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#a16207"];

  function seriesOf(table) {
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th")).slice(1);
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var labels = rows.map(function (row) { return row.querySelector("th").textContent.trim(); });
    var datasets = headers.map(function (header, index) {
      return {
        label: header.textContent.trim(),
        data: rows.map(function (row) {
          var cell = row.querySelectorAll("td")[index];
          return cell ? Number(cell.getAttribute("data-value")) : 0;
        }),
        backgroundColor: COLOURS[index % COLOURS.length],
        borderColor: COLOURS[index % COLOURS.length],
        tension: 0.2,
      };
    });
    return { labels: labels, datasets: datasets };
  }

  function draw(figure) {
    var table = figure.querySelector("[data-chart-data]");
    var canvas = figure.querySelector("canvas");
    if (!table || !canvas || typeof window.Chart === "undefined") { return; }
    var stacked = figure.hasAttribute("data-chart-stacked");
    var horizontal = figure.hasAttribute("data-chart-horizontal");
    var data = seriesOf(table);
    new window.Chart(canvas, {
      type: figure.getAttribute("data-chart") || "bar",
      data: data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: data.datasets.length > 1 } },
        scales: {
          x: { stacked: stacked, beginAtZero: true },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    figure.setAttribute("data-chart-drawn", "");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("figure[data-chart]").forEach(draw);
  });
})();
