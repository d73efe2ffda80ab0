/* Supervisor dashboard: fetches /api/v1/dashboard for a range of days and draws it with AgentCharts. */
(function () {
  "use strict";
  var I = window.AgentI18n, C = window.AgentCharts;
  var data = null;
  var TOP_CATEGORIES = 6, TOP_OUTLETS = 12;

  function $(id) { return document.getElementById(id); }
  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function label(s) { return I.lang === "en" ? s.label_en : s.label_zh; }
  function outletName(o) { return o.code; }

  function card(id, titleKey) {
    var box = $(id);
    I.clear(box);
    box.appendChild(I.el("h2", null, I.t(titleKey)));
    return box;
  }

  function totals(id, titleKey, series, named, xKey) {
    var box = card(id, titleKey);
    if (!series.length) { box.appendChild(I.el("p", "muted", I.t("noData"))); return; }
    C.bar(box, { title: I.t(titleKey), labels: series.map(function (s) { return named ? I.name(s.key) : label(s); }),
      values: series.map(function (s) { return s.total; }), xLabel: I.t(xKey),
      yLabel: I.t("tickets"), tableCaption: I.t("showTable") });
  }

  function outletBars(id, titleKey, outlets, value, yKey, format, scale) {
    var box = card(id, titleKey);
    var shown = outlets.filter(function (o) { return value(o) !== null; }).slice(0, TOP_OUTLETS);
    if (!shown.length) { box.appendChild(I.el("p", "muted", I.t("noData"))); return; }
    C.bar(box, { title: I.t(titleKey), labels: shown.map(outletName), values: shown.map(value), width: box.classList.contains("wide") ? 1280 : 640,
      xLabel: I.t("outlet"), yLabel: I.t(yKey), tableCaption: I.t("showTable"), format: format,
      max: scale && scale.max, ticks: scale && scale.ticks, integer: !(scale && scale.max) });
  }

  function kpi(box, key, value) {
    var k = I.el("div", "kpi");
    k.appendChild(I.el("span", "muted", I.t(key)));
    k.appendChild(I.el("strong", null, value));
    k.dataset.kpi = key;
    box.appendChild(k);
  }

  function render() {
    if (!data) return;
    var kpis = $("kpis");
    I.clear(kpis);
    kpi(kpis, "totalTickets", data.total_tickets);
    kpi(kpis, "slaBreaches", data.sla.total);
    kpi(kpis, "lateAccepts", data.sla.late_accepts);
    kpi(kpis, "openOverdue", data.sla.open_overdue);
    kpi(kpis, "timeouts", data.sla.timeouts);

    var box = card("chart-category", "ticketsByCategory");
    if (data.by_category.length) {
      C.line(box, { title: I.t("ticketsByCategory"), labels: data.days, xLabel: I.t("day"), yLabel: I.t("tickets"), width: 1280,
        tableCaption: I.t("showTable"), series: data.by_category.slice(0, TOP_CATEGORIES).map(function (s) {
          return { name: I.name(s.key), values: s.counts };
        }) });
    } else { box.appendChild(I.el("p", "muted", I.t("noData"))); }
    totals("chart-brand", "ticketsByBrand", data.by_brand, false, "brand");
    totals("chart-region", "ticketsByRegion", data.by_region, false, "region");
    totals("chart-status", "ticketsByStatus", data.by_status, true, "status");
    var sla = card("chart-sla", "slaByDay");
    C.bar(sla, { title: I.t("slaByDay"), labels: data.days, values: data.sla.by_day, xLabel: I.t("day"),
      yLabel: I.t("slaBreaches"), tableCaption: I.t("showTable") });
    outletBars("chart-acceptance", "acceptanceRate", data.outlets, function (o) {
      return o.acceptance_rate === null ? null : Math.round(o.acceptance_rate * 1000) / 10;
    }, "rate", undefined, { max: 100, ticks: 4 });
    outletBars("chart-accept-time", "acceptanceTime", data.outlets, function (o) { return o.median_accept_minutes; },
      "medianMinutes");
    outletBars("chart-csat", "csatByOutlet", data.outlets, function (o) { return o.csat_average; }, "csat",
      function (v) { return v === null ? "—" : Number(v).toFixed(2); }, { max: 5, ticks: 5 });
  }

  function load() {
    var query = "?from=" + encodeURIComponent($("from").value) + "&to=" + encodeURIComponent($("to").value);
    return I.api("GET", "/api/v1/dashboard" + query).then(function (found) {
      data = found;
      $("alert").hidden = true;
      document.body.dataset.loaded = "true";
      render();
    }).catch(function (failure) {
      $("alert").textContent = I.t("actionFailed") + (failure && failure.body ? failure.body.error : "");
      $("alert").hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var params = new URLSearchParams(window.location.search);
    var today = new Date(), start = new Date(today.getTime() - 29 * 86400000);
    $("from").value = params.get("from") || isoDay(start);
    $("to").value = params.get("to") || isoDay(today);
    $("filters").addEventListener("submit", function (event) { event.preventDefault(); load(); });
    I.onChange(render);
    load();
  });
})();
