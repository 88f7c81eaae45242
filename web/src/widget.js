/*
 * Rückenbot chat widget. Served by the bot (make web bundles it after
 * socket.io-client's browser build into /widget/rueckenbot.js).
 *
 * Embed:  <script src="https://BOT/widget/rueckenbot.js" defer></script>
 * Options as data- attributes on that script tag:
 *   data-server  the bot's address (default: where the script comes from)
 *   data-open    "true": start with the chat open
 *
 * Texts: this file holds none. Every text a person reads or hears is either a bot message
 * (domain.yml, knowledge/) or an interface text from interface_texts.yml (section `widget:`),
 * which tools/build_widget.py defines as RUECKENBOT_TEXTS around this script; t("widget.key")
 * reads one. RUECKENBOT_PLAIN_SECTIONS (same build, from knowledge/sources.yml) names the parts
 * of the page that have no heading of their own, so the source reads as in the bot's text.
 *
 * Messages (socket.io event bot_uttered): `text`, `quick_replies` (or `buttons`) and, for an
 * answer composed from the page, `answer` (docs/answer-structure.md). An answer is rendered
 * from that structure (body, the source as a link, the disclaimer, "Hilfreich? 👍 👎" under a
 * `fact`), never by parsing `text`; `kind: safety` is shown exactly as its text, nothing added.
 *
 * Safety: every text goes into the page with textContent, never innerHTML; links only to https.
 * Privacy: the session id is a random UUID in sessionStorage (gone when the
 * browser session ends) and is never shown; nothing is loaded from other hosts.
 */
