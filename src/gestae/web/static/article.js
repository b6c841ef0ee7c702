// Article view: click an event or a quote to highlight its evidence in the text.
// Only classes and textContent are touched: article data never becomes markup.
(function () {
  "use strict";
  var text = document.getElementById("article-text");
  if (!text) return;

  function clear() {
    document.querySelectorAll(".ev-sentence, .ev-trigger, .q-active, .active").forEach(function (el) {
      el.classList.remove("ev-sentence", "ev-trigger", "q-active", "active");
    });
  }

  function spans(attr, id) {
    return text.querySelectorAll("[" + attr + "~=\"" + CSS.escape(id) + "\"]");
  }

  function showEvent(id) {
    clear();
    var button = document.querySelector("button.event[data-event=\"" + CSS.escape(id) + "\"]");
    if (button) button.classList.add("active");
    spans("data-ev", id).forEach(function (el) { el.classList.add("ev-sentence"); });
    var trig = spans("data-trig", id);
    trig.forEach(function (el) { el.classList.add("ev-trigger"); });
    if (trig.length) trig[0].scrollIntoView({ block: "center" });
  }

  function showQuote(id) {
    clear();
    var button = document.querySelector("button.quote[data-quote=\"" + CSS.escape(id) + "\"]");
    if (button) button.classList.add("active");
    var q = spans("data-q", id);
    q.forEach(function (el) { el.classList.add("q-active"); });
    spans("data-src", id).forEach(function (el) { el.classList.add("q-active"); });
    if (q.length) q[0].scrollIntoView({ block: "center" });
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.event");
    if (b) { showEvent(b.dataset.event); return; }
    b = ev.target.closest("button.quote, .qlabel");
    if (b) showQuote(b.dataset.quote);
  });

  // Links from the corpus views: /articles/ID?event=E or ?quote=Q
  var params = new URLSearchParams(window.location.search);
  if (params.get("event")) showEvent(params.get("event"));
  else if (params.get("quote")) showQuote(params.get("quote"));
})();
