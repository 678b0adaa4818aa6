// A shopper on a phone, in a real browser (issue 16): the receipt code cannot be lost, the
// language switch never loses what was typed, every main page passes axe-core (no serious or
// critical violation) in both languages and reflows at 320 px without sideways scrolling, and a
// slow upload shows a progress bar in view that can be cancelled; nobody chooses screenshots
// twice (checks before sending, single screenshots added and removed, the good ones kept through
// a refusal, the typed form kept through a closed tab). With SCREENSHOT_DIR set, it photographs
// every main shopper page at 390 × 844 and 1440 × 900 in both languages
// (<page>-<390|1440>-<zh|en>.png).
// Started by run.sh after journey.mjs, with the same variables (PORTAL_URL, DATA_DIR, WORK_DIR,
// CHROMIUM, and SCREENSHOT_DIR); the portal writes its mail as .eml files to DATA_DIR/mail.
// Each check prints one line; the last line is `phone journey: N passed, M failed`.
import { launchChromium } from "./launch.mjs";
import { parseMime } from "./helpers.mjs";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const PORTAL = need("PORTAL_URL").replace(/\/$/, "");
const WORK_DIR = need("WORK_DIR");
const MAIL_DIR = path.join(need("DATA_DIR"), "mail");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FAILURES = path.join(WORK_DIR, "failures");
const MIN_FORM_MS = 1000 * Number(process.env.MIN_FORM_SECONDS ?? 3) + 500;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || "";
const NARROW = { width: 320, height: 640 };
const RECEIPT_CODE_RE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/;
const BUDGET_MS = SCREENSHOT_DIR ? 480000 : 300000;

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`phone.mjs: ${name} is not set (start it through run.sh)`);
  return v;
}

let passed = 0;
let failed = 0;
let current = null;
class Stop extends Error {}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, fn, { soft = false } = {}) {
  const t0 = Date.now();
  try {
    const note = await fn();
    passed++;
    console.log(`  ok    ${name}${note ? ` — ${note}` : ""} (${Date.now() - t0} ms)`);
    return true;
  } catch (e) {
    failed++;
    console.log(`  FAIL  ${name}\n        ${String(e && e.message ? e.message : e).split("\n").join("\n        ")}`);
    if (current && !current.isClosed()) {
      fs.mkdirSync(FAILURES, { recursive: true });
      const file = path.join(FAILURES, `phone-${passed + failed}-${name.replace(/[^\w]+/g, "-").slice(0, 60)}.png`);
      await current.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`        page: ${current.url()}`);
    }
    if (!soft) throw new Stop();
    return false;
  }
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

function chinaDaysAgo(days) {
  return new Date(Date.now() + 8 * 3600e3 - days * 86400e3).toISOString().slice(0, 10);
}

async function waitLikeAPerson(shownAt) {
  const left = shownAt + MIN_FORM_MS - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
}

// The leaf parts of a mail as the portal writes it (helpers.mjs reads the MIME).
const mimeParts = (raw) => parseMime(raw).parts;

