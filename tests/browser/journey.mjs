// The ReviewWatch shopper's journey in a real browser (Debian's Chromium, headless, driven by
// playwright-core). Started by run.sh, which provides a running portal and these variables:
//   PORTAL_URL      the portal, e.g. http://127.0.0.1:43121
//   DATA_DIR        its data folder (mail is written to DATA_DIR/mail as .eml files)
//   WORK_DIR        a scratch folder for the browser profile and generated files
//   SCREENSHOT_DIR  where the documentation screenshots go (docs/screenshots)
//   CHROMIUM        the browser binary (/usr/bin/chromium)
// Each check prints one line; the last line is `browser journey: N passed, M failed`.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

const PORTAL = need("PORTAL_URL").replace(/\/$/, "");
const DATA_DIR = need("DATA_DIR");
const WORK_DIR = need("WORK_DIR");
const SHOTS = need("SCREENSHOT_DIR");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FAILURES = path.join(WORK_DIR, "failures");
const MAIL_DIR = path.join(DATA_DIR, "mail");

// The portal refuses a report sent sooner than MIN_FORM_SECONDS (default 3) after the form was
// shown; the journey waits like a person would, a little longer than that.
const MIN_FORM_MS = 1000 * Number(process.env.MIN_FORM_SECONDS ?? 3) + 500;
const CASE_NUMBER_RE = /^RW-\d{4}-\d{6}$/;
const RECEIPT_CODE_RE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/;
const VIEWPORT = { width: 1280, height: 900 };
const BUDGET_MS = 180000; // the whole browser part; every step has its own, shorter timeouts too

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`journey.mjs: ${name} is not set (start it through run.sh)`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Steps: one line each; a failing step ends its part of the journey, the other parts still run.

let passed = 0;
let failed = 0;
let skipped = 0;
let current = null; // the page to photograph if a step fails
class Stop extends Error {}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/// Runs one check. A failing step ends its part of the journey, unless `soft`: then the part goes
/// on (a later step can recover what it needs), so that one fault does not hide the next.
async function step(name, fn, { soft = false } = {}) {
  const t0 = Date.now();
  try {
    const note = await fn();
    passed++;
    console.log(`  ok    ${name}${note ? ` — ${note}` : ""} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`  FAIL  ${name}\n        ${String(e && e.message ? e.message : e).split("\n").join("\n        ")}`);
    if (current && !current.isClosed()) {
      fs.mkdirSync(FAILURES, { recursive: true });
      const file = path.join(FAILURES, `${passed + failed}-${name.replace(/[^\w]+/g, "-").slice(0, 60)}.png`);
      await current.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`        page: ${current.url()}`);
    }
    if (!soft) throw new Stop();
    return false;
  }
  return true;
}

function skip(name, why) {
  skipped++;
  console.log(`  skip  ${name} — ${why}`);
}

async function part(title, fn) {
  console.log(title);
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof Stop)) {
      failed++;
      console.log(`  FAIL  ${title}: ${e && e.stack ? e.stack : e}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true, animations: "disabled" });
}

/// More screenshots for a person reviewing the pages, only when EXTRA_SCREENSHOT_DIR is set.
async function extraShot(page, name) {
  const dir = process.env.EXTRA_SCREENSHOT_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name), fullPage: true, animations: "disabled" });
}

async function htmlLang(page) {
  return page.locator("html").getAttribute("lang");
}

async function optionsOf(page, selector) {
  return page.locator(`${selector} option`).evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent.trim() })));
}

/// Waits, at most MIN_FORM_MS, until the form has been on screen as long as a person would need.
async function waitLikeAPerson(shownAt) {
  const left = shownAt + MIN_FORM_MS - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, Math.min(left, MIN_FORM_MS)));
}

function chinaDaysAgo(days) {
  return new Date(Date.now() + 8 * 3600e3 - days * 86400e3).toISOString().slice(0, 10);
}

