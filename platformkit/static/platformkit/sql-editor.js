/* The SQL editor, progressively enhanced: a highlighted layer behind a transparent textarea
   (the textarea stays the real input, so forms and the no-JS fallback are the same), and
   Ctrl/Cmd+Enter to run. No dependency; the highlighter is a tokenizer, not a parser. */
(function () {
  "use strict";
  var KEYWORDS = /^(select|from|where|and|or|not|null|is|in|insert|into|values|update|set|delete|create|table|alter|drop|add|column|primary|key|references|on|as|join|left|right|inner|outer|group|by|order|limit|offset|having|union|all|distinct|returning|with|begin|commit|rollback|grant|revoke|to|enable|row|level|security|policy|for|using|check|default|unique|index|if|exists|truncate|view|function|returns|language|case|when|then|else|end|true|false|schema|cascade)$/i;
  var TOKENS = /(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\$\d+)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_$]*)/g;

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(sql) {
    var out = "", last = 0, match;
    TOKENS.lastIndex = 0;
    while ((match = TOKENS.exec(sql)) !== null) {
      out += escapeHtml(sql.slice(last, match.index));
      var kind = match[1] ? "comment" : match[2] ? "string" : match[3] ? "ident" : match[4] ? "param" : match[5] ? "number" : KEYWORDS.test(match[6]) ? "keyword" : "";
      out += kind ? '<span class="pk-sql-' + kind + '">' + escapeHtml(match[0]) + "</span>" : escapeHtml(match[0]);
      last = TOKENS.lastIndex;
    }
    return out + escapeHtml(sql.slice(last)) + "\n";
  }

  function enhance(wrapper) {
    var input = wrapper.querySelector("textarea");
    if (!input || wrapper.dataset.enhanced) return;
    wrapper.dataset.enhanced = "1";
    var layer = document.createElement("pre");
    layer.className = "pk-sql-layer pk-code";
    layer.setAttribute("aria-hidden", "true");
    input.parentNode.insertBefore(layer, input);
    wrapper.classList.add("pk-sql-editor--enhanced");
    function sync() {
      layer.innerHTML = highlight(input.value);
      layer.scrollTop = input.scrollTop;
      layer.scrollLeft = input.scrollLeft;
      document.querySelectorAll('[data-mirror="' + input.id + '"]').forEach(function (field) { field.value = input.value; });
    }
    input.addEventListener("input", sync);
    input.addEventListener("scroll", sync);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        input.form.requestSubmit();
      }
    });
    sync();
  }

  // An error's position (from the server's parse of PostgreSQL's message) selected in the editor.
  function markError(root) {
    var marker = root.querySelector && root.querySelector("[data-error-offset]");
    var input = document.getElementById("pk-sql-input");
    if (!marker || !input) return;
    var offset = parseInt(marker.getAttribute("data-error-offset"), 10);
    if (isNaN(offset)) return;
    input.focus();
    input.setSelectionRange(offset, offset + 1);
  }

  document.querySelectorAll("[data-sql-editor]").forEach(enhance);
  markError(document);
  document.body.addEventListener("htmx:afterSwap", function (event) { markError(event.detail.target.parentNode || document); });
})();
