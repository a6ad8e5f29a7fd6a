// The quality page's chart: reports on time, late, missing and not yet due per period,
// from the JSON the page carries (no inline script: the CSP forbids it).
(function () {
  "use strict";
  const holder = document.querySelector('[data-chart="completeness"]');
  const source = document.getElementById("dh-completeness-data");
  if (!holder || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  if (!data) return;
  const colours = { on_time: "#198754", late: "#fd7e14", missing: "#dc3545", pending: "#adb5bd" };
  const chart = window.echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    grid: { left: 36, right: 8, top: 28, bottom: 28 },
    legend: { top: 0, textStyle: { fontSize: 11 } },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: data.periods, axisLabel: { fontSize: 11 } },
    yAxis: { type: "value", minInterval: 1 },
    series: Object.keys(colours).map(function (name) {
      return {
        name: data.labels[name],
        type: "bar",
        stack: "reports",
        data: data.series[name],
        itemStyle: { color: colours[name] },
      };
    }),
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
