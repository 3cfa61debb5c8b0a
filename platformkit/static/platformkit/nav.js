// The dashboard's navigation on a narrow screen: collapsed behind its Menu button, which opens
// and closes it. Wide screens never see the button (platformkit.css), so nothing changes there.
(function () {
  function setUp(nav) {
    if (nav.dataset.pkNavReady) return;
    nav.dataset.pkNavReady = "1";
    var button = nav.querySelector(".pk-nav__toggle");
    if (!button) return;
    button.hidden = false;
    nav.classList.add("pk-nav--collapsible");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("pk-nav--open", open);
    });
  }
  function all() { document.querySelectorAll("[data-pk-nav]").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
  document.addEventListener("htmx:load", all);
})();
