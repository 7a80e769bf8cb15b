// The error summary: focus it when the page loads, so that a screen reader reads the problems
// first; a link in it moves focus to its input (not only scrolls there).
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    inPageOrder(summary.querySelector("ul"));
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + input.id + "']");
      (label || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }
  // The server lists problems in the form's field order; the page may lay fields out
  // otherwise (two columns): list them as the officer meets them.
  function inPageOrder(list) {
    if (!list) { return; }
    var items = Array.prototype.slice.call(list.children);
    function target(item) {
      var link = item.querySelector("a[href^='#']");
      return link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    }
    items.sort(function (a, b) {
      var ta = target(a), tb = target(b);
      if (!ta || !tb || ta === tb) { return (ta ? 1 : 0) - (tb ? 1 : 0); }  // whole form first
      return ta.compareDocumentPosition(tb) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    items.forEach(function (item) { list.appendChild(item); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
