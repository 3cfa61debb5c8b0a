// Functions → Deploy: a drop zone and folder/zip pickers that fill the entrypoint and import-map
// suggestions from the chosen files, send each file's folder-relative path beside it, and show
// upload progress. Without this script the form still posts the chosen files.
(function () {
  var form = document.querySelector("[data-deploy-form]");
  if (!form) return;
  var chosen = [];
  var list = form.querySelector("[data-chosen]");
  var datalist = document.getElementById("pk-fn-paths");
  var progress = form.querySelector("[data-upload-progress]");

  function relative(file) {
    var path = file.webkitRelativePath || file.relativePath || file.name;
    var parts = path.split("/");
    return parts.length > 1 && file.webkitRelativePath ? parts.slice(1).join("/") : path; // drop the chosen folder's own name
  }
  function show() {
    list.textContent = "";
    datalist.textContent = "";
    chosen.forEach(function (file) {
      var item = document.createElement("li");
      item.textContent = relative(file) + " (" + file.size + " bytes)";
      list.appendChild(item);
      var option = document.createElement("option");
      option.value = relative(file);
      datalist.appendChild(option);
    });
    var entry = form.querySelector("[name=entrypoint_path]");
    var names = chosen.map(relative);
    if (names.indexOf(entry.value) === -1) {
      var guess = names.filter(function (n) { return /(^|\/)index\.(ts|js|tsx|jsx)$/.test(n); })[0];
      if (guess) entry.value = guess;
    }
    var map = form.querySelector("[name=import_map_path]");
    if (!map.value) map.value = names.filter(function (n) { return /(^|\/)(deno\.jsonc?|import_map\.json)$/.test(n); })[0] || "";
  }
  form.querySelectorAll("input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () { chosen = Array.prototype.slice.call(input.files); show(); });
  });
  var zone = form.querySelector("[data-dropzone]");
  zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("pk-dropzone--over"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("pk-dropzone--over"); });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("pk-dropzone--over");
    chosen = Array.prototype.slice.call(event.dataTransfer.files);
    show();
  });
  form.addEventListener("submit", function (event) {
    if (!chosen.length || !window.XMLHttpRequest) return; // the browser's own submit
    event.preventDefault();
    var data = new FormData();
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "file" || element.disabled) return;
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) return;
      data.append(element.name, element.value);
    });
    chosen.forEach(function (file) { data.append("file", file, file.name); data.append("path", relative(file)); });
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { progress.hidden = false; progress.value = Math.round((e.loaded / e.total) * 100); }
    });
    request.addEventListener("load", function () {
      if (request.status < 400) { window.location.assign(request.responseURL); return; }
      document.open(); document.write(request.responseText); document.close(); // the form again, with the error
    });
    request.send(data);
  });
})();