/// Watches a page for script errors and for broken assets, reported in a step of their own.
const trouble = [];
function watch(page, label) {
  page.on("pageerror", (e) => trouble.push(`${label}: script error on ${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    // Chromium logs every 4xx answer to a script's request; the refused upload's 422 is expected.
    if (m.type() === "error" && !(/status of 422/.test(m.text()) && /\/reports$/.test(m.location().url || ""))) {
      trouble.push(`${label}: console error on ${page.url()}: ${m.text()}`);
    }
  });
  page.on("requestfailed", (r) => {
    const why = r.failure()?.errorText || "";
    // A navigation that replaces a page aborts what that page was still loading: not a fault.
    if (!/ERR_ABORTED/.test(why)) trouble.push(`${label}: request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on("response", (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && (u.pathname.startsWith("/static/") || u.pathname.startsWith("/track/case/evidence/"))) {
      trouble.push(`${label}: ${r.status()} for ${u.pathname}`);
    }
  });
  return page;
}

// ---------------------------------------------------------------------------------------------
// Evidence: two real screenshots, drawn by the browser at run time (nothing binary is committed).

function evidenceHtml(kind) {
  const body =
    kind === "card"
      ? `<div class="card"><h1>好评返现</h1><p>亲爱的顾客，感谢您的支持！</p>
         <p class="big">五星好评 + 15 字以上 + 3 张图</p><p>截图发给客服，立返 <b>5 元红包</b></p>
         <p class="small">联系客服领取 · 阿强数码旗舰店</p></div>`
      : `<div class="list"><h2>商品评价 (2000+)</h2>
         ${["质量非常好，物流很快，五星好评！", "质量非常好，物流很快，五星好评！！", "非常好，物流很快，好评！", "质量非常好，五星好评！"]
           .map((t, i) => `<div class="rv"><span class="u">用户 ${"*".repeat(3)}${i + 7}</span><span class="s">★★★★★</span><p>${t}</p></div>`)
           .join("")}</div>`;
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>
    body { margin: 0; width: 720px; height: 540px; font-family: "Noto Sans CJK SC", sans-serif; background: #fafafa; }
    .card { margin: 40px; height: 460px; background: linear-gradient(160deg, #e4393c, #ff7a45); color: #fff; border-radius: 24px; padding: 30px; box-sizing: border-box; text-align: center; }
    .card h1 { font-size: 64px; margin: 10px 0 20px; } .card p { font-size: 26px; margin: 12px 0; } .big { font-size: 34px !important; font-weight: 700; }
    .small { opacity: .85; font-size: 20px !important; margin-top: 40px !important; }
    .list { padding: 24px 32px; } .list h2 { font-size: 28px; margin: 0 0 12px; }
    .rv { background: #fff; border-radius: 10px; padding: 12px 16px; margin: 10px 0; box-shadow: 0 1px 3px rgba(0,0,0,.1); font-size: 20px; }
    .u { color: #888; margin-right: 12px; } .s { color: #f5a623; } .rv p { margin: 6px 0 0; }
  </style><body>${body}</body></html>`;
}

async function makeEvidence(browser) {
  const page = await browser.newPage({ viewport: { width: 720, height: 540 } });
  const files = [];
  for (const [kind, name] of [["card", "好评返现卡.png"], ["list", "商品评价截图.png"]]) {
    await page.setContent(evidenceHtml(kind));
    const file = path.join(WORK_DIR, name);
    await page.screenshot({ path: file, type: "png" });
    const head = fs.readFileSync(file).subarray(0, 8);
    check(head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${name} is not a PNG`);
    files.push(file);
  }
  await page.close();
  const fake = path.join(WORK_DIR, "fake.png");
  fs.writeFileSync(fake, "这不是图片，只是一段文字。This is a text file, not a PNG.\n");
  return { images: files, fake };
}

// ---------------------------------------------------------------------------------------------
// Mail: the portal writes each message as an .eml file; a small MIME reader is enough for it.

function decodeBody(body, encoding) {
  const enc = (encoding || "7bit").toLowerCase();
  if (enc === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (enc === "quoted-printable") {
    const soft = body.replace(/=\r?\n/g, "");
    const bytes = [];
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
        bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(soft[i], "utf8"));
      }
    }
    return Buffer.from(bytes).toString("utf8");
  }
  return body;
}

function decodeWords(value) {
  // Whitespace between two encoded words is not part of the text (RFC 2047, 6.2).
  const joined = value.replace(/(\?=)\s+(?==\?)/g, "$1");
  return joined.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset, kind, text) =>
    kind.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : decodeBody(text.replace(/_/g, " "), "quoted-printable"),
  );
}

