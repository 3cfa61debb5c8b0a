// Tells the host page (and only the origin this embed is bound to) the frame's height and
// where it navigated, so the host can size the iframe and keep its own URL in step; and when
// the session has ended, so the host can mint a fresh link.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script && script.dataset.hostOrigin;
  var ended = script && script.dataset.sessionEnded;
  if (!origin || window.parent === window) return;
  var lastHeight = 0;
  function post(message) { window.parent.postMessage(message, origin); }
  function reportHeight() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== lastHeight) { lastHeight = height; post({ type: "platformkit:resize", height: height }); }
  }
  function reportNavigation() { post({ type: "platformkit:navigate", path: location.pathname + location.search, title: document.title }); }
  document.addEventListener("DOMContentLoaded", function () {
    if (ended) { post({ type: "platformkit:session-expired", reason: ended }); reportHeight(); return; }
    reportNavigation();
    reportHeight();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
    document.body.addEventListener("htmx:afterSettle", reportHeight);
    document.body.addEventListener("htmx:pushedIntoHistory", reportNavigation);
  });
})();
