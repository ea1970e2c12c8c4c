// Article page: turn a text selection into the "add a claim" form's offsets.
// Progressive enhancement only: without it the form takes the claim's exact words.
(function () {
  "use strict";

  // Each run of body text sits in <span data-o="offset">; tooltips have none, so
  // their text never shifts an offset.
  function offsetOf(container, node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      var span = node.parentElement && node.parentElement.closest("[data-o]");
      if (!span || !container.contains(span)) return null;
      return parseInt(span.dataset.o, 10) + offset;
    }
    // An element boundary: the offset of the first text span at or after it.
    var child = node.childNodes[offset];
    var next = child && (child.matches && child.matches("[data-o]") ? child :
      child.querySelector && child.querySelector("[data-o]"));
    if (next) return parseInt(next.dataset.o, 10);
    var spans = container.querySelectorAll("[data-o]");
    var last = spans[spans.length - 1];
    return last ? parseInt(last.dataset.o, 10) + last.textContent.length : null;
  }

  // The body text between two offsets, read from the spans (never the tooltips).
  function textBetween(container, start, end) {
    var parts = [];
    container.querySelectorAll("[data-o]").forEach(function (span) {
      var o = parseInt(span.dataset.o, 10);
      var text = span.textContent;
      if (o + text.length <= start || o >= end) return;
      parts.push(text.slice(Math.max(0, start - o), end - o));
    });
    return parts.join("");
  }

  function fill() {
    var container = document.getElementById("article-body");
    var form = document.getElementById("add-claim-form");
    var selection = window.getSelection();
    if (!container || !form || !selection || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return;
    var start = offsetOf(container, range.startContainer, range.startOffset);
    var end = offsetOf(container, range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return;
    form.querySelector("#add-start").value = start;
    form.querySelector("#add-end").value = end;
    form.querySelector("#add-text").value = textBetween(container, start, end);
  }

  document.addEventListener("mouseup", fill);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) fill();
  });
  // Typing in the box means the user chose the words: the offsets no longer apply
  // (the server locates the typed words instead).
  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "add-text") {
      document.getElementById("add-start").value = "";
      document.getElementById("add-end").value = "";
    }
  });
})();
