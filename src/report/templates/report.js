"use strict";
(function () {
  // Reads the page only through the DOM: no markup is ever built from data.
  var matrix = document.getElementById("matrix");
  var statusBoxes = Array.prototype.slice.call(document.querySelectorAll("#status-filter input"));
  var section = document.getElementById("section-filter");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(matrix.querySelectorAll("tbody tr"));
  var findings = Array.prototype.slice.call(document.querySelectorAll(".finding"));

  function selectedStatuses() {
    var s = {};
    statusBoxes.forEach(function (b) { if (b.checked) { s[b.value] = true; } });
    return s;
  }

  function hasSection(list, key) {
    return key === "" || (" " + list + " ").indexOf(" " + key + " ") >= 0;
  }

  function apply() {
    var statuses = selectedStatuses();
    var key = section.value;
    var count = 0;
    rows.forEach(function (tr) {
      var visible = false;
      Array.prototype.forEach.call(tr.querySelectorAll("td.cell"), function (td) {
        var match = statuses[td.dataset.status] === true && hasSection(td.dataset.sections, key);
        td.classList.toggle("dim", !match);
        if (match) { visible = true; }
      });
      tr.classList.toggle("hidden", !visible);
      if (visible) { count += 1; }
    });
    findings.forEach(function (li) {
      var match = statuses[li.dataset.status] === true && hasSection(li.dataset.section, key);
      li.classList.toggle("hidden", !match);
    });
    shown.textContent = String(count);
  }

  function open(id) {
    Array.prototype.forEach.call(document.querySelectorAll(".detail.open"), function (d) { d.classList.remove("open"); });
    Array.prototype.forEach.call(matrix.querySelectorAll("td.selected"), function (td) { td.classList.remove("selected"); });
    var panel = id && document.getElementById(id);
    if (!panel) { return; }
    panel.classList.add("open");
    var link = matrix.querySelector('a[data-target="' + id + '"]');
    if (link) { link.parentNode.classList.add("selected"); }
  }

  matrix.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[data-target]") : null;
    if (!a) { return; }
    open(a.dataset.target);
  });
  window.addEventListener("hashchange", function () { open(location.hash.slice(1)); });
  var showAll = document.getElementById("show-all");
  showAll.addEventListener("change", function () {
    document.getElementById("details").classList.toggle("all", showAll.checked);
  });
  statusBoxes.forEach(function (b) { b.addEventListener("change", apply); });
  section.addEventListener("change", apply);
  apply();
  if (location.hash) { open(location.hash.slice(1)); }
  document.documentElement.dataset.ready = "1";
}());