(function (TEXTS, PLAIN_SECTIONS) {
  "use strict";

  var script = document.currentScript;
  var scriptUrl = new URL(script.src, document.baseURI);
  var SERVER = script.getAttribute("data-server") || scriptUrl.origin;
  var START_OPEN = script.getAttribute("data-open") === "true";
  var MAX_LENGTH = 1000; // as max_message_length in credentials.yml
  var MAX_COMMENT = 200; // docs/answer-structure.md: a feedback comment has at most 200 characters
  var REPLY_TIMEOUT_MS = 30000;
  var KEY_SESSION = "rueckenbot.session";
  var KEY_TRANSCRIPT = "rueckenbot.transcript";
  var KEY_OPEN = "rueckenbot.open";
  var URL_PATTERN = /https:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;
  // Payloads (intents of domain.yml): asking to delete starts the bot's own confirmation.
  var DELETE_REQUEST = "/delete_my_data";
  var FEEDBACK = "/feedback";

  // --- texts: interface_texts.yml, built in by tools/build_widget.py --------------------
  function lookup(key) {
    var node = TEXTS;
    key.split(".").forEach(function (part) {
      node = node && typeof node === "object" ? node[part] : undefined;
    });
    return typeof node === "string" ? node : key;
  }

  // Walk a text's parts: plain text, and {name} placeholders ({{ and }} are braces, as in Python).
  function parts(template, onText, onName) {
    var pattern = /\{\{|\}\}|\{(\w+)\}/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(template)) !== null) {
      onText(template.slice(last, match.index));
      if (match[1]) onName(match[1]);
      else onText(match[0].charAt(0));
      last = pattern.lastIndex;
    }
    onText(template.slice(last));
  }

  // The text for `key` with its placeholders filled in.
  function t(key, values) {
    var out = "";
    parts(
      lookup(key),
      function (s) {
        out += s;
      },
      function (name) {
        out += values && values[name] !== undefined ? String(values[name]) : "";
      },
    );
    return out;
  }

  // The same, appended to `node`, where a value may be a DOM node (a link inside a sentence).
  function tNodes(node, key, values) {
    parts(
      lookup(key),
      function (s) {
        if (s) node.appendChild(document.createTextNode(s));
      },
      function (name) {
        var value = values[name];
        if (value instanceof Node) node.appendChild(value);
        else if (value !== undefined) node.appendChild(document.createTextNode(String(value)));
      },
    );
    return node;
  }

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

  var nextId = 0;
  function uniqueId(prefix) {
    nextId += 1;
    return prefix + nextId;
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
    a.appendChild(el("span", { class: "rb-sr-only" }, " " + t("widget.new_window")));
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

  // Lines become paragraphs, "- …" and "1. …" lines lists, https addresses links.
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
      var p = el("p");
      appendInline(p, line);
      container.appendChild(p);
    });
  }

  // "a, b und c", as the bot writes it (answer.and).
  function joined(items) {
    if (items.length <= 1) return items.join("");
    return items.slice(0, -1).join(", ") + " " + t("answer.and") + " " + items[items.length - 1];
  }

  // The parts of the page an answer rests on, worded like the bot's source line (answer.*).
  function sectionsText(sections) {
    var headings = [];
    var plain = [];
    sections.forEach(function (label) {
      if (PLAIN_SECTIONS.indexOf(label) >= 0) plain.push(label);
      else headings.push(t("answer.heading", { label: label }));
    });
    var named = [];
    if (headings.length === 1) named.push(t("answer.section_one", { headings: headings[0] }));
    if (headings.length > 1) named.push(t("answer.section_many", { headings: joined(headings) }));
    return joined(named.concat(plain));
  }

  function strings(list) {
    return Array.isArray(list)
      ? list.filter(function (s) {
          return typeof s === "string" && s;
        })
      : [];
  }

  // The source line from its structure: the page title as a link, the sections and the date,
  // worded by the templates widget.source / widget.source_without_sections (interface_texts.yml).
  function renderSource(container, source) {
    if (!source || typeof source !== "object") return;
    var url = typeof source.url === "string" && /^https:\/\//i.test(source.url) ? source.url : "";
    if (!url) {
      // nothing to link to (e.g. a note that does not come from the page): the line as it is
      if (typeof source.line === "string" && source.line) container.appendChild(el("p", { class: "rb-source" }, source.line));
      return;
    }
    var title = typeof source.title === "string" && source.title ? source.title : url;
    var page = link(url, t("widget.source_link", { title: title }));
    var updated = typeof source.updated === "string" ? source.updated : "";
    var sections = sectionsText(strings(source.sections));
    var p = el("p", { class: "rb-source" });
    if (sections) tNodes(p, "widget.source", { page: page, sections: sections, updated: updated });
    else tNodes(p, "widget.source_without_sections", { page: page, updated: updated });
    container.appendChild(p);
    var references = strings(source.references);
    if (references.length) {
      container.appendChild(el("p", { class: "rb-source" }, t("answer.references", { references: references.join("; ") })));
    }
  }

  function isAnswer(answer) {
    return Boolean(answer) && typeof answer === "object" && typeof answer.body === "string";
  }

  function renderAnswer(container, answer, text) {
    if (answer.kind === "safety") {
      renderText(container, text || answer.body); // exactly as sent: nothing added, nothing taken away
      return;
    }
    renderText(container, answer.body);
    renderSource(container, answer.source);
    if (typeof answer.disclaimer === "string" && answer.disclaimer) {
      container.appendChild(el("p", { class: "rb-disclaimer" }, answer.disclaimer));
    }
  }

  // --- the widget's DOM -----------------------------------------------------
  var css = el("link", { rel: "stylesheet", href: new URL("rueckenbot.css", scriptUrl).href });
  document.head.appendChild(css);

  var root = el("div", { class: "rb-root", lang: "de" });
  var launcher = el(
    "button",
    { type: "button", class: "rb-launcher", "aria-expanded": "false", "aria-controls": "rb-panel" },
    t("widget.launcher"),
  );
  var panel = el("section", { id: "rb-panel", class: "rb-panel", "aria-labelledby": "rb-title" });
  panel.hidden = true;

  var header = el("header", { class: "rb-header" });
  var heading = el("div", { class: "rb-heading" });
  heading.appendChild(el("h2", { id: "rb-title" }, t("widget.title")));
  heading.appendChild(el("p", { class: "rb-subtitle" }, t("widget.subtitle")));
  var closeButton = el("button", { type: "button", class: "rb-close", "aria-label": t("widget.close") }, "×");
  var tools = el("div", { class: "rb-tools" });
  var restartButton = el("button", { type: "button", class: "rb-tool" }, t("widget.restart"));
  var deleteButton = el("button", { type: "button", class: "rb-tool" }, t("widget.delete_data"));
  tools.appendChild(restartButton);
  tools.appendChild(deleteButton);
  header.appendChild(heading);
  header.appendChild(closeButton);
  header.appendChild(tools);

  var log = el("ol", { class: "rb-log", "aria-label": t("widget.log"), tabindex: "0" });
  var typing = el("p", { class: "rb-typing", "aria-hidden": "true" }, t("widget.typing"));
  typing.hidden = true;
  var live = el("div", { class: "rb-sr-only rb-live", "aria-live": "polite", "aria-relevant": "additions" });
  var status = el("p", { class: "rb-status", role: "status" });

  var form = el("form", { class: "rb-form", novalidate: "" });
  var label = el("label", { for: "rb-input", class: "rb-sr-only" }, t("widget.input_label"));
  var input = el("input", {
    id: "rb-input",
    class: "rb-input",
    type: "text",
    maxlength: String(MAX_LENGTH),
    autocomplete: "off",
    placeholder: t("widget.placeholder"),
    "aria-describedby": "rb-hint",
  });
  var sendButton = el("button", { type: "submit", class: "rb-send" }, t("widget.send"));
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
  // transcript entries: { who: "bot" | "user" | "note", text, buttons?, answer?, feedback?, rated? }
  var sessionId = store.get(KEY_SESSION, null);
  var transcript = store.get(KEY_TRANSCRIPT, []);
  var confirmedSession = null;
  var pending = []; // messages waiting for session_confirm
  var replyTimer = null;
  var repliesSinceSend = []; // the bot's entries since the person last sent something

  function save() {
    store.set(KEY_SESSION, sessionId);
    store.set(KEY_TRANSCRIPT, transcript);
  }

  // To the newest message; but a comment being written stays in view.
  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
    var active = document.activeElement;
    if (active && active.classList.contains("rb-comment-input") && log.contains(active)) {
      var box = active.closest(".rb-comment").getBoundingClientRect();
      var view = log.getBoundingClientRect();
      if (box.top < view.top) log.scrollTop -= view.top - box.top + 8;
    }
  }

  function removeAll(selector) {
    Array.prototype.forEach.call(log.querySelectorAll(selector), function (node) {
      node.parentNode.removeChild(node);
    });
  }

  // --- "Hilfreich? 👍 👎" under an answer from the page -------------------------------
  // One tap sends the feedback intent as a payload; the chat shows the button's name. After 👎
  // an optional comment. Feedback never interrupts: the answer's quick replies stay.
  function feedbackPayload(helpful, comment) {
    var payload = FEEDBACK + '{"helpful": ' + (helpful ? "true" : "false");
    if (comment) payload += ', "comment": ' + JSON.stringify(comment);
    return payload + "}";
  }

  function sendFeedback(helpful, comment) {
    var shown = comment || (helpful ? t("widget.feedback.yes_sent") : t("widget.feedback.no_sent"));
    send(feedbackPayload(helpful, comment), shown, { feedback: true });
  }

  function commentForm() {
    var id = uniqueId("rb-comment-");
    var box = el("form", { class: "rb-comment", novalidate: "" });
    box.appendChild(el("label", { for: id }, t("widget.feedback.comment_label", { limit: MAX_COMMENT })));
    var field = el("input", { id: id, class: "rb-comment-input", type: "text", maxlength: String(MAX_COMMENT), autocomplete: "off" });
    var row = el("div", { class: "rb-comment-row" });
    row.appendChild(field);
    row.appendChild(el("button", { type: "submit", class: "rb-comment-send" }, t("widget.feedback.comment_send")));
    var skip = el("button", { type: "button", class: "rb-comment-skip" }, t("widget.feedback.comment_skip"));
    box.appendChild(row);
    box.appendChild(skip);
    function close() {
      if (box.parentNode) box.parentNode.removeChild(box);
      input.focus();
    }
    box.addEventListener("submit", function (event) {
      event.preventDefault();
      // whitespace folded, at most 200 characters (counted as characters, not UTF-16 units)
      var comment = Array.from(field.value.replace(/\s+/g, " ").trim()).slice(0, MAX_COMMENT).join("");
      close();
      if (comment) sendFeedback(false, comment);
    });
    skip.addEventListener("click", close);
    return { box: box, field: field };
  }

  function feedbackGroup(entry) {
    var questionId = uniqueId("rb-feedback-");
    var group = el("div", { class: "rb-feedback", role: "group", "aria-labelledby": questionId });
    group.appendChild(el("span", { id: questionId, class: "rb-feedback-question" }, t("widget.feedback.question")));
    [
      { helpful: true, label: t("widget.feedback.yes"), name: t("widget.feedback.yes_name") },
      { helpful: false, label: t("widget.feedback.no"), name: t("widget.feedback.no_name") },
    ].forEach(function (choice) {
      // the name read aloud contains the visible word ("Ja"); the emoji is not read
      var b = el("button", { type: "button", class: "rb-feedback-button", "aria-label": choice.name }, choice.label);
      b.addEventListener("click", function () {
        entry.rated = true;
        save();
        // the buttons give way to the comment field (after 👎) or go; focus moves on, never lost
        var comment = choice.helpful ? null : commentForm();
        if (comment) group.parentNode.replaceChild(comment.box, group);
        else group.parentNode.removeChild(group);
        sendFeedback(choice.helpful);
        (comment ? comment.field : input).focus();
      });
      group.appendChild(b);
    });
    return group;
  }

  // --- one message in the log ----------------------------------------------------------
  function renderEntry(entry, withSuggestions) {
    var kind = entry.who === "bot" && isAnswer(entry.answer) ? String(entry.answer.kind).replace(/[^a-z]/g, "") : "";
    var item = el("li", { class: "rb-msg rb-" + entry.who + (kind ? " rb-kind-" + kind : "") });
    if (entry.who !== "note") item.appendChild(el("span", { class: "rb-sr-only" }, (entry.who === "user" ? t("widget.you") : t("widget.bot")) + " "));
    var body = el("div", { class: "rb-body" });
    if (entry.who === "bot" && isAnswer(entry.answer)) renderAnswer(body, entry.answer, entry.text);
    else if (entry.who === "bot") renderText(body, entry.text);
    else body.appendChild(el("p", {}, entry.text));
    item.appendChild(body);
    if (entry.who === "bot" && isAnswer(entry.answer) && entry.answer.kind === "fact" && !entry.rated) {
      item.appendChild(feedbackGroup(entry));
    }
    if (withSuggestions && entry.buttons && entry.buttons.length) {
      var group = el("div", { class: "rb-suggestions", role: "group", "aria-label": t("widget.suggestions") });
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
  function announce(item) {
    var body = item.querySelector(".rb-body");
    var prefix = item.classList.contains("rb-bot") ? t("widget.bot") + " " : "";
    live.appendChild(el("p", {}, prefix + (body ? body.innerText || body.textContent : "")));
  }

  function add(entry, options) {
    transcript.push(entry);
    save();
    var item = renderEntry(entry, true);
    if (options && options.announce) announce(item);
    return item;
  }

  // The quick replies still on offer: those of the last bot message with buttons, unless the
  // person has written something since (feedback does not count).
  function liveSuggestions() {
    for (var i = transcript.length - 1; i >= 0; i -= 1) {
      var entry = transcript[i];
      if (entry.who === "user" && !entry.feedback) return -1;
      if (entry.who === "bot" && entry.buttons && entry.buttons.length) return i;
    }
    return -1;
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(replyTimer);
    if (on) {
      replyTimer = setTimeout(function () {
        typing.hidden = true;
        add({ who: "note", text: t("widget.no_reply") }, { announce: true });
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
    status.textContent = t("widget.offline");
    showTyping(false);
  });
  socket.on("session_confirm", function (id) {
    confirmedSession = id;
    flush();
  });
  socket.on("bot_uttered", function (message) {
    showTyping(false);
    message = message && typeof message === "object" ? message : {};
    var text = typeof message.text === "string" ? message.text : "";
    var answer = isAnswer(message.answer) ? message.answer : null;
    var buttons = (message.quick_replies || message.buttons || [])
      .filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string";
      })
      .map(function (b) {
        return { title: b.title, payload: b.payload };
      });
    if (!text && !answer && !buttons.length) return;
    if (buttons.length) removeAll(".rb-suggestions");
    var entry = { who: "bot", text: text, buttons: buttons };
    if (answer) entry.answer = answer;
    repliesSinceSend.push(entry);
    add(entry, { announce: true });
  });
  // After "Ja, alles löschen" the bot answers (utter_data_deleted), then the server confirms the
  // deletion: the transcript goes, that answer stays in view, and a new session begins.
  socket.on("session_deleted", function (result) {
    if (!result || !result.deleted) return; // the bot has said what went wrong (utter_delete_failed)
    var reply = repliesSinceSend[repliesSinceSend.length - 1];
    sessionId = newSessionId();
    transcript = [];
    repliesSinceSend = [];
    log.textContent = "";
    if (reply) {
      transcript.push(reply);
      renderEntry(reply, false);
    }
    save();
    requestSession();
  });

  function send(message, shownAs, options) {
    var feedback = Boolean(options && options.feedback);
    if (!feedback) {
      removeAll(".rb-suggestions");
      removeAll(".rb-comment");
    }
    repliesSinceSend = [];
    live.textContent = "";
    if (shownAs !== null) {
      var entry = { who: "user", text: shownAs === undefined ? message : shownAs };
      if (feedback) entry.feedback = true;
      add(entry);
    }
    pending.push(message);
    showTyping(true);
    flush();
  }

  function startConversation() {
    sessionId = newSessionId();
    transcript = [];
    repliesSinceSend = [];
    log.textContent = "";
    live.textContent = "";
    save();
    add({ who: "note", text: t("widget.privacy") });
    if (socket.connected) requestSession();
    send("/greet", null);
  }

  // --- controls -----------------------------------------------------------------
  function updateHint() {
    var left = MAX_LENGTH - input.value.length;
    hint.textContent =
      left <= 0 ? t("widget.limit_reached", { limit: MAX_LENGTH }) : left <= 50 ? t("widget.remaining", { count: left }) : "";
  }

  input.addEventListener("input", updateHint);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    updateHint();
    send(text); // longer than the server allows: the bot answers with utter_message_too_long
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
  // The bot asks back (utter_confirm_delete: "Ja, alles löschen" / "Nein, behalten"), as when the
  // person writes it: one way to delete, with the bot's own words on every channel.
  deleteButton.addEventListener("click", function () {
    if (!socket.connected) socket.connect();
    send(DELETE_REQUEST, t("widget.delete_data"));
  });

  // --- start ----------------------------------------------------------------------
  function mount() {
    document.body.appendChild(root);
    var restored = sessionId && transcript.length;
    if (restored) {
      var suggestions = liveSuggestions();
      transcript.forEach(function (entry, index) {
        renderEntry(entry, index === suggestions);
      });
    }
    setOpen(store.get(KEY_OPEN, START_OPEN), false);
    socket.connect();
    if (!restored) startConversation();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})(RUECKENBOT_TEXTS, RUECKENBOT_PLAIN_SECTIONS);
