// Back-office conveniences; every page works without them.
(function () {
  "use strict";

  // At the counter, attaching a scan ticks its component: one action less per paper.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var row = input.closest("table.checklist tr");
    var tick = row && row.querySelector('input[type="checkbox"]');
    if (tick && input.files && input.files.length) tick.checked = true;
  });

  // "/" jumps to the search box of an inbox or of the counter, as in most web apps.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return;
    var search = document.querySelector('input[type="search"]');
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  });
})();
