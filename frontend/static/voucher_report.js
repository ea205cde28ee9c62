/* The issuer's voucher report charts (Apache ECharts, served by the app from /static/vendor/). Each chart is drawn
   from the table beside it, which stays on the page as its text alternative: each row's header is the group, its
   data-captured and data-paid the bars (yuan), data-rate the line (percent); the legend's names are the table's
   column headers marked data-series. */
(function () {
  "use strict";
  function numbers(rows, name) {
    return rows.map(function (row) {
      var value = row.getAttribute("data-" + name);
      return value === null || value === "" ? null : Number(value);
    });
  }
  function draw(figure) {
    var table = figure.querySelector("table");
    var box = figure.querySelector(".chart");
    if (!table || !box || typeof echarts === "undefined") { return; }
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-key]")).slice(0, 20);
    if (!rows.length) { return; }
    var labels = rows.map(function (row) { return row.querySelector("th").textContent.trim(); });
    var names = {};
    table.querySelectorAll("thead th[data-series]").forEach(function (th) {
      names[th.getAttribute("data-series")] = th.textContent.trim();
    });
    var series = [];
    ["captured", "paid", "p50", "p90"].forEach(function (key) {
      if (names[key]) { series.push({ name: names[key], type: "bar", data: numbers(rows, key) }); }
    });
    if (names.rate) { series.push({ name: names.rate, type: "line", yAxisIndex: 1, data: numbers(rows, "rate") }); }
    box.hidden = false;
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { data: series.map(function (s) { return s.name; }) },
      grid: { left: 8, right: 8, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 5 ? 30 : 0 } },
      yAxis: [{ type: "value" }, { type: "value", axisLabel: { formatter: "{value}%" } }],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("figure.chart-figure[data-chart='voucher']").forEach(draw);
  });
})();