/// Parses a MIME entity into { headers, parts: [{ type, text }] } (leaf parts, depth first).
function parseMime(raw) {
  const text = raw.replace(/\r\n/g, "\n");
  const cut = text.indexOf("\n\n");
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? "" : text.slice(cut + 2);
  const headers = {};
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const type = (headers["content-type"] || "text/plain").toLowerCase();
  if (type.startsWith("multipart/")) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers["content-type"])?.[1];
    check(boundary, "multipart mail without a boundary");
    const chunks = body.split(`--${boundary}`).slice(1);
    const parts = [];
    for (const chunk of chunks) {
      if (chunk.startsWith("--")) break;
      parts.push(...parseMime(chunk.replace(/^\n/, "")).parts);
    }
    return { headers, parts };
  }
  return { headers, parts: [{ type: type.split(";")[0].trim(), text: decodeBody(body, headers["content-transfer-encoding"]) }] };
}

/// Waits (at most `ms`) for a mail whose text part mentions `needle`.
async function findMail(needle, { ms = 20000, also = () => true } = {}) {
  const until = Date.now() + ms;
  let seen = 0;
  for (;;) {
    const files = fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith(".eml")) : [];
    seen = files.length;
    for (const f of files) {
      const mail = parseMime(fs.readFileSync(path.join(MAIL_DIR, f), "utf8"));
      const plain = mail.parts.find((p) => p.type === "text/plain");
      if (plain && plain.text.includes(needle) && also(mail, plain.text)) return { file: f, mail, text: plain.text };
    }
    if (Date.now() > until) throw new Error(`no mail in ${MAIL_DIR} mentions ${needle} after ${ms / 1000} s (${seen} .eml files there)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ---------------------------------------------------------------------------------------------
// The report form, filled through its widgets as a person would.

async function fillReport(page, { email, files, js }) {
  await page.selectOption("#platform", "pinduoduo");
  if (js) check(await page.locator("#platform_other").isHidden(), "the 'other platform' field shows although 拼多多 is chosen");
  await page.fill("#shop_name", "阿强数码旗舰店");
  await page.fill("#shop_url", "https://mobile.yangkeduo.com/mall_page.html?mall_id=987654321");
  await page.selectOption("#region_province", "440000");
  await page.selectOption("#region_city", "440100");
  await page.selectOption("#region_code", "440113");
  await page.fill("#product_url", "https://mobile.yangkeduo.com/goods.html?goods_id=123456789012");
  await page.check('input[name=category][value="cashback_for_review"]');
  await page.fill("#seen_on", chinaDaysAgo(2));
  await page.fill(
    "#description",
    "收到的快递里夹着一张“好评返现”卡：给五星好评并晒三张图，截图发给客服就返 5 元红包。" +
      "店铺里大量评价内容几乎一模一样（“质量非常好，物流很快，五星好评！”），明显是刷出来的。",
  );
  if (email !== undefined) await page.fill("#email", email);
  await page.setInputFiles("input[name=evidence]", files);
}

// ---------------------------------------------------------------------------------------------

// The project's flags, and only what playwright-core needs besides to drive the browser (its
// own defaults are left out): headless, the DevTools pipe, and a fresh profile in a temp dir.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const profile = fs.mkdtempSync(path.join(WORK_DIR, "chromium-profile-"));
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  ignoreDefaultArgs: true,
  args: [
    "--headless",
    "--remote-debugging-pipe",
    `--user-data-dir=${profile}`,
    "--no-startup-window",
    "--hide-scrollbars",
    ...FLAGS,
  ],
  timeout: 60000,
});
const started = Date.now();
setTimeout(() => {
  console.log(`  FAIL  the journey did not finish within ${BUDGET_MS / 1000} s`);
  console.log(`browser journey: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, BUDGET_MS).unref();

const contextOptions = {
  viewport: VIEWPORT,
  deviceScaleFactor: 1,
  locale: "zh-CN", // a zh-CN shopper's browser: Accept-Language zh-CN
  timezoneId: "Asia/Shanghai",
  baseURL: PORTAL,
};

let evidence;
const found = {}; // what one step hands the next: case number, receipt code, confirm link

try {
  await part("Shopper with JavaScript on (zh-CN)", async () => {
    const ctx = await browser.newContext(contextOptions);
    ctx.setDefaultTimeout(15000);
    const page = watch(await ctx.newPage(), "js");
    current = page;

    await step("evidence screenshots drawn at run time (2 PNGs) and a fake.png text file", async () => {
      evidence = await makeEvidence(browser);
      return evidence.images.map((f) => `${path.basename(f)} ${fs.statSync(f).size} B`).join(", ");
    });

    await step("landing page / is in Chinese with the report button", async () => {
      const res = await page.goto("/");
      check(res && res.status() === 200, `GET / answered ${res && res.status()}`);
      check((await htmlLang(page)) === "zh-CN", `<html lang> is ${await htmlLang(page)}, expected zh-CN`);
      const button = page.locator("#start-report");
      check(await button.isVisible(), "#start-report is not visible");
      const label = (await button.textContent()).trim();
      check(/[\u4e00-\u9fff]/.test(label), `the report button's label is not Chinese: ${label}`);
      await shot(page, "landing.png");
      return `button “${label}”`;
    });

    let shownAt;
    await step("the report button opens /reports/new", async () => {
      await Promise.all([page.waitForURL("**/reports/new"), page.click("#start-report")]);
      shownAt = Date.now();
      check(await page.locator("form#report-form").count() === 1, "no form#report-form on /reports/new");
      check((await htmlLang(page)) === "zh-CN", "the form is not in zh-CN");
    });

    await step("region lists narrow: 广东省 → 广州市 → 番禺区, and 福田区 is not offered", async () => {
      await page.selectOption("#region_province", "440000");
      const cities = await optionsOf(page, "#region_city");
      check(cities.some((o) => o.value === "440100" && o.text === "广州市"), "广州市 (440100) is not in the city list after 广东省");
      const foreign = cities.filter((o) => o.value && !o.value.startsWith("44"));
      check(foreign.length === 0, `the city list still offers other provinces' cities: ${foreign.slice(0, 3).map((o) => o.text).join(", ")}`);
      await page.selectOption("#region_city", "440100");
      const counties = await optionsOf(page, "#region_code");
      check(counties.some((o) => o.value === "440113" && o.text === "番禺区"), "番禺区 (440113) is not in the county list after 广州市");
      check(!counties.some((o) => o.text === "福田区"), "福田区 (Shenzhen) is still offered after choosing 广州市");
      return `${cities.length - 1} cities, ${counties.length - 1} counties`;
    });

    await step("the form takes a Chinese report with two screenshots (previews shown)", async () => {
      await fillReport(page, { email: "shopper@example.com", files: evidence.images, js: true });
      check((await page.inputValue("#region_code")) === "440113", "the county is not 番禺区 after filling the form");
      check((await page.inputValue("#region_city")) === "440100", "the city is not 广州市 after filling the form");
      const counter = (await page.locator("#description-count").textContent()).trim();
      check(/^\d+ \/ 5000$/.test(counter), `the description counter reads “${counter}”`);
      await page.waitForFunction(() => {
        const imgs = document.querySelectorAll("#evidence-preview figure img");
        return imgs.length === 2 && Array.from(imgs).every((i) => i.complete && i.naturalWidth > 0);
      });
      const bad = await page.locator("#evidence-preview figure.bad").count();
      check(bad === 0, `${bad} screenshot preview(s) marked as bad`);
      await shot(page, "report-form.png");
      return `counter “${counter}”`;
    });

    const receiptShown = await step("submitting uploads (with progress) and shows the receipt", async () => {
      await waitLikeAPerson(shownAt);
      await Promise.all([page.waitForURL("**/reports/receipt", { timeout: 30000 }), page.click("#submit-report")]);
      await page.waitForLoadState("load");
      const number = page.locator("#case-number");
      if ((await number.count()) === 0) {
        const h1 = (await page.locator("h1").first().textContent().catch(() => "")).trim();
        throw new Error(`the receipt page has no #case-number; it says “${h1}” (was the one-time receipt used up before it was shown?)`);
      }
      found.caseNumber = (await number.textContent()).trim();
      found.receiptCode = (await page.locator("#receipt-code").textContent()).trim();
      check(CASE_NUMBER_RE.test(found.caseNumber), `case number “${found.caseNumber}” is not RW-YYYY-NNNNNN`);
      check(RECEIPT_CODE_RE.test(found.receiptCode), `receipt code “${found.receiptCode}” is not XXXX-XXXX-XXXX-XXXX-XXXX`);
      await shot(page, "receipt.png");
      return `${found.caseNumber}, code ${found.receiptCode}`;
    }, { soft: true });

    const caseLink = "the receipt's case link shows the case waiting for email confirmation";
    if (!receiptShown) skip(caseLink, "no receipt was shown");
    else await step(caseLink, async () => {
      await Promise.all([page.waitForURL("**/track/case"), page.click('a[href="/track/case"]')]);
      const status = page.locator("#case-status");
      check((await status.getAttribute("data-status")) === "unconfirmed", `status is ${await status.getAttribute("data-status")}, expected unconfirmed`);
      check((await page.locator("h1").first().textContent()).includes(found.caseNumber), "the case page does not show the case number");
      return (await status.textContent()).trim();
    });

    await step("a confirmation email (.eml) holds the case number, receipt code and /confirm/ link", async () => {
      if (!receiptShown) {
        // Carry on with what the email says, so the rest of the journey is still checked.
        const { text } = await findMail("/confirm/", { also: (m) => (m.headers.to || "").includes("shopper@example.com") });
        found.caseNumber = /RW-\d{4}-\d{6}/.exec(text)?.[0];
        found.receiptCode = new RegExp(RECEIPT_CODE_RE.source.slice(1, -1)).exec(text)?.[0];
        check(found.caseNumber && found.receiptCode, "the receipt was not shown and the email names no case number and receipt code");
        console.log(`        (receipt not shown: going on with ${found.caseNumber} / ${found.receiptCode} from the email)`);
      }
      const { file, mail, text } = await findMail(found.caseNumber, { also: (_, t) => t.includes("/confirm/") });
      check(text.includes(found.receiptCode), "the confirmation email does not hold the receipt code");
      check(mail.headers.to && mail.headers.to.includes("shopper@example.com"), `the email goes to ${mail.headers.to}`);
      const subject = decodeWords(mail.headers.subject || "");
      check(subject.includes(found.caseNumber), `the subject “${subject}” does not name the case`);
      check(/[\u4e00-\u9fff]/.test(text), "the email to a zh-CN shopper has no Chinese text");
      const html = mail.parts.find((p) => p.type === "text/html");
      check(html && html.text.includes(found.receiptCode), "the HTML part is missing or lacks the receipt code");
      const link = /https?:\/\/\S+\/confirm\/[A-Za-z0-9_-]+/.exec(text)?.[0];
      check(link, "no /confirm/… link in the email's text");
      found.confirmPath = new URL(link).pathname;
      if (process.env.EXTRA_SCREENSHOT_DIR) {
        fs.mkdirSync(process.env.EXTRA_SCREENSHOT_DIR, { recursive: true });
        fs.copyFileSync(path.join(MAIL_DIR, file), path.join(process.env.EXTRA_SCREENSHOT_DIR, "confirm-mail.eml"));
        fs.writeFileSync(path.join(process.env.EXTRA_SCREENSHOT_DIR, "confirm-mail.txt"), `Subject: ${subject}\n\n${text}`);
        const view = await browser.newPage({ viewport: { width: 800, height: 600 } });
        await view.setContent(html.text);
        await extraShot(view, "confirm-mail.png");
        await view.close();
      }
      check(new URL(link).origin === PORTAL, `the link points at ${new URL(link).origin}, not the portal at ${PORTAL}`);
      return `${file}: “${subject}”`;
    });
    await ctx.close();

    // The shopper opens the email on another device: a fresh browser with no session.
    const phone = await browser.newContext(contextOptions);
    phone.setDefaultTimeout(15000);
    const p2 = watch(await phone.newPage(), "js/2");
    current = p2;

    await step("the confirmation link shows one button and confirms only when pressed", async () => {
      const res = await p2.goto(found.confirmPath);
      check(res.status() === 200, `GET ${found.confirmPath} answered ${res.status()}`);
      const form = p2.locator("form[data-action=confirm]");
      check((await form.count()) === 1, "no single form[data-action=confirm] on the link's page");
      check((await form.locator("button, input[type=submit]").count()) === 1, "the confirm form does not have exactly one button");
      check((await p2.locator("#confirm-result").count()) === 0, "opening the link already shows a result (a GET must not confirm)");
      await extraShot(p2, "confirm-ready.png");
      await Promise.all([p2.waitForLoadState("load"), p2.waitForURL("**"), form.locator("button").click()]);
      const result = p2.locator("#confirm-result");
      await result.waitFor();
      await extraShot(p2, "confirm-done.png");
      check((await result.getAttribute("data-result")) === "confirmed", `#confirm-result says ${await result.getAttribute("data-result")}`);
      return (await result.textContent()).trim();
    });

    await step("/track with case number and receipt code opens the case: 已提交, thumbnails load", async () => {
      await p2.goto("/track");
      await p2.fill("#case_number", found.caseNumber);
      await p2.fill("#receipt_code", found.receiptCode);
      await Promise.all([p2.waitForURL("**/track/case"), p2.click("#track-form button[type=submit]")]);
      const status = p2.locator("#case-status");
      check((await status.getAttribute("data-status")) === "submitted", `status is ${await status.getAttribute("data-status")}, expected submitted`);
      const text = (await status.textContent()).trim();
      check(text === "已提交", `the status reads “${text}”, expected 已提交`);
      const thumbs = p2.locator("#evidence img");
      check((await thumbs.count()) === 2, `${await thumbs.count()} evidence thumbnails, expected 2`);
      for (let i = 0; i < 2; i++) {
        await thumbs.nth(i).scrollIntoViewIfNeeded(); // they are loading="lazy"
        await thumbs.nth(i).evaluate((img) => img.complete || new Promise((r) => img.addEventListener("load", r, { once: true })));
        const w = await thumbs.nth(i).evaluate((img) => img.naturalWidth);
        check(w > 0, `evidence thumbnail ${i + 1} did not load (naturalWidth 0)`);
      }
      await p2.evaluate(() => window.scrollTo(0, 0));
      await shot(p2, "case-submitted.png");
      return text;
    });

    await step("the header link switches the case page to English", async () => {
      await Promise.all([p2.waitForURL("**/track/case"), p2.click("a.lang-switch")]);
      check((await htmlLang(p2)) === "en", `<html lang> is ${await htmlLang(p2)} after switching`);
      const text = (await p2.locator("#case-status").textContent()).trim();
      check(text === "Submitted", `the status reads “${text}” in English`);
      await extraShot(p2, "case-en.png");
      const nav = (await p2.locator(".site-nav").textContent()).replace(/\s+/g, " ").trim();
      check(!/[\u4e00-\u9fff]/.test(nav.replace((await p2.locator("a.lang-switch").textContent()).trim(), "")), `the English header still has Chinese: ${nav}`);
      return text;
    });

    await step("and back to Chinese", async () => {
      await Promise.all([p2.waitForURL("**/track/case"), p2.click("a.lang-switch")]);
      check((await htmlLang(p2)) === "zh-CN", `<html lang> is ${await htmlLang(p2)} after switching back`);
      check((await p2.locator("#case-status").textContent()).trim() === "已提交", "the status is not 已提交 after switching back");
    });

    await step("withdrawing asks for confirmation first, then the case is 已撤回", async () => {
      await Promise.all([p2.waitForLoadState("load"), p2.locator("form[data-action=withdraw] button[type=submit]").click()]);
      const confirmStep = p2.locator("#withdraw-confirm form[data-action=withdraw]");
      await confirmStep.waitFor();
      check((await p2.locator("#case-status").getAttribute("data-status")) === "submitted", "the case changed before the withdrawal was confirmed");
      await extraShot(p2, "withdraw-confirm.png");
      await p2.fill("#reason", "已与商家沟通，暂不需要处理。");
      await Promise.all([p2.waitForURL("**/track/case"), confirmStep.locator("button[type=submit]").click()]);
      const status = p2.locator("#case-status");
      await p2.waitForSelector("#case-status[data-status=withdrawn]");
      const text = (await status.textContent()).trim();
      check(text === "已撤回", `the status reads “${text}”, expected 已撤回`);
      check((await p2.locator("form[data-action=withdraw]").count()) === 0, "a withdrawn case still offers to withdraw");
      await extraShot(p2, "case-withdrawn.png");
      return text;
    });

    await step("a status email tells the shopper the case was withdrawn", async () => {
      const { mail } = await findMail(found.caseNumber, { also: (m) => decodeWords(m.headers.subject || "").includes("已撤回") });
      return decodeWords(mail.headers.subject);
    });
    await phone.close();
  });

  await part("Bad input through the page (JavaScript on)", async () => {
    const ctx = await browser.newContext(contextOptions);
    ctx.setDefaultTimeout(15000);
    const page = watch(await ctx.newPage(), "bad");
    current = page;
    if (!evidence) evidence = await makeEvidence(browser);

    await step("a text file named fake.png is refused, naming the file", async () => {
      await page.goto("/reports/new");
      const shownAt = Date.now();
      await fillReport(page, { email: "shopper@example.com", files: [evidence.fake], js: true });
      await waitLikeAPerson(shownAt);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/reports") && r.request().method() === "POST", { timeout: 30000 }),
        page.click("#submit-report"),
      ]);
      const problems = page.locator("#form-problems");
      await problems.waitFor();
      const text = (await problems.textContent()).replace(/\s+/g, " ").trim();
      check(text.includes("fake.png"), `#form-problems does not name fake.png: ${text}`);
      check(res.status() >= 400 && res.status() < 500, `the refusal answered HTTP ${res.status()}`);
      check((await page.inputValue("#shop_name")) === "阿强数码旗舰店", "the shop name was not kept after the refusal");
      check((await page.inputValue("#region_code")) === "440113", "the county was not kept after the refusal");
      await shot(page, "report-error.png");
      return `HTTP ${res.status()}: ${text.slice(0, 90)}…`;
    });

    await step("after choosing real screenshots again, the same form is accepted", async () => {
      const shownAt = Date.now(); // the refusal carries a fresh form token
      await page.setInputFiles("input[name=evidence]", evidence.images);
      await page.waitForFunction(() => document.querySelectorAll("#evidence-preview figure img").length === 2);
      await waitLikeAPerson(shownAt);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/reports") && r.request().method() === "POST", { timeout: 30000 }),
        page.waitForURL("**/reports/receipt", { timeout: 30000 }),
        page.click("#submit-report"),
      ]);
      check(res.status() === 303, `the corrected report answered HTTP ${res.status()}, expected 303 to the receipt`);
      return "previews work again after the refusal; 303 → /reports/receipt";
    });
    await ctx.close();
  });

  await part("Shopper with JavaScript off (plain form POST)", async () => {
    const ctx = await browser.newContext({ ...contextOptions, javaScriptEnabled: false });
    ctx.setDefaultTimeout(15000);
    const page = watch(await ctx.newPage(), "nojs");
    current = page;
    if (!evidence) evidence = await makeEvidence(browser);

    let shownAt;
    await step("without JavaScript the form offers every region (福田区 too)", async () => {
      await page.goto("/");
      await Promise.all([page.waitForURL("**/reports/new"), page.click("#start-report")]);
      shownAt = Date.now();
      const counties = await optionsOf(page, "#region_code");
      check(counties.some((o) => o.text === "番禺区") && counties.some((o) => o.text === "福田区"), "the plain county list lacks 番禺区 or 福田区");
      check(await page.locator("#platform_other").isVisible(), "the 'other platform' field is hidden without JavaScript");
      await extraShot(page, "nojs-form.png");
      return `${counties.length - 1} counties`;
    });

    await step("an anonymous report submits as a plain multipart POST and reaches the receipt", async () => {
      await fillReport(page, { files: evidence.images, js: false });
      await waitLikeAPerson(shownAt);
      const [req] = await Promise.all([
        page.waitForRequest((r) => r.url().endsWith("/reports") && r.method() === "POST"),
        page.waitForURL("**/reports/receipt", { timeout: 30000 }),
        page.click("#submit-report"),
      ]);
      check(req.isNavigationRequest(), "the POST was not a plain form navigation");
      check(/^multipart\/form-data/.test(req.headers()["content-type"] || ""), `the POST was sent as ${req.headers()["content-type"]}`);
      const number = (await page.locator("#case-number").textContent()).trim();
      check(CASE_NUMBER_RE.test(number), `case number “${number}” is not RW-YYYY-NNNNNN`);
      check(number !== found.caseNumber, "the second report got the first one's case number");
      check(RECEIPT_CODE_RE.test((await page.locator("#receipt-code").textContent()).trim()), "no receipt code on the receipt");
      found.anonymous = number;
      await extraShot(page, "nojs-receipt.png");
      return number;
    });

    await step("without JavaScript no button that needs it is shown (print button on the receipt)", async () => {
      const print = page.locator(".print-button");
      check((await print.count()) === 0 || (await print.isHidden()),
        "the receipt shows the print button, which does nothing without JavaScript (it has the hidden attribute, but .button's display overrides it)");
    }, { soft: true });

    await step("an anonymous report needs no confirmation: its case is 已提交", async () => {
      await Promise.all([page.waitForURL("**/track/case"), page.click('a[href="/track/case"]')]);
      const status = page.locator("#case-status");
      check((await status.getAttribute("data-status")) === "submitted", `status is ${await status.getAttribute("data-status")}, expected submitted`);
      check((await page.locator("#evidence img").count()) === 2, "the case does not list 2 evidence files");
      await extraShot(page, "nojs-case.png");
    });
    await ctx.close();
  });

  await part("Whole run", async () => {
    await step("no script errors, failed requests or broken assets on any page", async () => {
      check(trouble.length === 0, trouble.slice(0, 10).join("\n"));
    });
  });
} finally {
  await browser.close().catch(() => {});
}

console.log(`(browser steps took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`browser journey: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
