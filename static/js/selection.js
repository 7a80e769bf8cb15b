// "Select all on this page" as a checkbox in the table's header, where JavaScript runs; the
// selection bar's link does the same without it.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var table = all.closest("table");
    var boxes = table.querySelectorAll("input[type=checkbox][name=selected]");
    if (!boxes.length) { return; }
    all.hidden = false;
    function sync() {
      var checked = Array.prototype.filter.call(boxes, function (b) { return b.checked; });
      all.checked = checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  });
}());
