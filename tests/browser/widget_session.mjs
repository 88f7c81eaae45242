// Drives the chat widget in Debian's headless Chromium (playwright-core, no downloaded browser)
// against a running bot, and prints what it saw as JSON for tests/browser/test_widget.py to judge.
//
// env: BOT_URL (the bot's origin), ARTIFACTS (screenshot folder), CHROMIUM (default /usr/bin/chromium),
//      TEXTS (JSON: the interface texts the session looks for, from interface_texts.yml and domain.yml)
// protocol on stdout: "CHECKPOINT <json>" then waits for one line on stdin (pytest looks at the
// tracker store meanwhile); at the end "OBSERVATIONS <json>".
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { join } from "node:path";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const BOT_URL = process.env.BOT_URL;
const ARTIFACTS = process.env.ARTIFACTS;
const ORIGIN = new URL(BOT_URL).origin;
const WS_ORIGIN = ORIGIN.replace(/^http/, "ws");
const TIMEOUT = 60000;
const TEXTS = JSON.parse(process.env.TEXTS);
const obs = { foreignRequests: [], requests: 0, websockets: 0, pollingRequests: 0, dialogs: [], pageErrors: [], steps: [] };
const stdin = createInterface({ input: process.stdin });
const lines = stdin[Symbol.asyncIterator]();

async function checkpoint(data) {
  console.log("CHECKPOINT " + JSON.stringify(data));
  await lines.next();
}

function step(name) {
  obs.steps.push(name);
  console.error("step: " + name);
}

async function newPage(browser, options) {
  const context = await browser.newContext({ locale: "de-DE", ...options });
  // Anything that is not the bot's origin is recorded and never sent.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    obs.requests += 1;
    if (url.includes("/socket.io/") && url.includes("transport=polling")) obs.pollingRequests += 1;
    if (url.startsWith(ORIGIN + "/") || url.startsWith("data:")) return route.continue();
    obs.foreignRequests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("websocket", (ws) => {
    obs.requests += 1;
    obs.websockets += 1;
    if (!ws.url().startsWith(WS_ORIGIN + "/")) obs.foreignRequests.push(ws.url());
  });
  page.on("dialog", async (dialog) => {
    obs.dialogs.push({ type: dialog.type(), message: dialog.message() });
    if (dialog.type() === "confirm") await dialog.accept();
    else await dialog.dismiss();
  });
  page.on("pageerror", (error) => obs.pageErrors.push(String(error)));
  page.setDefaultTimeout(TIMEOUT);
  return { context, page };
}

const botCount = (page) => page.locator(".rb-msg.rb-bot").count();

// Wait for the bot's reply to the last message: a new bot message, then quiet for a moment.
async function waitForReply(page, before, predicate = "") {
  await page.waitForFunction(
    ([n, needle]) => {
      const bots = [...document.querySelectorAll(".rb-msg.rb-bot")].slice(n);
      return bots.length > 0 && (!needle || bots.some((b) => b.textContent.includes(needle)));
    },
    [before, predicate],
    { timeout: TIMEOUT },
  );
  await page.waitForTimeout(400);
  return page.$$eval(".rb-msg.rb-bot", (nodes, n) => nodes.slice(n).map((b) => b.innerText), before);
}

async function axe(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
}

async function layout(page) {
  return page.evaluate(() => {
    const box = (sel) => {
      const r = document.querySelector(sel).getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
    };
    const input = document.querySelector(".rb-input").getBoundingClientRect();
    const hit = document.elementFromPoint(input.left + input.width / 2, input.top + input.height / 2);
    return {
      viewport: { width: window.innerWidth, height: window.innerHeight },
      scrollWidth: document.scrollingElement.scrollWidth,
      panel: box(".rb-panel"),
      input: box(".rb-input"),
      send: box(".rb-send"),
      inputReachable: hit === document.querySelector(".rb-input"),
      panelOverflowX: document.querySelector(".rb-panel").scrollWidth - document.querySelector(".rb-panel").clientWidth,
    };
  });
}

// For the screenshots: the question at the top of the conversation, the answer below it.
async function showLastQuestion(page) {
  await page.locator(".rb-msg.rb-user").last().evaluate((m) => {
    const log = m.closest(".rb-log");
    log.scrollTop = m.offsetTop - log.offsetTop - 8;
  });
  // the panel itself never scrolls away (its header and input stay in view)
  obs.panelScrolled = (obs.panelScrolled || 0) + (await page.evaluate(() => document.querySelector(".rb-panel").scrollTop));
}

