// The postal pages' conveniences; every page works without them.
(function () {
  "use strict";

  // A "select all" box ticks or clears the boxes of its list (data-select-all="name").
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
    var form = box.form || document;
    form.querySelectorAll('input[type="checkbox"][name="' + box.dataset.selectAll + '"]').forEach(
      function (other) { other.checked = box.checked; }
    );
  });
})();
