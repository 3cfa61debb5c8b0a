/* The row editor's foreign-key picker: htmx fetches the referenced rows matching what is typed
   (database/references.html); a click on one puts its key in the column's field, clears its
   NULL box, and closes the list. Without JavaScript the field is typed as before. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-db-pick]");
    if (!choice) return;
    var field = document.getElementById(choice.dataset.dbPickFor);
    if (!field) return;
    field.value = choice.dataset.dbPick;
    field.dispatchEvent(new Event("change", { bubbles: true }));
    var row = field.closest("tr");
    var nullBox = row && row.querySelector('input[type="checkbox"][name^="n"]');
    if (nullBox) nullBox.checked = false;
    var results = choice.closest("[data-db-picker-results]");
    if (results) results.innerHTML = "";
    field.focus();
  });
})();