// The structure of the last message, if it is an answer (what the widget keeps in sessionStorage).
async function lastAnswer(page) {
  return page.evaluate(() => {
    const transcript = JSON.parse(sessionStorage.getItem("rueckenbot.transcript")) || [];
    const last = transcript[transcript.length - 1];
    return (last && last.answer) || null;
  });
}

async function ask(page, text) {
  const before = await botCount(page);
  await page.locator(".rb-input").fill(text);
  await page.locator(".rb-input").press("Enter");
  const typingShown = await page.locator(".rb-typing").isVisible();
  const replies = await waitForReply(page, before);
  return { typingShown, replies, structure: await lastAnswer(page) };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run"],
});
try {
  // --- desktop: the whole conversation ------------------------------------------------
  step("open the demo page");
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(BOT_URL + "/");
  await waitForReply(page, 0, "Rückenbot");
  await page.locator(".rb-suggestion").first().waitFor();
  obs.opening = {
    texts: await page.$$eval(".rb-msg", (n) => n.map((m) => m.innerText)),
    buttons: await page.$$eval(".rb-suggestion", (n) => n.map((b) => b.textContent)),
    panelVisible: await page.locator(".rb-panel").isVisible(),
  };
  // every interface text the page shows or reads aloud, to compare with interface_texts.yml
  obs.interface = await page.evaluate(() => {
    const q = (sel) => document.querySelector(sel);
    const tools = [...document.querySelectorAll(".rb-tool")].map((b) => b.textContent);
    return {
      launcher: q(".rb-launcher").textContent,
      title: q("#rb-title").textContent,
      subtitle: q(".rb-subtitle").textContent,
      restart: tools[0],
      delete_data: tools[1],
      close: q(".rb-close").getAttribute("aria-label"),
      log: q(".rb-log").getAttribute("aria-label"),
      input_label: q("label[for=rb-input]").textContent,
      placeholder: q(".rb-input").placeholder,
      send: q(".rb-send").textContent,
      typing: q(".rb-typing").textContent,
      suggestions: q(".rb-suggestions").getAttribute("aria-label"),
      privacy: q(".rb-note").innerText,
      you: null, // no message of the person yet: read after the first question
      bot: q(".rb-msg.rb-bot .rb-sr-only").textContent,
      demo_page: {
        title: document.title,
        heading: q("h1").textContent,
        intro: q("#demo-intro").textContent,
        note: q("#demo-note").textContent,
      },
    };
  });
  obs.storage = await page.evaluate(() => ({
    sessionId: JSON.parse(sessionStorage.getItem("rueckenbot.session")),
    localStorageKeys: Object.keys(localStorage),
    pageText: document.body.innerText,
    html: document.documentElement.outerHTML,
  }));
  obs.axeDesktop = await axe(page);

  step("ask Hilft Akupunktur?");
  const answer = await ask(page, "Hilft Akupunktur?");
  obs.answer = {
    ...answer,
    live: await page.locator(".rb-live").innerText(),
    sourceLinks: await page.$$eval(".rb-msg.rb-bot .rb-source a", (links) =>
      links.map((a) => {
        a.scrollIntoView({ block: "center" });
        const r = a.getClientRects()[0];
        const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 20), r.top + r.height / 2);
        return { href: a.href, text: a.innerText, target: a.target, rel: a.rel, clickable: a.contains(hit) || hit === a };
      }),
    ),
    ...(await page.locator(".rb-msg.rb-bot").last().evaluate((m) => ({
      classes: m.className,
      source: m.querySelector(".rb-source") && m.querySelector(".rb-source").textContent,
      disclaimer: m.querySelector(".rb-disclaimer") && m.querySelector(".rb-disclaimer").innerText,
      bodyText: m.querySelector(".rb-body").innerText,
      feedback: [...m.querySelectorAll(".rb-feedback")].map((g) => ({
        role: g.getAttribute("role"),
        name: document.getElementById(g.getAttribute("aria-labelledby")).textContent,
        buttons: [...g.querySelectorAll("button")].map((b) => ({
          type: b.type,
          name: b.getAttribute("aria-label"),
          shown: b.textContent,
        })),
      })),
    }))),
  };
  // the end of the answer: its source link, disclaimer, "Hilfreich? 👍 👎" and the next questions
  await page.locator(".rb-log").evaluate((log) => {
    log.scrollTop = log.scrollHeight;
  });
  await page.screenshot({ path: join(ARTIFACTS, "widget-desktop.png") });

  step("feedback: tap 👍");
  {
    const before = await botCount(page);
    const suggestionsBefore = await page.locator(".rb-suggestion").count();
    await page.locator(".rb-msg.rb-bot").last().getByRole("button", { name: TEXTS.yes_name }).click();
    const replies = await waitForReply(page, before);
    obs.thumbsUp = {
      lastUser: await page.locator(".rb-msg.rb-user .rb-body").last().innerText(),
      replies,
      live: await page.locator(".rb-live").innerText(),
      focused: await page.evaluate(() => document.activeElement.id),
      groupsLeft: await page.locator(".rb-feedback").count(),
      suggestionsBefore,
      suggestionsAfter: await page.locator(".rb-suggestion").count(),
    };
    obs.interface.you = await page.locator(".rb-msg.rb-user .rb-sr-only").first().textContent();
  }

  step("tap a quick reply");
  const suggestion = page.locator(".rb-suggestion").first();
  const title = await suggestion.textContent();
  const before = await botCount(page);
  await suggestion.click();
  const quickReplies = await waitForReply(page, before);
  obs.quickReply = {
    title,
    lastUser: await page.locator(".rb-msg.rb-user").last().innerText(),
    replies: quickReplies,
    structure: await lastAnswer(page),
    focused: await page.evaluate(() => document.activeElement.className),
  };

  step("feedback by keyboard: 👎 and a comment");
  {
    // from the input backwards (Shift+Tab) to the 👎 under the answer
    await page.locator(".rb-input").focus();
    const path = [];
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press("Shift+Tab");
      const name = await page.evaluate(() => document.activeElement.getAttribute("aria-label") || document.activeElement.textContent.trim());
      path.push(name);
      if (name === TEXTS.no_name) break;
    }
    let before = await botCount(page);
    await page.keyboard.press("Enter");
    const focusedField = await page.evaluate(() => ({
      className: document.activeElement.className,
      label: document.activeElement.labels && document.activeElement.labels[0] ? document.activeElement.labels[0].textContent : null,
      maxLength: document.activeElement.maxLength,
      buttons: [...document.activeElement.closest(".rb-comment").querySelectorAll("button")].map((b) => b.textContent),
    }));
    const thanks = await waitForReply(page, before);
    await page.screenshot({ path: join(ARTIFACTS, "widget-feedback-comment.png") });
    const afterTap = {
      lastUser: await page.locator(".rb-msg.rb-user .rb-body").last().innerText(),
      focused: await page.evaluate(() => document.activeElement.className),
      fieldVisible: await page.locator(".rb-comment-input").isVisible(),
    };
    before = await botCount(page);
    await page.keyboard.type(TEXTS.comment);
    await page.keyboard.press("Enter");
    const commentReplies = await waitForReply(page, before);
    obs.thumbsDown = {
      path,
      focusedField,
      thanks,
      afterTap,
      commentUser: await page.locator(".rb-msg.rb-user .rb-body").last().innerText(),
      commentReplies,
      focusedAfterComment: await page.evaluate(() => document.activeElement.id),
      formsLeft: await page.locator(".rb-comment").count(),
      suggestionsLeft: await page.locator(".rb-suggestion").count(),
    };
  }

  step("reload");
  const transcript = await page.$$eval(".rb-msg", (n) => n.map((m) => m.innerText));
  await page.reload();
  await page.locator(".rb-msg").nth(transcript.length - 1).waitFor();
  obs.reload = {
    before: transcript,
    after: await page.$$eval(".rb-msg", (n) => n.map((m) => m.innerText)),
    sessionId: await page.evaluate(() => JSON.parse(sessionStorage.getItem("rueckenbot.session"))),
    live: await page.locator(".rb-live").innerText(),
  };
  // the kept conversation goes on with the same sender: a follow-up uses its context
  obs.reload.followUp = await ask(page, "Wer zahlt das?");

  step("XSS");
  const payload = '<img src=x onerror="window.__xss=1;alert(1)">';
  const xss = await ask(page, payload);
  obs.xss = {
    payload,
    lastUser: await page.locator(".rb-msg.rb-user .rb-body").last().textContent(),
    images: await page.locator(".rb-root img").count(),
    flag: await page.evaluate(() => window.__xss === 1),
    replies: xss.replies,
  };

  step("an emergency: shown as sent, nothing added");
  {
    const before = await botCount(page);
    await page.locator(".rb-input").fill(TEXTS.emergency);
    await page.locator(".rb-input").press("Enter");
    await waitForReply(page, before);
    obs.safety = await page.locator(".rb-msg.rb-bot").last().evaluate((m) => ({
      classes: m.className,
      text: m.querySelector(".rb-body").innerText,
      feedback: m.querySelectorAll(".rb-feedback").length,
      links: m.querySelectorAll("a").length,
      buttons: m.querySelectorAll("button").length,
    }));
  }

  step("input length");
  await page.locator(".rb-input").fill("x".repeat(1200));
  obs.length = {
    value: (await page.locator(".rb-input").inputValue()).length,
    hint: await page.locator(".rb-hint").innerText(),
  };
  await page.locator(".rb-input").fill("");

  step("delete my data");
  const sessionId = obs.reload.sessionId;
  await checkpoint({ sessionId });
  const beforeDelete = await botCount(page);
  await page.locator(".rb-tool", { hasText: TEXTS.delete_data }).click();
  const question = await waitForReply(page, beforeDelete);
  const asked = {
    lastUser: await page.locator(".rb-msg.rb-user .rb-body").last().innerText(),
    question,
    buttons: await page.$$eval(".rb-suggestion", (n) => n.map((b) => b.textContent)),
  };
  await page.locator(".rb-suggestion", { hasText: TEXTS.delete_yes }).click();
  await page.waitForFunction((old) => JSON.parse(sessionStorage.getItem("rueckenbot.session")) !== old, sessionId);
  await page.waitForTimeout(300);
  obs.deletion = {
    sessionId,
    asked,
    messages: await page.$$eval(".rb-msg", (n) => n.map((m) => m.innerText)),
    bodies: await page.$$eval(".rb-msg .rb-body", (n) => n.map((m) => m.innerText)),
    live: await page.locator(".rb-live").innerText(),
    newSessionId: await page.evaluate(() => JSON.parse(sessionStorage.getItem("rueckenbot.session"))),
    transcript: await page.evaluate(() => JSON.parse(sessionStorage.getItem("rueckenbot.transcript"))),
  };
  await page.waitForTimeout(300);

  step("keyboard");
  await page.getByRole("button", { name: "Neu starten" }).click();
  await waitForReply(page, 0, "Rückenbot");
  await page.locator("h1").click();
  const order = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press("Tab");
    order.push(
      await page.evaluate(() => {
        const e = document.activeElement;
        return e.getAttribute("aria-label") || e.textContent.trim().slice(0, 40) || e.className;
      }),
    );
  }
  await page.locator(".rb-input").focus();
  await page.keyboard.press("Shift+Tab"); // back from the input: the last quick reply
  const quickViaKeyboard = await page.evaluate(() => document.activeElement.className);
  const beforeKey = await botCount(page);
  await page.keyboard.press("Enter");
  await waitForReply(page, beforeKey);
  await page.keyboard.press("Escape");
  const closed = { panelHidden: await page.locator(".rb-panel").isHidden(), focused: await page.evaluate(() => document.activeElement.className) };
  await page.keyboard.press("Enter");
  const reopened = { panelVisible: await page.locator(".rb-panel").isVisible(), focused: await page.evaluate(() => document.activeElement.id) };
  obs.keyboard = { order, quickViaKeyboard, closed, reopened };
  await context.close();

  // --- phone width and 200 % zoom -----------------------------------------------------
  for (const [name, options] of [
    ["phone", { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
    ["zoom200", { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 }],
  ]) {
    step(name);
    const { context: ctx, page: p } = await newPage(browser, options);
    await p.goto(BOT_URL + "/");
    await waitForReply(p, 0, "Rückenbot");
    await p.locator(".rb-suggestion").first().waitFor();
    const result = { layoutOpening: await layout(p), axe: await axe(p) };
    result.answer = await ask(p, "Hilft Akupunktur?");
    result.layout = await layout(p);
    await showLastQuestion(p);
    if (name === "phone") await p.screenshot({ path: join(ARTIFACTS, "widget-phone.png") });
    else await p.screenshot({ path: join(ARTIFACTS, "widget-zoom200.png") });
    obs[name] = result;
    await ctx.close();
  }
} finally {
  await browser.close();
  stdin.close();
}
console.log("OBSERVATIONS " + JSON.stringify(obs));