/// The HTML part of the newest .eml file in the portal's mail folder whose text mentions `needle`
/// (quoted-printable or base64, as the portal writes them).
async function mailParts(needle, ms = 20000) {
  const until = Date.now() + ms;
  for (;;) {
    const files = fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith(".eml")) : [];
    for (const f of files) {
      const parts = mimeParts(fs.readFileSync(path.join(MAIL_DIR, f), "utf8"));
      if (parts.some((p) => p.type === "text/plain" && p.text.includes(needle))) return parts;
    }
    if (Date.now() > until) throw new Error(`no mail in ${MAIL_DIR} mentions ${needle}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/// A screenshot drawn by the browser at run time (nothing binary is committed).
async function makeScreenshot(browser) {
  const page = await browser.newPage({ viewport: { width: 480, height: 360 } });
  await page.setContent(`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body style="margin:0;background:#e4393c;color:#fff;font:40px sans-serif;display:grid;place-items:center;height:360px">好评返现 5 元</body></html>`);
  const file = path.join(WORK_DIR, "phone-card.png");
  await page.screenshot({ path: file, type: "png" });
  await page.close();
  return file;
}

/// A screenshot too big to send in a blink on a throttled line: random pixels do not compress
/// (about 1.4 MB at 600 × 600), drawn by the browser at run time.
async function makeLargeScreenshot(browser) {
  const page = await browser.newPage();
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 600; c.height = 600;
    const g = c.getContext("2d"), img = g.createImageData(600, 600);
    for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : Math.floor(Math.random() * 256);
    g.putImageData(img, 0, 0);
    return c.toDataURL("image/png");
  });
  await page.close();
  const file = path.join(WORK_DIR, "phone-noise.png");
  fs.writeFileSync(file, Buffer.from(dataUrl.split(",")[1], "base64"));
  return file;
}

function caseSeq(number) {
  return Number(/^RW-\d{4}-(\d{6})$/.exec(number)?.[1]);
}

const REPORT = {
  platform: "taobao",
  shopName: "手机测试小店",
  shopUrl: "https://shop123456.taobao.com",
  region: ["330000", "330100", "330110"], // 浙江省 杭州市 余杭区
  category: "cashback_for_review",
  description: "包裹里有一张好评返现卡：五星好评加三张图返 5 元红包。",
};

async function fillReport(page, { file, category = true, email }) {
  await page.selectOption("#platform", REPORT.platform);
  await page.fill("#shop_name", REPORT.shopName);
  await page.fill("#shop_url", REPORT.shopUrl);
  await page.selectOption("#region_province", REPORT.region[0]);
  await page.selectOption("#region_city", REPORT.region[1]);
  await page.selectOption("#region_code", REPORT.region[2]);
  if (category) await page.check(`input[name=category][value="${REPORT.category}"]`);
  await page.fill("#seen_on", chinaDaysAgo(1));
  await page.fill("#description", REPORT.description);
  if (email) await page.fill("#email", email);
  if (file) await page.setInputFiles("input[name=evidence]", file);
}

/// Files a report from the form and lands on the receipt; returns the case number and code.
async function fileReport(page, file, email) {
  await page.goto("/reports/new");
  const shownAt = Date.now();
  await fillReport(page, { file, email });
  await waitLikeAPerson(shownAt);
  await Promise.all([page.waitForURL("**/reports/receipt", { timeout: 30000 }), page.click("#submit-report")]);
  const number = (await page.locator("#case-number").textContent()).trim();
  const code = (await page.locator("#receipt-code").textContent()).trim();
  check(RECEIPT_CODE_RE.test(code), `receipt code “${code}”`);
  return { number, code };
}

/// The server's own refusal, as a browser that skipped the form's own checks meets it (the form
/// checks required answers and screenshots before sending; the server checks everything again).
async function skipBrowserChecks(page) {
  await page.evaluate(() => document.getElementById("report-form").removeAttribute("data-check-first"));
}

/// No sideways scrolling: the page is no wider than the window.
async function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    const wide = Array.from(document.querySelectorAll("body *"))
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""}`);
    return `${document.documentElement.scrollWidth} px wide in ${width}: ${wide.slice(0, 6).join(", ")}`;
  });
}

