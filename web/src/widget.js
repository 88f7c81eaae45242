/*
 * Rückenbot chat widget. Served by the bot (make web bundles it after
 * socket.io-client's browser build into /widget/rueckenbot.js).
 *
 * Embed:  <script src="https://BOT/widget/rueckenbot.js" defer></script>
 * Options as data- attributes on that script tag:
 *   data-server  the bot's address (default: where the script comes from)
 *   data-open    "true": start with the chat open
 *
 * Safety: every text goes into the page with textContent, never innerHTML.
 * Privacy: the session id is a random UUID in sessionStorage (gone when the
 * browser session ends) and is never shown; nothing is loaded from other hosts.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var scriptUrl = new URL(script.src, document.baseURI);
  var SERVER = script.getAttribute("data-server") || scriptUrl.origin;
  var START_OPEN = script.getAttribute("data-open") === "true";
  var MAX_LENGTH = 500;
  var REPLY_TIMEOUT_MS = 30000;
  var KEY_SESSION = "rueckenbot.session";
  var KEY_TRANSCRIPT = "rueckenbot.transcript";
  var KEY_OPEN = "rueckenbot.open";
  var URL_PATTERN = /https:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;

  var TEXT = {
    launcher: "Fragen zu Rückenschmerz-Behandlungen",
    title: "Rückenbot",
    subtitle: "Informationen zu passiven Behandlungen bei chronischen Rückenschmerzen",
    restart: "Neu starten",
    deleteData: "Meine Daten löschen",
    close: "Chat schließen",
    log: "Unterhaltung",
    you: "Sie: ",
    bot: "Rückenbot: ",
    suggestions: "Antwortvorschläge",
    inputLabel: "Ihre Frage",
    placeholder: "z. B. „Hilft Massage?“",
    send: "Senden",
    typing: "Rückenbot schreibt …",
    newWindow: " (öffnet ein neues Fenster)",
    privacy:
      "Datenschutz: Ihre Nachrichten werden ohne Namen nur auf dem Server des Rückenbots gespeichert. " +
      "Mit „Meine Daten löschen“ entfernen Sie sie jederzeit.",
    tooLong: "Bitte fassen Sie sich kürzer: höchstens " + MAX_LENGTH + " Zeichen.",
    remaining: function (n) {
      return "Noch " + n + " Zeichen möglich.";
    },
    confirmDelete:
      "Möchten Sie Ihre Unterhaltung jetzt vom Server löschen? Das lässt sich nicht rückgängig machen.",
    deleted: "Ihre Unterhaltung wurde vom Server gelöscht. Sie können jederzeit neu beginnen.",
    deleteFailed: "Das Löschen hat leider nicht geklappt. Bitte versuchen Sie es später noch einmal.",
    offline: "Keine Verbindung zum Rückenbot. Bitte versuchen Sie es später noch einmal.",
    noReply: "Der Rückenbot antwortet gerade nicht. Bitte versuchen Sie es noch einmal.",
  };

  // --- small helpers ---------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function newSessionId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // variant
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var store = {
    get: function (key, fallback) {
      try {
        var value = window.sessionStorage.getItem(key);
        return value === null ? fallback : JSON.parse(value);
      } catch (e) {
        return fallback;
      }
    },
    set: function (key, value) {
      try {
        window.sessionStorage.setItem(key, JSON.stringify(value));
      } catch (e) {
        /* private mode: the conversation just is not kept across reloads */
      }
    },
  };

  // --- text rendering: textContent only ---------------------------------------
  function link(url, label) {
    var a = el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, label);
    a.appendChild(el("span", { class: "rb-sr-only" }, TEXT.newWindow));
    return a;
  }

  function appendInline(node, text) {
    var last = 0;
    text.replace(URL_PATTERN, function (url, offset) {
      node.appendChild(document.createTextNode(text.slice(last, offset)));
      node.appendChild(link(url, url));
      last = offset + url.length;
      return url;
    });
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  // "Quelle: IQWiG, …, Abschnitt „…“ (Stand …): https://…" → "Quelle: " + a link named by the source.
  function appendSource(node, line) {
    var match = /^Quelle:\s*(.+?):\s*(https:\/\/[^\s;]+)(.*)$/.exec(line);
    if (!match) return appendInline(node, line);
    node.appendChild(document.createTextNode("Quelle: "));
    node.appendChild(link(match[2], match[1]));
    appendInline(node, match[3]);
  }

  function renderText(container, text) {
    var list = null;
    text.split("\n").forEach(function (raw) {
      var line = raw.trim();
      if (!line) {
        list = null;
        return;
      }
      var item = /^([-•*]|\d+[.)])\s+(.*)$/.exec(line);
      if (item) {
        if (!list) {
          list = el(/\d/.test(item[1]) ? "ol" : "ul");
          container.appendChild(list);
        }
        var li = el("li");
        appendInline(li, item[2]);
        list.appendChild(li);
        return;
      }
      list = null;
      var p = el("p", /^Quelle:/.test(line) ? { class: "rb-source" } : {});
      if (/^Quelle:/.test(line)) appendSource(p, line);
      else appendInline(p, line);
      container.appendChild(p);
    });
  }

  // --- the widget's DOM -----------------------------------------------------
  var css = el("link", { rel: "stylesheet", href: new URL("rueckenbot.css", scriptUrl).href });
  document.head.appendChild(css);

  var root = el("div", { class: "rb-root", lang: "de" });
  var launcher = el("button", { type: "button", class: "rb-launcher", "aria-expanded": "false", "aria-controls": "rb-panel" }, TEXT.launcher);
  var panel = el("section", { id: "rb-panel", class: "rb-panel", "aria-labelledby": "rb-title" });
  panel.hidden = true;

  var header = el("header", { class: "rb-header" });
  var heading = el("div", { class: "rb-heading" });
  heading.appendChild(el("h2", { id: "rb-title" }, TEXT.title));
  heading.appendChild(el("p", { class: "rb-subtitle" }, TEXT.subtitle));
  var closeButton = el("button", { type: "button", class: "rb-close", "aria-label": TEXT.close }, "×");
  var tools = el("div", { class: "rb-tools" });
  var restartButton = el("button", { type: "button", class: "rb-tool" }, TEXT.restart);
  var deleteButton = el("button", { type: "button", class: "rb-tool" }, TEXT.deleteData);
  tools.appendChild(restartButton);
  tools.appendChild(deleteButton);
  header.appendChild(heading);
  header.appendChild(closeButton);
  header.appendChild(tools);

  var log = el("ol", { class: "rb-log", "aria-label": TEXT.log, tabindex: "0" });
  var typing = el("p", { class: "rb-typing", "aria-hidden": "true" }, TEXT.typing);
  typing.hidden = true;
  var live = el("div", { class: "rb-sr-only rb-live", "aria-live": "polite", "aria-relevant": "additions" });
  var status = el("p", { class: "rb-status", role: "status" });

  var form = el("form", { class: "rb-form", novalidate: "" });
  var label = el("label", { for: "rb-input", class: "rb-sr-only" }, TEXT.inputLabel);
  var input = el("input", {
    id: "rb-input",
    class: "rb-input",
    type: "text",
    maxlength: String(MAX_LENGTH),
    autocomplete: "off",
    placeholder: TEXT.placeholder,
    "aria-describedby": "rb-hint",
  });
  var sendButton = el("button", { type: "submit", class: "rb-send" }, TEXT.send);
  var hint = el("p", { id: "rb-hint", class: "rb-hint", "aria-live": "polite" });
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(status);
  panel.appendChild(form);
  panel.appendChild(hint);
  panel.appendChild(live);
  root.appendChild(launcher);
  root.appendChild(panel);

  // --- conversation state ----------------------------------------------------
  var sessionId = store.get(KEY_SESSION, null);
  var transcript = store.get(KEY_TRANSCRIPT, []);
  var confirmedSession = null;
  var pending = []; // messages waiting for session_confirm
  var replyTimer = null;

  function save() {
    store.set(KEY_SESSION, sessionId);
    store.set(KEY_TRANSCRIPT, transcript);
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function removeSuggestions() {
    Array.prototype.forEach.call(log.querySelectorAll(".rb-suggestions"), function (group) {
      group.parentNode.removeChild(group);
    });
  }

  function renderEntry(entry, withSuggestions) {
    var item = el("li", { class: "rb-msg rb-" + entry.who });
    if (entry.who !== "note") item.appendChild(el("span", { class: "rb-sr-only" }, entry.who === "user" ? TEXT.you : TEXT.bot));
    var body = el("div", { class: "rb-body" });
    if (entry.who === "bot") renderText(body, entry.text);
    else body.appendChild(el("p", {}, entry.text));
    item.appendChild(body);
    if (withSuggestions && entry.buttons && entry.buttons.length) {
      var group = el("div", { class: "rb-suggestions", role: "group", "aria-label": TEXT.suggestions });
      entry.buttons.forEach(function (button) {
        var b = el("button", { type: "button", class: "rb-suggestion" }, button.title);
        b.addEventListener("click", function () {
          send(button.payload, button.title);
          input.focus();
        });
        group.appendChild(b);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  // Only the new message goes into the live region, so a screen reader reads just that.
  function announce(text) {
    live.appendChild(el("p", {}, text));
  }

  function add(entry, options) {
    transcript.push(entry);
    save();
    renderEntry(entry, true);
    if (options && options.announce) announce((entry.who === "bot" ? TEXT.bot : "") + entry.text);
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(replyTimer);
    if (on) {
      replyTimer = setTimeout(function () {
        typing.hidden = true;
        add({ who: "note", text: TEXT.noReply }, { announce: true });
      }, REPLY_TIMEOUT_MS);
      scrollToEnd();
    }
  }

  // --- socket.io ----------------------------------------------------------------
  // WebSocket first: one connection that stays on one server process, so several Rasa
  // workers behind one port work without sticky sessions. Where a proxy blocks
  // WebSockets, fall back to long-polling (which needs sticky routing, see README).
  var socket = window.io(SERVER, {
    path: "/socket.io",
    autoConnect: false,
    transports: ["websocket", "polling"],
    tryAllTransports: true,
  });

  function requestSession() {
    confirmedSession = null;
    socket.emit("session_request", { session_id: sessionId });
  }

  function flush() {
    while (pending.length && confirmedSession === sessionId) {
      socket.emit("user_uttered", { message: pending.shift(), session_id: sessionId });
    }
  }

  socket.on("connect", function () {
    status.textContent = "";
    requestSession();
  });
  socket.on("connect_error", function () {
    status.textContent = TEXT.offline;
    showTyping(false);
  });
  socket.on("session_confirm", function (id) {
    confirmedSession = id;
    flush();
  });
  socket.on("bot_uttered", function (message) {
    showTyping(false);
    var text = message && typeof message.text === "string" ? message.text : "";
    var buttons = ((message && message.quick_replies) || [])
      .filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string";
      })
      .map(function (b) {
        return { title: b.title, payload: b.payload };
      });
    if (!text && !buttons.length) return;
    if (buttons.length) removeSuggestions();
    add({ who: "bot", text: text, buttons: buttons }, { announce: true });
  });
  socket.on("session_deleted", function (result) {
    if (!result || !result.deleted) {
      add({ who: "note", text: TEXT.deleteFailed }, { announce: true });
      return;
    }
    sessionId = newSessionId();
    transcript = [];
    log.textContent = "";
    live.textContent = "";
    add({ who: "note", text: TEXT.deleted }, { announce: true });
    requestSession();
  });

  function send(message, shownAs) {
    removeSuggestions();
    live.textContent = "";
    if (shownAs !== null) add({ who: "user", text: shownAs === undefined ? message : shownAs });
    pending.push(message);
    showTyping(true);
    flush();
  }

  function startConversation() {
    sessionId = newSessionId();
    transcript = [];
    log.textContent = "";
    live.textContent = "";
    save();
    add({ who: "note", text: TEXT.privacy });
    if (socket.connected) requestSession();
    send("/greet", null);
  }

  // --- controls -----------------------------------------------------------------
  function updateHint() {
    var left = MAX_LENGTH - input.value.length;
    hint.textContent = left <= 0 ? TEXT.tooLong : left <= 50 ? TEXT.remaining(left) : "";
  }

  input.addEventListener("input", updateHint);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (text.length > MAX_LENGTH) {
      hint.textContent = TEXT.tooLong;
      return;
    }
    input.value = "";
    updateHint();
    send(text);
  });

  function setOpen(open, focus) {
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    store.set(KEY_OPEN, open);
    if (open) {
      if (!socket.connected) socket.connect();
      scrollToEnd();
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () {
    setOpen(true, true);
  });
  closeButton.addEventListener("click", function () {
    setOpen(false, true);
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false, true);
  });
  restartButton.addEventListener("click", function () {
    startConversation();
    input.focus();
  });
  deleteButton.addEventListener("click", function () {
    if (!window.confirm(TEXT.confirmDelete)) return;
    if (!socket.connected) socket.connect();
    socket.emit("delete_session", { session_id: sessionId });
  });

  // --- start ----------------------------------------------------------------------
  function mount() {
    document.body.appendChild(root);
    var restored = sessionId && transcript.length;
    if (restored) {
      transcript.forEach(function (entry, index) {
        renderEntry(entry, index === transcript.length - 1);
      });
    }
    setOpen(store.get(KEY_OPEN, START_OPEN), false);
    socket.connect();
    if (!restored) startConversation();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
