/* Small SVG charts for the dashboard: vertical bar charts and multi-series line charts with axes, axis titles
 * and value labels; each with a data table under <details> as the accessible fallback. No external libraries;
 * every label is set with textContent. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 640, H = 260, M = { top: 16, right: 12, bottom: 64, left: 48 };  /* W: per chart (opts.width) */

  function svg(tag, attrs, text) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function nice(value) {  /* the smallest of 1, 2, 5 × 10^n that is at least value */
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var scaled = value / step;
    return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * step;
  }
  function niceMax(max, integer) {
    if (!(max > 0)) return integer ? 4 : 1;
    return integer ? 4 * Math.max(1, nice(max / 4)) : nice(max);  /* counts: four whole-number steps */
  }
  function frame(opts, maxValue) {
    W = opts.width || 640;
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": opts.title });
    root.appendChild(svg("title", {}, opts.title));
    var top = opts.max || niceMax(maxValue, opts.integer !== false), ticks = opts.ticks || 4, plotH = H - M.top - M.bottom, plotW = W - M.left - M.right;
    var grid = svg("g", { "class": "grid" }), axis = svg("g", { "class": "axis" });
    for (var i = 0; i <= ticks; i++) {
      var y = M.top + plotH - (plotH * i) / ticks;
      grid.appendChild(svg("line", { x1: M.left, x2: W - M.right, y1: y, y2: y }));
      var tick = top * i / ticks;
      axis.appendChild(svg("text", { x: M.left - 6, y: y + 4, "text-anchor": "end" },
        Number.isInteger(tick) ? tick : tick.toFixed(1)));
    }
    axis.appendChild(svg("line", { x1: M.left, x2: W - M.right, y1: M.top + plotH, y2: M.top + plotH }));
    axis.appendChild(svg("line", { x1: M.left, x2: M.left, y1: M.top, y2: M.top + plotH }));
    axis.appendChild(svg("text", { "class": "axis-title", x: 12, y: M.top + plotH / 2, "text-anchor": "middle",
      transform: "rotate(-90 12 " + (M.top + plotH / 2) + ")" }, opts.yLabel || ""));
    axis.appendChild(svg("text", { "class": "axis-title", x: M.left + plotW / 2, y: H - 4, "text-anchor": "middle" },
      opts.xLabel || ""));
    root.appendChild(grid);
    root.appendChild(axis);
    return { root: root, top: top, plotH: plotH, plotW: plotW };
  }
  function xLabel(g, x, y, text) {
    var label = text.length > 12 ? text.slice(0, 11) + "…" : text;
    g.appendChild(svg("text", { x: x, y: y, "text-anchor": "end", transform: "rotate(-35 " + x + " " + y + ")" }, label));
  }
  function table(columns, rows, caption) {
    var details = document.createElement("details"), summary = document.createElement("summary");
    summary.textContent = caption;
    details.appendChild(summary);
    var t = document.createElement("table"), head = document.createElement("tr");
    t.className = "data-table";
    columns.forEach(function (c, i) {
      var th = document.createElement("th");
      th.textContent = c;
      if (i) th.className = "num";
      head.appendChild(th);
    });
    t.appendChild(head);
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      r.forEach(function (cell, i) {
        var td = document.createElement("td");
        td.textContent = cell === null || cell === undefined ? "—" : String(cell);
        if (i) td.className = "num";
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    details.appendChild(t);
    return details;
  }

  /* opts: {title, labels[], values[], xLabel, yLabel, tableCaption, format(v), width, max, ticks, integer} */
  function bar(container, opts) {
    var values = opts.values.map(function (v) { return v === null || v === undefined ? 0 : v; });
    var f = frame(opts, Math.max.apply(null, [0].concat(values)));
    var n = Math.max(values.length, 1), slot = f.plotW / n, width = Math.max(2, Math.min(48, slot * 0.7));
    var bars = svg("g", { "class": "bars" }), labels = svg("g", { "class": "x-labels" });
    values.forEach(function (v, i) {
      var h = (f.plotH * v) / f.top, x = M.left + slot * i + (slot - width) / 2, y = M.top + f.plotH - h;
      var rect = svg("rect", { "class": "bar", x: x, y: y, width: width, height: Math.max(h, 0) });
      rect.appendChild(svg("title", {}, opts.labels[i] + ": " + (opts.format ? opts.format(opts.values[i]) : v)));
      bars.appendChild(rect);
      if (n <= 16) bars.appendChild(svg("text", { "class": "value", x: x + width / 2, y: y - 3, "text-anchor": "middle" },
        opts.format ? opts.format(opts.values[i]) : v));
      if (n <= 16 || i % Math.ceil(n / 16) === 0) xLabel(labels, x + width / 2, M.top + f.plotH + 14, opts.labels[i]);
    });
    f.root.appendChild(bars);
    f.root.appendChild(labels);
    container.appendChild(f.root);
    container.appendChild(table([opts.xLabel || "", opts.yLabel || ""], opts.labels.map(function (l, i) {
      return [l, opts.format ? opts.format(opts.values[i]) : opts.values[i]];
    }), opts.tableCaption));
  }

  /* opts: {title, labels[] (x), series: [{name, values[]}], xLabel, yLabel, tableCaption} */
  function line(container, opts) {
    var max = 0;
    opts.series.forEach(function (s) { s.values.forEach(function (v) { max = Math.max(max, v); }); });
    var f = frame(opts, max), n = opts.labels.length, step = n > 1 ? f.plotW / (n - 1) : 0;
    var labels = svg("g", { "class": "x-labels" });
    opts.labels.forEach(function (l, i) {
      if (i % Math.ceil(n / 12) === 0) xLabel(labels, M.left + step * i, M.top + f.plotH + 14, l.slice(5));
    });
    f.root.appendChild(labels);
    var legend = document.createElement("div");
    legend.className = "legend";
    opts.series.forEach(function (s, k) {
      var points = s.values.map(function (v, i) {
        return (M.left + step * i).toFixed(1) + "," + (M.top + f.plotH - (f.plotH * v) / f.top).toFixed(1);
      }).join(" ");
      var poly = svg("polyline", { "class": "line s" + (k % 6), points: n > 1 ? points : points + " " + points });
      poly.appendChild(svg("title", {}, s.name));
      f.root.appendChild(poly);
      var key = document.createElement("span");
      key.className = "s" + (k % 6);
      key.textContent = s.name;
      legend.appendChild(key);
    });
    container.appendChild(f.root);
    container.appendChild(legend);
    var columns = [opts.xLabel || ""].concat(opts.series.map(function (s) { return s.name; }));
    container.appendChild(table(columns, opts.labels.map(function (l, i) {
      return [l].concat(opts.series.map(function (s) { return s.values[i]; }));
    }), opts.tableCaption));
  }

  window.AgentCharts = { bar: bar, line: line };
})();
