/* Charts drawn from the table beside them (Apache ECharts, served by the app from /static/vendor/, never a CDN).

   Markup: <figure class="chart-figure" data-chart="bar|stacked|line|funnel|band"> holding an empty
   <div class="chart" role="img" aria-label="..." hidden> and a <table>: the table is the chart's text alternative and
   stays on the page (without JavaScript or without the library it is the page's content).

   The table says what to draw:
   - each <tbody> row is a category, named by its <th> (rows marked data-chart-skip are left out);
   - each <thead> <th data-series="bar|line"> is a series named by its text; a row's value for it is the
     data-value of the cell in the same column (no data-value or "": no value). data-axis="1" puts a series on a
     second value axis; data-unit="%" (on the <th>) writes that axis's labels with the unit.
   Kinds:
   - bar: series as bars (a series marked line as a line); stacked: bars stacked; line: every series a line;
   - funnel: horizontal bars, the first row on top (a funnel read top-down, with the numbers written beside);
   - band: one value per row, drawn as horizontal bars; the row marked data-role="low" and the one marked
     data-role="high" shade the band between them; a row marked data-role="cap" is drawn as a dashed line (a limit);
     a row marked data-role="chosen" is the chosen value, drawn in the accent colour. */
(function () {
  "use strict";
  var ACCENT = "#b3261e", BAND = "rgba(31, 95, 168, 0.12)", BASE = "#1f5fa8", MUTED = "#7a8699";

  function text(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }

  function number(cell) {
    if (!cell) { return null; }
    var raw = cell.getAttribute("data-value");
    if (raw === null || raw === "") { return null; }
    var value = Number(raw);
    return isNaN(value) ? null : value;
  }

  function read(table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead tr:last-child th, thead tr:last-child td"));
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr")).filter(function (row) {
      return !row.hasAttribute("data-chart-skip") && row.querySelector("th");
    });
    var series = [];
    heads.forEach(function (th, column) {
      var kind = th.getAttribute("data-series");
      if (!kind) { return; }
      series.push({
        name: text(th), kind: kind, axis: Number(th.getAttribute("data-axis") || 0),
        unit: th.getAttribute("data-unit") || "",
        values: rows.map(function (row) { return number(row.children[column]); })
      });
    });
    return {
      labels: rows.map(function (row) { return text(row.querySelector("th")); }),
      roles: rows.map(function (row) { return row.getAttribute("data-role") || ""; }),
      series: series
    };
  }

  function axes(series) {
    var units = ["", ""];
    series.forEach(function (s) { if (s.unit) { units[s.axis ? 1 : 0] = s.unit; } });
    var two = series.some(function (s) { return s.axis === 1; });
    return (two ? [0, 1] : [0]).map(function (i) {
      return { type: "value", axisLabel: { formatter: "{value}" + units[i] } };
    });
  }

  // the legend above the plot (one series needs none: the table's header names it)
  function legend(data) {
    return {
      show: data.series.length > 1, type: "scroll", top: 0, left: "center",
      data: data.series.map(function (s) { return s.name; })
    };
  }

  function columns(data, kind) {
    var rotate = data.labels.length > 5 ? 30 : 0;
    return {
      tooltip: { trigger: "axis" },
      legend: legend(data),
      grid: { left: 8, right: 8, top: data.series.length > 1 ? 40 : 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: rotate } },
      yAxis: axes(data.series),
      series: data.series.map(function (s) {
        var type = kind === "line" || s.kind === "line" ? "line" : "bar";
        var one = { name: s.name, type: type, yAxisIndex: s.axis ? 1 : 0, data: s.values };
        if (kind === "stacked" && type === "bar") { one.stack = "total"; }
        return one;
      })
    };
  }

  function funnel(data) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: legend(data),
      grid: { left: 8, right: 48, top: data.series.length > 1 ? 40 : 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.labels },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values, label: { show: true, position: "right" } };
      })
    };
  }

  function band(data) {
    var s = data.series[0];
    var unit = s.unit;
    var at = function (role) { var i = data.roles.indexOf(role); return i < 0 ? null : s.values[i]; };
    var low = at("low"), high = at("high"), cap = at("cap");
    var marks = {};
    if (low !== null && high !== null) {
      marks.markArea = { silent: true, itemStyle: { color: BAND }, data: [[{ xAxis: low }, { xAxis: high }]] };
    }
    if (cap !== null) {
      marks.markLine = {
        silent: true, symbol: "none", lineStyle: { color: ACCENT, type: "dashed", width: 2 },
        label: { show: false }, data: [{ xAxis: cap }]  // the cap's own row names it
      };
    }
    var values = s.values.map(function (value, i) {
      var role = data.roles[i];
      var color = role === "chosen" ? ACCENT : (role === "cap" ? MUTED : BASE);
      return { value: value, itemStyle: { color: color } };
    });
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 48, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}" + unit } },
      yAxis: { type: "category", inverse: true, data: data.labels },
      series: [Object.assign({
        name: s.name, type: "bar", data: values,
        label: { show: true, position: "right", formatter: "{c}" + unit }
      }, marks)]
    };
  }

  function draw(figure) {
    var table = figure.querySelector("table");
    var box = figure.querySelector(".chart");
    if (!table || !box || typeof echarts === "undefined") { return; }
    var data = read(table);
    if (!data.labels.length || !data.series.length) { return; }
    var kind = figure.getAttribute("data-chart") || "bar";
    var option = kind === "funnel" ? funnel(data) : kind === "band" ? band(data) : columns(data, kind);
    // the chart's name stays the page's own (ECharts would write its own English description over it)
    option.aria = { enabled: true, label: { description: box.getAttribute("aria-label") || "" } };
    box.hidden = false;
    var locale = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
    var chart = echarts.init(box, null, { renderer: "svg", locale: locale });
    chart.setOption(option);
    figure.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() { document.querySelectorAll("figure.chart-figure").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
