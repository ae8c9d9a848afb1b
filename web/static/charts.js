// Draws the operator charts with the vendored Chart.js from the JSON embedded in the page.
// Pages work without it: every chart has the same numbers in a table beside it.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
  function json(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    canvas.chart = new Chart(canvas, config);
    canvas.setAttribute("data-drawn", "1");
  }
  function series(values, index, label, extra) {
    return Object.assign({ label: label, data: values, borderColor: palette[index % palette.length],
      backgroundColor: palette[index % palette.length] }, extra || {});
  }
  var ops = json("chart-data");
  if (ops) {
    draw("chart-growth", { type: "bar", data: { labels: ops.growth.days,
      datasets: Object.keys(ops.growth.sites).map(function (site, i) { return series(ops.growth.sites[site], i, site); }) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } });
    draw("chart-jobs", { type: "bar", data: { labels: ops.jobs.labels,
      datasets: [series(ops.jobs.new, 0, "new"), series(ops.jobs.seen, 1, "seen")] },
      options: { scales: { y: { beginAtZero: true } } } });
    var quality = [series(ops.jobs.error_rate, 1, "error rate", { type: "line" })];
    Object.keys(ops.jobs.coverage).forEach(function (field, i) {
      quality.push(series(ops.jobs.coverage[field], i + 2, field + " coverage", { type: "line" }));
    });
    draw("chart-quality", { type: "line", data: { labels: ops.jobs.labels, datasets: quality },
      options: { scales: { y: { min: 0, max: 1 } } } });
  }
  var job = json("job-data");
  if (job) {
    draw("chart-cpu", { type: "bar", data: { labels: Object.keys(job.cpu),
      datasets: [series(Object.values(job.cpu), 0, "CPU seconds")] }, options: { indexAxis: "y" } });
    draw("chart-status", { type: "bar", data: { labels: Object.keys(job.status),
      datasets: [series(Object.values(job.status), 1, "responses")] } });
  }
})();
