// Draws the report's trend charts from the JSON block the page carries (no inline script:
// the Content-Security-Policy forbids it).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#00205b", "#ba0c2f", "#8a4b00", "#1e4620"];
  data.charts.forEach(function (chart) {
    var canvas = document.getElementById("chart-" + chart.section);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: chart.series.map(function (series, i) {
          return { label: series.name, data: series.values, borderColor: colours[i % 4],
                   backgroundColor: colours[i % 4], tension: 0.2, pointRadius: 3 };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.dataset.drawn = "yes";
  });
}());
