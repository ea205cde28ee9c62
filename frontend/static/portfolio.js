/* The bank portfolio's charts (Apache ECharts, served by the app from /static/vendor/). Each chart is drawn from the
   table beside it, which stays on the page as its text alternative: row headers are the categories, the last
   column's data-value the bar (the amount in major units), the middle column the count. */
(function () {
  "use strict";
  function draw(figure) {
    var table = figure.querySelector("table");
    var box = figure.querySelector(".chart");
    if (!table || !box || typeof echarts === "undefined") { return; }
    var labels = [], amounts = [], counts = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var cells = row.querySelectorAll("td");
      labels.push(row.querySelector("th").textContent.trim());
      counts.push(Number(cells[0].textContent.trim()));
      amounts.push(Number(cells[cells.length - 1].getAttribute("data-value")));
    });
    if (!labels.length) { return; }
    box.hidden = false;
    var heads = table.querySelectorAll("thead th");
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { data: [heads[2].textContent.trim(), heads[1].textContent.trim()] },
      grid: { left: 8, right: 8, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 5 ? 30 : 0 } },
      yAxis: [{ type: "value" }, { type: "value", minInterval: 1 }],
      series: [
        { name: heads[2].textContent.trim(), type: "bar", data: amounts },
        { name: heads[1].textContent.trim(), type: "line", yAxisIndex: 1, data: counts }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("figure.chart-figure").forEach(draw);
  });
})();
