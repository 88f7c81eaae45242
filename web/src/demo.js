/*
 * The demo page's texts (web/demo.html, served at / by the bot). They come from
 * interface_texts.yml (widget.demo_page): tools/build_widget.py defines RUECKENBOT_TEXTS
 * around this script and writes it to web/dist/demo.js.
 */
(function (TEXTS) {
  "use strict";

  function t(key) {
    var node = TEXTS;
    key.split(".").forEach(function (part) {
      node = node && typeof node === "object" ? node[part] : undefined;
    });
    return typeof node === "string" ? node : "";
  }

  function fill(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  function show() {
    document.title = t("widget.demo_page.title");
    fill("demo-heading", t("widget.demo_page.heading"));
    fill("demo-intro", t("widget.demo_page.intro"));
    fill("demo-note", t("widget.demo_page.note"));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})(RUECKENBOT_TEXTS);
