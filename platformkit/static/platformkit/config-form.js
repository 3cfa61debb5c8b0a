// Settings → Configuration: filter the (many) fields by name or label; groups with a match open.
(function () {
  var input = document.querySelector("[data-config-filter]");
  if (!input) return;
  input.addEventListener("input", function () {
    var needle = input.value.trim().toLowerCase();
    document.querySelectorAll(".pk-config__group").forEach(function (group) {
      var shown = 0;
      group.querySelectorAll("[data-field]").forEach(function (field) {
        var match = !needle || field.textContent.toLowerCase().indexOf(needle) !== -1 || field.dataset.field.indexOf(needle) !== -1;
        field.hidden = !match;
        if (match) shown++;
      });
      group.hidden = shown === 0;
      if (needle && shown) group.open = true;
    });
  });
})();
