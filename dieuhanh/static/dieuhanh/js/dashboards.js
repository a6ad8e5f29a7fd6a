// Điều hành: the operations center's charts and maps (Apache ECharts, served locally).
// Each item arrives on its own (HTMX) carrying its figures as JSON in the page (the CSP
// forbids inline scripts); this file draws whatever arrived. Tooltips are built from
// classes, never inline styles, and numbers read the Vietnamese way (1.234,5).
(function () {
  "use strict";
  if (!window.echarts) return;
  const echarts = window.echarts;
  const fmt = (value, decimals) => window.dieuhanh.formatNumber(value, decimals);
  const ink = "#1d2433";
  const palette = ["#0b4f9c", "#c8102e", "#f5a300", "#2f8f4e", "#7a3ea1", "#00838f", "#8d6e63", "#546e7a"];
  const scales = {
    up: ["#c62828", "#f9a825", "#2e7d32"],
    down: ["#2e7d32", "#f9a825", "#c62828"],
    neutral: ["#dbe8f6", "#6c9bd2", "#0b3d78"],
  };
  const charts = new Set();
  // The page's own typeface (a canvas needs a real family name, not "inherit").
  const family = window.getComputedStyle(document.body).fontFamily || "sans-serif";

  function wall() {
    return document.body.classList.contains("dh-wall");
  }
  // Chart text grows with the page's own type (larger on wall screens, see the CSS).
  function fontSize(base) {
    const root = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
    return Math.round(base * (root / 16) * (wall() ? 1.15 : 1));
  }
  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function tooltipLine(marker, name, value) {
    return '<div class="dh-tip-line"><span class="dh-tip-mark dh-tip-' + marker + '"></span>' +
      escapeHtml(name) + ': <b>' + escapeHtml(value) + "</b></div>";
  }
  function baseTooltip(extra) {
    return Object.assign({
      confine: true,
      className: "dh-tip",
      textStyle: { color: ink, fontSize: fontSize(12) },
      borderWidth: 1,
    }, extra || {});
  }

  function start(holder, option, renderer) {
    const canvas = holder.querySelector(".dh-chart-canvas");
    if (!canvas) return null;
    const existing = echarts.getInstanceByDom(canvas);
    if (existing) existing.dispose();
    const chart = echarts.init(canvas, null, { renderer: renderer || "canvas", locale: "EN" });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: family } }, option));
    charts.add(chart);
    holder.dataset.ready = "1";
    return chart;
  }

  function navigate(chart) {
    chart.on("click", function (params) {
      const url = params.data && params.data.url;
      if (url) window.location.assign(url);
    });
  }

  // --- a key figure's history -------------------------------------------------------------
  function spark(holder, data) {
    const colour = { good: "#2e7d32", bad: "#c62828", neutral: "#0b4f9c" }[data.tone] || "#0b4f9c";
    start(holder, {
      grid: { left: 2, right: 2, top: 4, bottom: 2 },
      xAxis: { type: "category", show: false, data: data.labels, boundaryGap: false },
      yAxis: { type: "value", show: false, scale: true },
      tooltip: baseTooltip({
        trigger: "axis",
        formatter: function (items) {
          const item = items[0];
          return escapeHtml(item.name) + ": <b>" + escapeHtml(fmt(item.value, data.decimals)) + "</b>";
        },
      }),
      series: [{
        type: "line", data: data.values, symbol: "none", smooth: true, connectNulls: true,
        lineStyle: { width: 2, color: colour }, areaStyle: { color: colour, opacity: 0.12 },
      }],
    }, "svg");
  }

  // --- the map of provinces ---------------------------------------------------------------
  function visualMap(data) {
    const colours = scales[data.direction] || scales.neutral;
    const count = data.classes.length;
    const ramp = count <= 1 ? [colours[1]] : Array.from({ length: count }, function (_, i) {
      return echarts.color.lerp(i / (count - 1), colours);
    });
    return {
      type: "piecewise",
      seriesIndex: 0,
      pieces: data.classes.map(function (limits, index) {
        return { gte: limits[0], lte: limits[1], color: ramp[index],
          label: fmt(limits[0], data.decimals) + " – " + fmt(limits[1], data.decimals) };
      }),
      orient: "vertical",
      left: 0,
      top: "middle",
      itemWidth: fontSize(14),
      itemHeight: fontSize(10),
      itemGap: fontSize(6),
      textStyle: { fontSize: fontSize(10), color: ink },
    };
  }
  function mapTooltip(data) {
    return baseTooltip({
      trigger: "item",
      formatter: function (params) {
        const item = params.data || {};
        if (item.island) return escapeHtml(item.name);
        const value = item.figure === null || item.figure === undefined
          ? data.labels.none : fmt(item.figure, data.decimals) + " " + data.unit;
        let html = "<b>" + escapeHtml(item.name) + "</b><br>" + escapeHtml(data.indicator) + ": " +
          escapeHtml(value);
        if (item.rank) html += "<br>" + escapeHtml(data.labels.rank) + ": " + item.rank + "/" + data.tiles.filter(function (t) { return t.value !== null; }).length;
        if (item.approximate) html += " (" + escapeHtml(data.labels.approximate) + ")";
        return html;
      },
    });
  }

  function tileMap(holder, data) {
    const withValue = data.tiles.filter(function (t) { return t.value !== null; });
    const without = data.tiles.filter(function (t) { return t.value === null; });
    function cell(tile) {
      return { value: [tile.column, tile.row, tile.value === null ? 0 : tile.value], name: tile.name, url: tile.url,
        figure: tile.value, rank: tile.rank, approximate: tile.approximate, code: tile.code };
    }
    const columns = []; for (let i = 0; i < data.columns; i++) columns.push(i);
    const rows = []; for (let i = 0; i < data.rows; i++) rows.push(i);
    const grid = layoutGrid(holder, data);
    const label = {
      show: true,
      formatter: function (params) { return params.data.name; },
      fontSize: fontSize(10),
      color: ink,
      width: Math.max(10, grid.width / data.columns - 6),
      overflow: "truncate",
      ellipsis: "…",
    };
    const chart = start(holder, {
      tooltip: mapTooltip(data),
      grid: grid,
      xAxis: { type: "category", data: columns, show: false },
      yAxis: { type: "category", data: rows, show: false, inverse: true },
      visualMap: visualMap(data),
      series: [
        { type: "heatmap", data: withValue.map(cell), label: label, itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 3 },
          emphasis: { itemStyle: { borderColor: ink, borderWidth: 2 } } },
        { type: "heatmap", data: without.map(cell), label: label, itemStyle: { color: "#e9ecef", borderColor: "#fff", borderWidth: 2, borderRadius: 3 } },
        { type: "heatmap", data: data.islands.map(function (island) {
            return { value: [island.column, island.row, 0], name: island.name, island: true };
          }), label: { show: true, formatter: function (p) { return p.data.name; }, fontSize: fontSize(9), color: "#0b4f9c", fontStyle: "italic", lineHeight: fontSize(10), width: Math.max(10, grid.width / data.columns - 4), overflow: "break" },
          itemStyle: { color: "#f3f8fd", borderColor: "#9ec5ee", borderWidth: 1, borderType: "dashed", borderRadius: 8 }, silent: false },
      ],
    });
    if (!chart) return;
    holder.dataset.tiles = String(data.tiles.length);
    navigate(chart);
    holder._relayout = function () { tileMap(holder, data); };
  }

  // Tiles as large as the space allows (at most twice as wide as tall), centred.
  function layoutGrid(holder, data) {
    const width = holder.clientWidth || 400;
    const height = (holder.clientHeight || 480) - 8;
    const tall = Math.max(8, height / data.rows);
    const wide = Math.max(8, Math.min(width / data.columns, tall * 2.2));
    return {
      left: Math.max(0, (width - wide * data.columns) / 2),
      top: 4,
      width: wide * data.columns,
      height: tall * data.rows,
    };
  }

  function geoMap(holder, data) {
    fetch(data.geojson, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (geojson) {
        echarts.registerMap("dh-boundaries", geojson);
        const chart = start(holder, {
          tooltip: mapTooltip(data),
          visualMap: visualMap(data),
          series: [{
            type: "map", map: "dh-boundaries", nameProperty: "code", roam: true,
            label: { show: false }, itemStyle: { areaColor: "#e9ecef", borderColor: "#fff" },
            data: data.tiles.map(function (tile) {
              return { name: tile.code, value: tile.value, figure: tile.value, url: tile.url,
                rank: tile.rank, approximate: tile.approximate, label: tile.name, code: tile.code,
                tooltipName: tile.name };
            }),
          }],
        });
        if (!chart) return;
        holder.dataset.tiles = String(data.tiles.length);
        chart.setOption({ tooltip: baseTooltip({ trigger: "item", formatter: function (params) {
          const item = params.data || {};
          return "<b>" + escapeHtml(item.tooltipName || params.name) + "</b><br>" +
            escapeHtml(item.figure === null || item.figure === undefined ? data.labels.none : fmt(item.figure, data.decimals) + " " + data.unit);
        } }) });
        navigate(chart);
      });
  }

  // --- a ranking of units -----------------------------------------------------------------
  function ranking(holder, data) {
    if (data.names.length > 36) {
      // Many units (the communes of a province): a bar each, readable, the card scrolls.
      holder.style.height = data.names.length * 17 + 40 + "px";
      holder.style.minHeight = "0";
    }
    const names = data.names.slice().reverse();
    const values = data.values.map(function (value, index) {
      return { value: value, url: data.urls[index], name: data.names[index] };
    }).reverse();
    const chart = start(holder, {
      grid: { left: 4, right: 56, top: 4, bottom: 4, containLabel: true },
      tooltip: baseTooltip({
        trigger: "item",
        formatter: function (params) {
          return "<b>" + escapeHtml(params.name) + "</b>: " + escapeHtml(fmt(params.value, data.decimals)) + " " + escapeHtml(data.unit);
        },
      }),
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return fmt(v); }, fontSize: fontSize(10) }, splitLine: { lineStyle: { color: "#eef1f5" } } },
      yAxis: { type: "category", data: names, axisLabel: { fontSize: fontSize(11), color: ink, interval: 0 }, axisTick: { show: false } },
      series: [{
        type: "bar", data: values, barMaxWidth: 18, cursor: "pointer",
        itemStyle: { color: "#0b4f9c", borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: "right", fontSize: fontSize(10), color: ink, formatter: function (p) { return fmt(p.value, data.decimals); } },
      }],
    });
    if (chart) navigate(chart);
  }

  // --- charts over time or across units ---------------------------------------------------
  function axisTooltip(decimals) {
    return baseTooltip({
      trigger: "axis",
      formatter: function (items) {
        let html = "<b>" + escapeHtml(items[0].axisValueLabel) + "</b>";
        items.forEach(function (item) {
          if (item.seriesName.indexOf("__") === 0) return;
          const value = Array.isArray(item.value) ? item.value[1] : item.value;
          html += tooltipLine(item.seriesIndex % palette.length, item.seriesName,
            value === null || value === undefined || value === "-" ? "—" : fmt(value, decimals));
        });
        return html;
      },
    });
  }

  function chart(holder, data) {
    const type = data.type;
    const series = data.series.map(function (item, index) {
      const bar = type === "bar" || type === "stacked" || (type === "combined" && index === 0);
      return {
        name: item.name,
        type: bar ? "bar" : "line",
        data: item.values,
        stack: type === "stacked" ? "total" : undefined,
        yAxisIndex: type === "combined" && index > 0 && item.unit !== data.series[0].unit ? 1 : 0,
        connectNulls: true,
        symbolSize: 5,
        barMaxWidth: 28,
        itemStyle: { color: palette[index % palette.length] },
        lineStyle: { width: 2.5 },
      };
    });
    if (data.target !== null && data.target !== undefined && series.length) {
      series[0].markLine = {
        symbol: "none",
        lineStyle: { type: "dashed", color: "#c8102e" },
        label: { formatter: data.target_label + ": " + fmt(data.target), position: "insideEndTop", color: "#c8102e" },
        data: [{ yAxis: data.target }],
      };
    }
    if (data.forecast) {
      // The band: the lower bound, then the width stacked on it, drawn as an area.
      const lower = data.forecast.lower, upper = data.forecast.upper;
      series.push({ name: "__lower", type: "line", data: lower, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, silent: true });
      series.push({ name: "__band", type: "line", stack: "band", symbol: "none", lineStyle: { opacity: 0 }, silent: true,
        areaStyle: { color: "#0b4f9c", opacity: 0.15 },
        data: upper.map(function (u, i) { return u === null || lower[i] === null ? null : u - lower[i]; }) });
      series.push({ name: data.forecast.label, type: "line", data: data.forecast.values, lineStyle: { type: "dashed" }, itemStyle: { color: "#0b4f9c" } });
    }
    const yAxes = [{ type: "value", scale: type === "line", axisLabel: { formatter: function (v) { return fmt(v); }, fontSize: fontSize(10) }, name: data.series.length ? data.series[0].unit : "", nameTextStyle: { fontSize: fontSize(10), align: "left" } }];
    if (series.some(function (s) { return s.yAxisIndex === 1; })) {
      yAxes.push({ type: "value", axisLabel: { formatter: function (v) { return fmt(v); }, fontSize: fontSize(10) }, name: data.series[1].unit, splitLine: { show: false } });
    }
    start(holder, {
      color: palette,
      grid: { left: 8, right: 16, top: data.series.length > 1 ? 48 : 28, bottom: 8, containLabel: true },
      legend: data.series.length > 1 ? { top: 0, type: "scroll", textStyle: { fontSize: fontSize(11) }, data: data.series.map(function (s) { return s.name; }) } : undefined,
      tooltip: axisTooltip(data.decimals),
      xAxis: { type: "category", data: data.categories, axisLabel: { fontSize: fontSize(10), hideOverlap: true } },
      yAxis: yAxes,
      series: series,
    });
  }

  function history(holder, data) {
    const series = data.parts.map(function (part, index) {
      return { name: part.name, type: "bar", stack: "parts", data: part.values, barMaxWidth: 36,
        itemStyle: { color: palette[(index + 2) % palette.length], opacity: 0.75 } };
    });
    series.push({ name: data.total_label, type: "line", data: data.total, symbolSize: 6, connectNulls: false,
      lineStyle: { width: 3, color: "#0b4f9c" }, itemStyle: { color: "#0b4f9c" } });
    start(holder, {
      grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
      legend: { top: 0, type: "scroll", textStyle: { fontSize: fontSize(11) } },
      tooltip: axisTooltip(data.decimals),
      xAxis: { type: "category", data: data.categories },
      yAxis: { type: "value", name: data.unit, axisLabel: { formatter: function (v) { return fmt(v); } } },
      series: series,
    });
  }

  const drawers = { spark: spark, tilemap: tileMap, geomap: geoMap, ranking: ranking, chart: chart, history: history };

  function draw(root) {
    (root || document).querySelectorAll(".dh-chart-holder[data-chart]").forEach(function (holder) {
      if (holder.dataset.ready) return;
      const source = holder.querySelector('script[type="application/json"]');
      const drawer = drawers[holder.dataset.chart];
      if (!source || !drawer) return;
      try {
        drawer(holder, JSON.parse(source.textContent));
      } catch (error) {
        holder.dataset.ready = "error";
        console.warn("chart not drawn", error);
      }
    });
  }

  function resizeAll() {
    // A snapshot: redrawing a tile map replaces its chart in the set while we go through it.
    Array.from(charts).forEach(function (chart) {
      if (chart.isDisposed()) { charts.delete(chart); return; }
      const holder = chart.getDom().closest(".dh-chart-holder");
      if (holder && holder._relayout) {
        charts.delete(chart);
        holder._relayout();
        return;
      }
      chart.resize();
    });
  }

  // A chart downloaded as a picture, from the item's own chart.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-download-png]");
    if (!button) return;
    const card = button.closest(".dh-card");
    const canvas = card && card.querySelector(".dh-chart-holder .dh-chart-canvas");
    const chart = canvas && echarts.getInstanceByDom(canvas);
    if (!chart) return;
    const link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = (button.dataset.downloadPng || "bieu-do") + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // Items refreshed on a wall screen: release the charts they replace.
    event.target.querySelectorAll(".dh-chart-canvas").forEach(function (canvas) {
      const chart = echarts.getInstanceByDom(canvas);
      if (chart) { charts.delete(chart); chart.dispose(); }
    });
  });
  let pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(resizeAll, 120);
  });
  draw(document);

  // --- wall screens: pages rotate ---------------------------------------------------------
  const pages = Array.prototype.slice.call(document.querySelectorAll(".dh-wall-page"));
  const settings = document.getElementById("dh-wall-settings");
  const seconds = Number((settings && settings.dataset.wallSeconds) || 0);
  if (pages.length > 1 && seconds > 0) {
    let current = 0;
    setInterval(function () {
      pages[current].hidden = true;
      current = (current + 1) % pages.length;
      pages[current].hidden = false;
      const counter = document.querySelector("[data-wall-page]");
      if (counter) counter.textContent = String(current + 1);
      resizeAll();
    }, seconds * 1000);
  }
  const clock = document.querySelector("[data-wall-clock]");
  if (clock) {
    const tick = function () {
      const now = new Date();
      const pad = function (n) { return String(n).padStart(2, "0"); };
      clock.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes()) + " · " + window.dieuhanh.formatDate(now);
    };
    tick();
    setInterval(tick, 15000);
  }
})();
