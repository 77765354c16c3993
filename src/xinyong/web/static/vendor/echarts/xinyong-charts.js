/* Xinyong's charts, drawn with the vendored ECharts (echarts.min.js, 5.6.0 from the npm package).
 *
 * The pages allow no inline script (CSP script-src 'self'), so each chart is an element
 *   <div class="chart" data-chart="KIND" data-source="ID">
 * whose data is the JSON in <script type="application/json" id="ID">. Charts follow their
 * container's width (a phone turned sideways, a window resized). */
(function () {
  "use strict";

  var RED = "#b8232f", INK = "#1f2329", MUTED = "#646a73", LINE = "#e3e5e8";
  var TONES = ["#1f7a44", "#1f5fae", "#b26a00", "#b8232f", "#7a1d1d", "#5b3f8c", "#0f6b6b", "#8a6d00", "#444"];
  var BAND_FILLS = ["rgba(31,122,68,.07)", "rgba(31,95,174,.06)", "rgba(178,106,0,.07)", "rgba(184,35,47,.07)",
                    "rgba(122,29,29,.08)", "rgba(91,63,140,.07)", "rgba(15,107,107,.07)", "rgba(138,109,0,.07)"];
  var FONT = { fontFamily: "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif" };

  function esc(text) { return echarts.format.encodeHTML(String(text)); }
  function tone(i) { return TONES[i % TONES.length]; }

  var builders = {
    // an entity's score over time, on its model's bands (A 800–950 …)
    history: function (d) {
      var pts = d.points || [];
      return {
        textStyle: FONT,
        grid: { left: 44, right: 72, top: 16, bottom: 28, containLabel: false },
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            var p = pts[items[0].dataIndex];
            return esc(p.date) + "<br>" + esc(p.score) + " 分 · " + esc(p.grade) + " 级";
          }
        },
        xAxis: { type: "category", boundaryGap: true, data: pts.map(function (p) { return p.date; }),
                 axisLine: { lineStyle: { color: LINE } }, axisLabel: { color: MUTED, hideOverlap: true } },
        yAxis: { type: "value", min: d.floor, max: d.ceiling, interval: 100, axisLabel: { color: MUTED },
                 splitLine: { lineStyle: { color: LINE } } },
        series: [{
          type: "line", name: "得分", data: pts.map(function (p) { return p.score; }),
          symbol: "circle", symbolSize: 9, lineStyle: { color: RED, width: 2 }, itemStyle: { color: RED },
          label: { show: true, position: "top", color: INK, formatter: function (p) { return pts[p.dataIndex].grade; } },
          markArea: {
            silent: true,
            label: { position: "right", color: MUTED, fontSize: 11 },
            data: (d.bands || []).map(function (b, i) {
              return [{ name: b.grade + " " + b.label, yAxis: Math.max(b.above, d.floor), itemStyle: { color: BAND_FILLS[i % BAND_FILLS.length] } },
                      { yAxis: Math.min(b.up_to, d.ceiling) }];
            })
          }
        }]
      };
    },

    // entities per grade in one run
    distribution: function (d) {
      return {
        textStyle: FONT,
        grid: { left: 56, right: 16, top: 24, bottom: 28 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "category", data: d.grades, axisLabel: { color: INK, fontWeight: 600 } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
        series: [{
          type: "bar", name: "主体数", barMaxWidth: 56,
          data: d.counts.map(function (n, i) { return { value: n, itemStyle: { color: tone(i) } }; }),
          label: { show: true, position: "top", color: INK }
        }]
      };
    },

    // what-if: for each current grade, where its entities go under the draft (stacked by draft grade)
    migration: function (d) {
      return {
        textStyle: FONT,
        legend: { top: 0, data: d.columns.map(function (a) { return "草案 " + a; }) },
        grid: { left: 56, right: 16, top: 40, bottom: 28 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "category", data: d.rows.map(function (b) { return "现行 " + b; }) },
        yAxis: { type: "value", minInterval: 1, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
        series: d.columns.map(function (a, i) {
          return { type: "bar", stack: "after", name: "草案 " + a, data: d.series[i], itemStyle: { color: tone(i) },
                   barMaxWidth: 64, emphasis: { focus: "series" } };
        })
      };
    },

    // what-if: entities per grade, current beside draft
    counts: function (d) {
      return {
        textStyle: FONT,
        legend: { top: 0, data: ["现行模型", "草案模型"] },
        grid: { left: 56, right: 16, top: 40, bottom: 28 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "category", data: d.grades },
        yAxis: { type: "value", minInterval: 1, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
        series: [
          { type: "bar", name: "现行模型", data: d.before, itemStyle: { color: "#9aa3ad" }, barMaxWidth: 40 },
          { type: "bar", name: "草案模型", data: d.after, itemStyle: { color: RED }, barMaxWidth: 40 }
        ]
      };
    }
  };

  function draw(el) {
    if (el.getAttribute("data-drawn") || typeof echarts === "undefined") { return; }
    var source = document.getElementById(el.getAttribute("data-source"));
    var build = builders[el.getAttribute("data-chart")];
    if (!source || !build) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(JSON.parse(source.textContent)));
    el.setAttribute("data-drawn", "1");
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  function drawAll(root) {
    var els = (root || document).querySelectorAll(".chart[data-chart]");
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
