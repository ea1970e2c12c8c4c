// Queue keyboard shortcuts: j/k move, t takes, Enter opens, ? toggles the help.
// Progressive enhancement: every action is also a link or a button in the page.
(function () {
  "use strict";
  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-table tr.queue-row"));
  }

  function select(index) {
    var list = rows();
    if (!list.length) { current = -1; return; }
    index = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row) { row.classList.remove("selected"); row.removeAttribute("aria-selected"); });
    var row = list[index];
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    var link = row.querySelector("a.row-link");
    if (link) { link.focus({ preventScroll: true }); }
    row.scrollIntoView({ block: "nearest" });
    current = index;
  }

  function toggleHelp() {
    var help = document.getElementById("queue-keys");
    var button = document.querySelector(".kbd-toggle");
    if (!help) { return; }
    var open = help.classList.toggle("open");
    if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
  }

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var list = rows();
    if (event.key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (!list.length) { return; }
    if (event.key === "j") { select(current + 1); event.preventDefault(); }
    else if (event.key === "k") { select(current < 0 ? 0 : current - 1); event.preventDefault(); }
    else if (event.key === "t" && current >= 0) {
      var form = list[current].querySelector("form.take-form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
    } else if (event.key === "Enter" && current >= 0 && event.target === document.body) {
      window.location.href = list[current].dataset.url;
      event.preventDefault();
    }
  });

  // Clicking a row selects it, so the keys act on what the mouse pointed at.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#queue-table tr.queue-row");
    if (row) { current = rows().indexOf(row); rows().forEach(function (r) { r.classList.toggle("selected", r === row); }); }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "queue-table") { current = -1; }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".kbd-toggle");
    if (button) { button.hidden = false; button.addEventListener("click", toggleHelp); }
  });
})();
