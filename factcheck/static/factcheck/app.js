// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Focus the main region after an htmx swap that replaced it, for screen readers.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.dataset && target.dataset.focusAfterSwap !== undefined) {
      target.focus();
    }
  });
})();