/// axe-core on the page as it is; the serious and critical violations, described.
async function axeProblems(page) {
  // Through the DevTools protocol, which the page's Content-Security-Policy (script-src 'self')
  // does not govern: the page itself still runs no inline script.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

const browser = await launchChromium(CHROMIUM, WORK_DIR, "phone-profile-");
const started = Date.now();
setTimeout(() => {
  console.log(`  FAIL  the phone journey did not finish within ${BUDGET_MS / 1000} s`);
  console.log(`phone journey: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, BUDGET_MS).unref();

function phoneContext(locale) {
  return browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 1,
    hasTouch: true,
    locale,
    timezoneId: "Asia/Shanghai",
    baseURL: PORTAL,
    acceptDownloads: true,
  });
}

const scriptErrors = [];
function watch(page, label) {
  page.on("pageerror", (e) => scriptErrors.push(`${label}: script error on ${page.url()}: ${e.message}`));
  return page;
}

try {
  const screenshot = await makeScreenshot(browser);

  await part("The receipt code cannot be lost (390 × 844, zh-CN)", async () => {
    const ctx = await phoneContext("zh-CN");
    ctx.setDefaultTimeout(15000);
    await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: PORTAL });
    const page = watch(await ctx.newPage(), "receipt");
    current = page;
    let receipt;
    await step("a report filed on a phone shows its receipt code, no group broken across lines", async () => {
      receipt = await fileReport(page, screenshot);
      const groups = await page.locator("#receipt-code .code-group").evaluateAll((gs) => gs.map((g) => ({ text: g.textContent, lines: g.getClientRects().length })));
      check(groups.length === 5, `${groups.length} groups`);
      const broken = groups.filter((g) => g.lines !== 1);
      check(broken.length === 0, `groups broken across lines: ${broken.map((g) => g.text).join(" ")}`);
      check((await sidewaysOverflow(page)) === null, await sidewaysOverflow(page));
      return `${receipt.number}`;
    });
    await step("a reload shows the same code", async () => {
      await page.reload();
      check((await page.locator("#receipt-code").textContent()).trim() === receipt.code, "the code changed or is gone after a reload");
    });
    await step("the copy button puts the code on the clipboard and says so", async () => {
      await page.click(".copy-button");
      await page.locator(".copy-status").filter({ hasText: /\S/ }).waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      check(copied === receipt.code, `the clipboard holds “${copied}”`);
    });
    await step("“save as image” downloads a PNG card named after the case", async () => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#receipt-card")]);
      check(download.suggestedFilename() === `${receipt.number}.png`, `file name ${download.suggestedFilename()}`);
      const file = path.join(WORK_DIR, "phone-receipt-card.png");
      await download.saveAs(file);
      const head = fs.readFileSync(file).subarray(0, 8);
      check(head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "the card is not a PNG");
    });
    await step("switching to English keeps the code shown", async () => {
      await page.click("a.lang-switch");
      await page.waitForSelector('html[lang="en"]');
      check((await page.locator("html").getAttribute("lang")) === "en", "the page is not in English");
      check((await page.locator("#receipt-code").textContent()).trim() === receipt.code, "the code is gone after switching language");
    });
    await step("after “I have saved the code” the page no longer shows it", async () => {
      await Promise.all([page.waitForURL("**/reports/receipt"), page.click("#code-saved")]);
      check((await page.locator("#receipt-code").count()) === 0, "the code is still shown");
      check(!(await page.content()).includes(receipt.code), "the page still holds the code");
      await page.reload();
      check((await page.locator("#receipt-code").count()) === 0, "the code came back after a reload");
    });
    await ctx.close();
  });

  await part("The language switch keeps a half-filled form (zh-CN → en)", async () => {
    const ctx = await phoneContext("zh-CN");
    ctx.setDefaultTimeout(15000);
    const page = watch(await ctx.newPage(), "switch");
    current = page;
    await step("a half-filled report form comes back filled in the other language", async () => {
      await page.goto("/reports/new");
      await fillReport(page, {});
      await page.click("a.lang-switch");
      await page.waitForSelector('html[lang="en"]');
      check((await page.locator("html").getAttribute("lang")) === "en", "the page is not in English");
      check((await page.inputValue("#shop_name")) === REPORT.shopName, "the shop name is lost");
      check((await page.inputValue("#description")) === REPORT.description, "the description is lost");
      check((await page.inputValue("#region_code")) === REPORT.region[2], "the county is lost");
      check(await page.isChecked(`input[name=category][value="${REPORT.category}"]`), "the category is lost");
    });
    await step("on a refused report, the switch leads back to the form (no 404) with what was typed", async () => {
      await page.evaluate(() => localStorage.clear()); // the half-filled form above is kept as a draft
      await page.goto("/reports/new");
      const shownAt = Date.now();
      await fillReport(page, { file: screenshot, category: false });
      await waitLikeAPerson(shownAt);
      await skipBrowserChecks(page);
      await page.click("#submit-report");
      await page.locator("#form-problems").waitFor();
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
      check(focused === "form-problems", `focus is on #${focused}, not on the list of problems`);
      const describedBy = await page.locator(".choices[role=radiogroup]").getAttribute("aria-describedby");
      check(describedBy && (await page.locator(`#${describedBy}`).count()) === 1, "the category's error is not tied to it");
      const [res] = await Promise.all([page.waitForNavigation(), page.click("a.lang-switch")]);
      check(res && res.status() === 200, `the switch answered ${res && res.status()}`);
      check(new URL(page.url()).pathname === "/reports/new", `the switch led to ${page.url()}`);
      check((await page.inputValue("#shop_name")) === REPORT.shopName, "the shop name is lost");
      check((await page.inputValue("#description")) === REPORT.description, "the description is lost");
    });
    await ctx.close();
  });

  for (const [locale, lang] of [["zh-CN", "zh-CN"], ["en-US", "en"]]) {
    await part(`axe-core and reflow on every main page (${lang})`, async () => {
      const ctx = await phoneContext(locale);
      ctx.setDefaultTimeout(15000);
      const page = watch(await ctx.newPage(), `axe-${lang}`);
      current = page;
      const checkPage = async (name) => {
        check((await page.locator("html").getAttribute("lang")) === lang, `${name} is not in ${lang}`);
        const problems = await axeProblems(page);
        check(problems.length === 0, problems.join("\n"));
        await page.setViewportSize(NARROW);
        const overflow = await sidewaysOverflow(page);
        await page.setViewportSize(PHONE);
        check(overflow === null, `at 320 px: ${overflow}`);
      };
      for (const url of ["/", "/reports/new", "/track", "/help", "/privacy", "/stats", "/record", "/officer/login"]) {
        await step(`${url}: no serious or critical violation, no sideways scroll at 320 px`, async () => {
          await page.goto(url);
          await checkPage(url);
        }, { soft: true });
      }
      let receipt;
      await step("the receipt page", async () => {
        receipt = await fileReport(page, screenshot);
        await checkPage("the receipt");
      }, { soft: true });
      await step("the reporter's case page", async () => {
        await page.goto("/track");
        await page.fill("#case_number", receipt.number);
        await page.fill("#receipt_code", receipt.code);
        await Promise.all([page.waitForURL("**/track/case"), page.click("form[action='/track'] button[type=submit]")]);
        await checkPage("the case page");
      }, { soft: true });
      await step("a refused report (the form with its errors)", async () => {
        await page.goto("/reports/new");
        const shownAt = Date.now();
        await page.fill("#shop_name", REPORT.shopName);
        await page.setInputFiles("input[name=evidence]", screenshot);
        await waitLikeAPerson(shownAt);
        await skipBrowserChecks(page);
        await page.click("#submit-report");
        await page.locator("#form-problems").waitFor();
        check((await page.locator("[aria-invalid=true]").count()) > 0, "no field is marked invalid");
        check((await page.locator("input[name=keep_upload]:checked").count()) === 1, "the screenshot that passed is not kept");
        await checkPage("the refused form");
      }, { soft: true });
      await step("the focus ring stands out (≥ 3:1 against the page)", async () => {
        await page.goto("/track");
        await page.focus("#case_number");
        await page.keyboard.press("Tab");
        const ring = await page.evaluate(() => {
          const el = document.activeElement, s = getComputedStyle(el);
          const rgb = (c) => (c.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          let bg = el.parentElement, color = "rgb(255, 255, 255)";
          while (bg) { const c = getComputedStyle(bg).backgroundColor; if (c && !/rgba\(0, 0, 0, 0\)|transparent/.test(c)) { color = c; break; } bg = bg.parentElement; }
          const [a, b] = [lum(rgb(s.outlineColor)), lum(rgb(color))].sort((x, y) => y - x);
          return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), ratio: (a + 0.05) / (b + 0.05), tag: el.tagName };
        });
        check(ring.style !== "none" && ring.width >= 2, `the focused ${ring.tag} has no visible outline (${ring.style} ${ring.width}px)`);
        check(ring.ratio >= 3, `the focus ring is ${ring.ratio.toFixed(2)}:1 against its background`);
        return `${ring.ratio.toFixed(1)}:1`;
      }, { soft: true });
      await ctx.close();
    });
  }

  await part("The confirmation email reads on a phone (390 px, zh-CN and en)", async () => {
    for (const [locale, lang] of [["zh-CN", "zh-CN"], ["en-US", "en"]]) {
      const ctx = await phoneContext(locale);
      ctx.setDefaultTimeout(15000);
      const page = watch(await ctx.newPage(), `mail-${lang}`);
      current = page;
      await step(`${lang}: no sideways scroll, long links wrap, a button a thumb can hit, a plain-text part`, async () => {
        const { number } = await fileReport(page, screenshot, `phone.${lang}@example.com`);
        const parts = await mailParts(number);
        const html = parts.find((p) => p.type === "text/html");
        check(html, "no HTML part");
        check(parts.some((p) => p.type === "text/plain" && /\/confirm\//.test(p.text)), "no plain-text part with the link");
        // A blank page, as a mail app shows it (not under the portal's Content-Security-Policy).
        const reader = await ctx.newPage();
        current = reader;
        await reader.setContent(html.text);
        const overflow = await sidewaysOverflow(reader);
        check(overflow === null, overflow);
        const button = await reader.locator("a.rw-button").boundingBox();
        check(button && button.height >= 40, `the button is ${button && button.height} px tall`);
        return `${number}, button ${Math.round(button.width)} × ${Math.round(button.height)} px`;
      }, { soft: true });
      await ctx.close();
    }
  });

  await part("Upload progress a phone user can see, and can cancel (390 × 844, zh-CN, throttled)", async () => {
    const ctx = await phoneContext("zh-CN");
    ctx.setDefaultTimeout(20000);
    const page = watch(await ctx.newPage(), "progress");
    current = page;
    const big = await makeLargeScreenshot(browser);
    let first;
    await step("a first report, to count from", async () => {
      first = await fileReport(page, screenshot);
      return first.number;
    });
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    // About 1.4 MB at 96 KiB/s: some fifteen seconds of sending, as on a weak mobile line.
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 100, downloadThroughput: 512 * 1024, uploadThroughput: 96 * 1024 });
    await step("while sending, a labelled progress bar stays in the window, for screen readers too", async () => {
      await page.goto("/reports/new");
      const shownAt = Date.now();
      await fillReport(page, { file: [screenshot, big] });
      await waitLikeAPerson(shownAt);
      await page.click("#submit-report");
      await page.locator("#upload-progress-label").filter({ hasText: /^正在上传 2\/2 · \d+ %$/ }).waitFor();
      const bar = page.getByRole("progressbar", { name: /正在上传 \d\/2 · \d+ %/ });
      check((await bar.count()) === 1, "no progress bar named “正在上传 …”");
      for (const where of ["at the button", "scrolled to the top"]) {
        if (where !== "at the button") await page.evaluate(() => window.scrollTo(0, 0));
        const box = await page.locator("#upload-progress").boundingBox();
        check(box && box.y >= 0 && box.y + box.height <= PHONE.height && box.height > 0, `${where}: the bar is out of view (${JSON.stringify(box)})`);
      }
      const said = (await page.locator("#upload-progress .upload-status").textContent()).trim();
      check(/^正在上传 \d\/2 · \d+ %$/.test(said), `the screen-reader status says “${said}”`);
      check(await page.locator("#submit-report").isDisabled(), "the submit button can be pressed twice");
      return (await page.locator("#upload-progress-label").textContent()).trim();
    });
    await step("“取消上传” stops the sending and leaves the form usable with the files still chosen", async () => {
      await page.click("#upload-progress .upload-cancel");
      await page.locator("#upload-progress").waitFor({ state: "hidden" });
      check(await page.locator(".upload-note").isVisible(), "nothing says the upload was cancelled");
      check(await page.locator("#submit-report").isEnabled(), "the submit button stays disabled");
      const chosen = await page.$eval("input[name=evidence]", (i) => i.files.length);
      check(chosen === 2, `${chosen} files still chosen`);
      check((await page.inputValue("#description")) === REPORT.description, "the description is lost");
      check(new URL(page.url()).pathname === "/reports/new", `the page moved to ${page.url()}`);
    });
    await step("sending again files the report once (the cancelled one was never filed)", async () => {
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await Promise.all([page.waitForURL("**/reports/receipt", { timeout: 30000 }), page.click("#submit-report")]);
      const number = (await page.locator("#case-number").textContent()).trim();
      check(caseSeq(number) === caseSeq(first.number) + 1, `filed as ${number} after ${first.number}`);
      return number;
    });
    await ctx.close();
  });

  await part("Nobody chooses screenshots twice (390 × 844, zh-CN)", async () => {
    const ctx = await phoneContext("zh-CN");
    ctx.setDefaultTimeout(15000);
    const page = watch(await ctx.newPage(), "keep");
    current = page;
    const notes = path.join(WORK_DIR, "notes.txt");
    fs.writeFileSync(notes, "这不是截图");
    const posts = [];
    page.on("request", (r) => { if (r.method() === "POST" && r.url().endsWith("/reports")) posts.push(r.url()); });
    await step("a missing answer and a file that is no picture are caught before sending, in words", async () => {
      await page.goto("/reports/new");
      await fillReport(page, { file: [screenshot, notes], category: false });
      const bad = page.locator("#evidence-preview figure.bad .file-note");
      check((await bad.count()) === 1, "the text file is not marked as bad");
      const said = (await bad.textContent()).trim();
      check(/^⚠ 不是 PNG/.test(said), `the bad file says “${said}”, not in words with a sign`);
      await page.click("#submit-report");
      await page.locator(".check-first").waitFor();
      check(posts.length === 0, "the form was sent with a missing answer");
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.name);
      check(focused === "category", `focus is on ${focused}, not on the missing category`);
      return said;
    });
    await step("one screenshot is removed on its own, another added to those chosen", async () => {
      await page.locator("#evidence-preview figure.bad .file-remove").click();
      check((await page.locator("#evidence-preview figure").count()) === 1, "removing one took the others too");
      await page.setInputFiles("input[name=evidence]", await makeLargeScreenshot(browser));
      await page.waitForFunction(() => document.querySelectorAll("#evidence-preview figure img").length === 2);
      const chosen = await page.$eval("input[name=evidence]", (i) => i.files.length);
      check(chosen === 2, `${chosen} files would be sent, not 2`);
    });
    await step("refused by the server, the good screenshots come back attached, ticked, with their pictures", async () => {
      const shownAt = Date.now() - MIN_FORM_MS;
      await waitLikeAPerson(shownAt);
      await skipBrowserChecks(page);
      await page.click("#submit-report");
      await page.locator("#form-problems").waitFor();
      const kept = page.locator("#held-files input[name=keep_upload]:checked");
      check((await kept.count()) === 2, `${await kept.count()} screenshots kept, not 2`);
      await page.waitForFunction(() => Array.from(document.querySelectorAll("#held-files img")).every((i) => i.complete && i.naturalWidth > 0));
      return (await page.locator("#held-files").textContent()).replace(/\s+/g, " ").trim().slice(0, 80);
    });
    await step("one unticked, the category chosen: sent without choosing any file again", async () => {
      const shownAt = Date.now();
      await page.locator("#held-files input[name=keep_upload]").nth(1).uncheck();
      await page.check(`input[name=category][value="${REPORT.category}"]`);
      check((await page.$eval("input[name=evidence]", (i) => i.files.length)) === 0, "files are chosen again");
      await waitLikeAPerson(shownAt);
      await Promise.all([page.waitForURL("**/reports/receipt", { timeout: 30000 }), page.click("#submit-report")]);
      return (await page.locator("#case-number").textContent()).trim();
    });
    await step("what was typed survives a closed tab (kept in this browser until sent, never the files)", async () => {
      const tab = watch(await ctx.newPage(), "draft");
      current = tab;
      await tab.goto("/reports/new");
      check((await tab.inputValue("#shop_name")) === "", "the sent report's answers came back");
      await tab.fill("#shop_name", "关掉又打开的小店");
      await tab.fill("#description", REPORT.description);
      await tab.waitForFunction(() => (localStorage.getItem("rw-draft:report-form") || "").includes("关掉又打开的小店"));
      await tab.close();
      const again = watch(await ctx.newPage(), "draft-again");
      current = again;
      await again.goto("/reports/new");
      check((await again.inputValue("#shop_name")) === "关掉又打开的小店", "the shop name is lost");
      check((await again.inputValue("#description")) === REPORT.description, "the description is lost");
    });
    await ctx.close();
  });

  if (SCREENSHOT_DIR) {
    await part("Screenshots of every main shopper page (390 × 844 and 1440 × 900, zh-CN and en)", async () => {
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const platformLink = (() => {
        const files = fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith(".eml")) : [];
        for (const f of files) {
          for (const p of mimeParts(fs.readFileSync(path.join(MAIL_DIR, f), "utf8"))) {
            const m = p.type === "text/plain" && /https?:\/\/\S+(\/platform\/[^\s>]+)/.exec(p.text);
            if (m) return m[1];
          }
        }
        return null;
      })();
      for (const [locale, lang] of [["zh-CN", "zh"], ["en-US", "en"]]) {
        for (const size of [PHONE, DESKTOP]) {
          const ctx = await browser.newContext({ viewport: size, deviceScaleFactor: 1, hasTouch: size === PHONE, locale, timezoneId: "Asia/Shanghai", baseURL: PORTAL });
          ctx.setDefaultTimeout(20000);
          const page = watch(await ctx.newPage(), `shots-${lang}-${size.width}`);
          current = page;
          const taken = [];
          const shot = async (name) => {
            await page.evaluate(() => document.fonts && document.fonts.ready);
            await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${size.width}-${lang}.png`) });
            taken.push(name);
          };
          await step(`${lang} at ${size.width} × ${size.height}`, async () => {
            for (const [name, url] of [["landing", "/"], ["report-form", "/reports/new"], ["track-form", "/track"], ["help", "/help"], ["privacy", "/privacy"], ["stats", "/stats"], ["record", "/record"]]) {
              await page.goto(url);
              await shot(name);
            }
            await page.goto("/reports/new");
            let shownAt = Date.now();
            await fillReport(page, { file: screenshot, category: false });
            await waitLikeAPerson(shownAt);
            await skipBrowserChecks(page);
            await page.click("#submit-report");
            await page.locator("#form-problems").waitFor();
            await page.waitForFunction(() => Array.from(document.querySelectorAll("#held-files img")).every((i) => i.complete));
            await shot("report-errors");
            shownAt = Date.now();
            const email = `shots-${lang}-${size.width}@example.com`;
            await page.fill("#email", email);
            await page.check(`input[name=category][value="${REPORT.category}"]`);
            await waitLikeAPerson(shownAt);
            await Promise.all([page.waitForURL("**/reports/receipt", { timeout: 30000 }), page.click("#submit-report")]);
            const number = (await page.locator("#case-number").textContent()).trim();
            const code = (await page.locator("#receipt-code").textContent()).trim();
            await shot("receipt");
            const parts = await mailParts(number);
            const confirm = /\/confirm\/[A-Za-z0-9_-]+/.exec(parts.find((p) => p.type === "text/plain").text);
            check(confirm, "the confirmation mail has no /confirm/ link");
            await page.goto(confirm[0]);
            await shot("confirm");
            await page.goto("/track");
            await page.fill("#case_number", number);
            await page.fill("#receipt_code", code);
            await Promise.all([page.waitForURL("**/track/case"), page.click("form[action='/track'] button[type=submit]")]);
            await shot("case");
            if (platformLink) {
              await page.goto(platformLink);
              await shot("platform-notice");
            }
            return taken.length + " pages" + (platformLink ? "" : " (no platform notice mail in DATA_DIR/mail: run after journey.mjs)");
          }, { soft: true });
          await ctx.close();
        }
      }
    });
  }

  await part("Whole run", async () => {
    await step("no script errors", async () => {
      check(scriptErrors.length === 0, scriptErrors.slice(0, 10).join("\n"));
    });
  });
} finally {
  await browser.close().catch(() => {});
}

console.log(`(phone steps took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`phone journey: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
