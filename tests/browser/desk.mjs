// The officer's desk in a real browser (issue 17), run by run.sh after journey.mjs on the same
// portal (its cases are the queue here). The supervisor signs in with a code of the second
// factor journey.mjs turned on (its secret in WORK_DIR/supervisor-totp) and lands on their desk;
// at 1440×900 the queue uses the screen and says how many cases it holds; a case is worked with
// the keyboard (j, Enter, ?, a); three submitted cases are dismissed as duplicates in one step and
// each reporter with an address gets the message; the view is exported as CSV and XLSX without
// contact data; shortcuts turned off do nothing; axe-core finds no serious or critical violation
// on any main officer page in either language. Screenshots of those pages at 1440×900 go to
// docs/screenshots/officer-<page>-1440-<zh|en>.png. Same variables as journey.mjs.
// The last line is `desk journey: N passed, M failed`.
import { launchChromium } from "./launch.mjs";
import { fillReport, mailFinder, seriousViolations, totp } from "./helpers.mjs";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const PORTAL = need("PORTAL_URL").replace(/\/$/, "");
const WORK_DIR = need("WORK_DIR");
const SHOTS = need("SCREENSHOT_DIR");
const findMail = mailFinder(path.join(need("DATA_DIR"), "mail"));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SUPERVISOR = { email: need("SUPERVISOR_EMAIL"), password: need("SUPERVISOR_PASSWORD") };
const VIEWPORT = { width: 1440, height: 900 };
const BUDGET_MS = 300000;
const DUPLICATE_MESSAGE = "您的举报与此前一件举报内容相同，已并入该案一并处理。";
const MIN_FORM_MS = 1000 * Number(process.env.MIN_FORM_SECONDS ?? 3) + 500;
/// The shop three shoppers report on the same day: duplicates for the bulk dismissal.
const DUPLICATE_REPORT = {
  platform: "taobao",
  shopName: "星辰小家电旗舰店",
  shopUrl: "https://shop987654321.taobao.com",
  region: ["320000", "320100", "320102"],
  category: "cashback_for_review",
  seenDaysAgo: 1,
  description: "收到的电热水壶里夹着一张卡片：五星好评加晒图，截图发给客服返现 10 元。同一家店，同一张卡。",
};

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    const note = await fn();
    passed++;
    console.log(`  ok    ${name}${note ? ` — ${note}` : ""} (${Date.now() - t0} ms)`);
    return true;
  } catch (e) {
    failed++;
    console.log(`  FAIL  ${name}\n        ${String(e && e.message ? e.message : e).split("\n").join("\n        ")}`);
    return false;
  }
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}

/// The page as a person sees it at 1440×900, for docs/screenshots.
async function shot(page, name, lang) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `officer-${name}-1440-${lang === "en" ? "en" : "zh"}.png`), animations: "disabled" });
}

/// Signs in with the password, then (when asked) a code of the second factor: the next 30-second
/// step's, since the one journey.mjs turned it on with may not be used again.
async function signIn(page) {
  await page.goto("/officer/login");
  await page.fill("#email", SUPERVISOR.email);
  await page.fill("#password", SUPERVISOR.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/officer/login") || u.pathname.startsWith("/officer/login/second-factor")), page.click("#login-form button[type=submit]")]);
  if (new URL(page.url()).pathname.startsWith("/officer/login/second-factor")) {
    const secretFile = path.join(WORK_DIR, "supervisor-totp");
    check(fs.existsSync(secretFile), "a second factor is asked for and journey.mjs left no secret");
    const secret = fs.readFileSync(secretFile, "utf8").trim();
    await page.fill("#code", totp(secret, Date.now() + 30000));
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/officer/login")), page.click("#second-factor-form button[type=submit]")]);
    return "with a code of the second factor";
  }
  return "with the password";
}

/// The files of a .zip (an XLSX), by name, inflated: read from its central directory, since the
/// local headers of a streamed archive may leave the sizes out.
function unzip(buf) {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  check(end >= 0, "not a zip archive");
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const files = {};
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    files[name] = (method === 8 ? zlib.inflateRawSync(raw) : raw).toString("utf8");
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

/// Downloads the queue's export in `format` through its link: the file's text (an XLSX's sheet
/// and strings).
async function download(page, format) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(`#export-${format}`)]);
  const saved = path.join(WORK_DIR, `export.${format}`);
  await file.saveAs(saved);
  const bytes = fs.readFileSync(saved);
  if (format === "csv") return bytes.toString("utf8");
  check(bytes.subarray(0, 2).toString() === "PK", "the XLSX is not a zip archive");
  const parts = unzip(bytes);
  check(parts["xl/workbook.xml"], `no workbook in the XLSX: ${Object.keys(parts).join(", ")}`);
  return Object.entries(parts).filter(([n]) => n.startsWith("xl/")).map(([, t]) => t).join("\n");
}

const browser = await launchChromium(CHROMIUM, WORK_DIR, "chromium-desk-");
setTimeout(() => {
  console.log(`  FAIL  the desk journey did not finish within ${BUDGET_MS / 1000} s`);
  console.log(`desk journey: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, BUDGET_MS).unref();

console.log("Officer's desk at 1440×900");
try {
  const ctx = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: "zh-CN", timezoneId: "Asia/Shanghai", baseURL: PORTAL });
  ctx.setDefaultTimeout(15000);
  const page = await ctx.newPage();

  await step("the supervisor signs in and sees their day on their desk", async () => {
    const how = await signIn(page);
    const at = new URL(page.url()).pathname;
    check(at === "/officer/desk", `after signing in the browser is at ${at}`);
    for (const id of ["desk-news-panel", "desk-open-panel", "desk-reporters-panel", "desk-regulators-panel", "desk-platforms-panel"]) {
      check(await page.locator(`#${id}`).count(), `no #${id} on the desk`);
    }
    const since = (await page.locator("#desk-since").textContent()).trim();
    const open = await page.locator("#desk-open tbody tr").count();
    const waiting = await page.locator("#desk-reporters tbody tr, #desk-regulators tbody tr, #desk-platforms tbody tr").count();
    await shot(page, "desk", "zh");
    return `${how}; ${open} open, ${waiting} waiting; “${since}”`;
  });

  await step("the queue uses the screen and counts its cases", async () => {
    await Promise.all([page.waitForURL("**/officer/cases"), page.click('nav a[href="/officer/cases"]')]);
    await page.goto("/officer/cases?status=all");
    const width = await page.locator(".queue-main").evaluate((el) => el.getBoundingClientRect().width);
    check(width > 1100, `the queue is ${Math.round(width)} px wide at 1440 px`);
    const count = await page.locator("#queue-count").getAttribute("data-count");
    const rows = await page.locator("#queue tbody tr[data-case]").count();
    check(Number(count) >= rows && rows > 0, `count ${count}, rows ${rows}`);
    // A cell is as tall as its row: the lines of its text are counted instead.
    const wraps = await page.locator("#queue td.category").evaluateAll((tds) =>
      tds.filter((td) => {
        const text = document.createRange();
        text.selectNodeContents(td);
        return new Set([...text.getClientRects()].map((r) => Math.round(r.top))).size > 1;
      }).length,
    );
    check(wraps === 0, `${wraps} category cells wrap`);
    await shot(page, "queue", "zh");
    return `${Math.round(width)} px, ${count} cases`;
  });

  let taken = null;
  await step("a case is worked with the keyboard: j, Enter, ?, a", async () => {
    await page.goto("/officer/cases?status=submitted");
    const first = await page.locator("#queue tbody tr[data-case]").first().getAttribute("data-case");
    check(first, "no submitted case to work");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("j");
    check(await page.locator(`#queue tr[data-case="${first}"]`).evaluate((r) => r.classList.contains("kbd-current")), "j highlights the first case");
    await Promise.all([page.waitForURL(`**/officer/cases/${first}`), page.keyboard.press("Enter")]);
    await page.keyboard.press("?");
    check(await page.locator("#shortcuts-help").evaluate((d) => d.open), "? opens the list of shortcuts");
    await page.keyboard.press("?");
    await Promise.all([page.waitForLoadState("load"), page.keyboard.press("a")]);
    await page.waitForFunction(() => document.querySelector("#case-status")?.getAttribute("data-status") === "in_review");
    taken = first;
    await shot(page, "case", "zh");
    return `${first} taken`;
  });

  await step("/ goes to the search box", async () => {
    await page.goto("/officer/cases");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    check(await page.evaluate(() => document.activeElement && document.activeElement.id === "q"), "the search box has focus");
  });

  // Three shoppers report the same shop, each with an address, and confirm from the email.
  const picked = [];
  await step("three shoppers report the same shop and confirm their reports from the email", async () => {
    const png = await page.screenshot({ type: "png", clip: { x: 0, y: 0, width: 480, height: 360 } });
    const filed = await Promise.all([1, 2, 3].map(async (i) => {
      const email = `duplicate-${i}@example.com`;
      const shopper = await browser.newContext({ viewport: VIEWPORT, locale: "zh-CN", baseURL: PORTAL });
      const form = await shopper.newPage();
      await form.goto("/reports/new");
      const shownAt = Date.now();
      await fillReport(form, { email, js: true, report: DUPLICATE_REPORT, files: [{ name: `card-${i}.png`, mimeType: "image/png", buffer: png }] });
      await new Promise((r) => setTimeout(r, Math.max(0, shownAt + MIN_FORM_MS - Date.now())));
      await Promise.all([form.waitForURL("**/reports/receipt", { timeout: 30000 }), form.click("#submit-report")]);
      const number = (await form.locator("#case-number").textContent()).trim();
      const { text } = await findMail(number, { also: (m, t) => (m.headers.to || "").includes(email) && t.includes("/confirm/") });
      const link = /https?:\/\/\S+\/confirm\/[A-Za-z0-9_-]+/.exec(text)?.[0];
      check(link, `no confirmation link in the mail to ${email}`);
      await form.goto(new URL(link).pathname);
      await Promise.all([form.waitForLoadState("load"), form.locator("form[data-action=confirm] button").click()]);
      await form.waitForSelector("#confirm-result");
      await shopper.close();
      return { number, email };
    }));
    picked.push(...filed);
    return picked.map((p) => p.number).join(", ");
  });

  // Reporters' addresses, which no export may hold.
  const contacts = new Set();
  await step("three submitted cases are dismissed as duplicates in one step; each reporter is told", async () => {
    check(picked.length === 3, "the three duplicates were not filed");
    for (const { email } of picked) contacts.add(email);
    await page.goto("/officer/cases?status=submitted");
    for (const { number } of picked) await page.locator(`#queue tr[data-case="${number}"] input[name=case]`).check();
    await Promise.all([page.waitForURL("**/officer/queue/bulk"), page.click("button[name=bulk_action][value=dismiss_duplicate]")]);
    check((await page.locator("#bulk-confirm input[name=case]").count()) === 3, "the confirmation lists the three ticked cases");
    await page.fill("#bulk-message", DUPLICATE_MESSAGE);
    await Promise.all([page.waitForLoadState("load"), page.click("#bulk-confirm button[type=submit]")]);
    const done = await page.locator("#bulk-summary").getAttribute("data-done");
    check(Number(done) === 3, `${done} of 3 dismissed`);
    const told = [];
    for (const { number, email } of picked) {
      await page.goto(`/officer/cases/${number}`);
      check((await page.locator("#case-status").getAttribute("data-status")) === "dismissed", `${number} is not dismissed`);
      await findMail(number, { also: (m, text) => (m.headers.to || "").includes(email) && text.includes(DUPLICATE_MESSAGE) });
      told.push(number);
    }
    return `${picked.map((p) => p.number).join(", ")} dismissed; mail to the reporters of ${told.join(", ")}`;
  });

  await step("the view is exported as CSV and XLSX, without contact data", async () => {
    await page.goto("/officer/cases?status=all");
    const shown = await page.locator("#queue tbody tr[data-case]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-case")));
    const csv = await download(page, "csv");
    const xlsx = await download(page, "xlsx");
    for (const [name, text] of [["CSV", csv], ["XLSX", xlsx]]) {
      for (const n of shown.slice(0, 5)) check(text.includes(n), `the ${name} export lacks ${n}`);
      for (const email of contacts) check(!text.includes(email), `the ${name} export holds ${email}`);
      check(!/[\w.+-]+@[\w-]+\.[\w.]+/.test(text), `the ${name} export holds an email address`);
    }
    return `${csv.split("\n").length - 1} CSV lines; ${contacts.size} reporters' addresses absent`;
  });

  await step("shortcuts turned off do nothing", async () => {
    await page.goto("/officer/cases?status=all");
    await page.click("#shortcuts-help summary");
    await Promise.all([page.waitForLoadState("load"), page.click("form[data-action=shortcuts] button")]);
    check((await page.locator("#shortcuts").getAttribute("data-on")) === "0", "shortcuts are off");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("j");
    check((await page.locator("#queue tr.kbd-current").count()) === 0, "j did something");
    await page.keyboard.press("/");
    check(await page.evaluate(() => document.activeElement?.id !== "q"), "/ still moves to the search box");
    await page.click("#shortcuts-help summary");
    await Promise.all([page.waitForLoadState("load"), page.click("form[data-action=shortcuts] button")]);
    check((await page.locator("#shortcuts").getAttribute("data-on")) === "1", "shortcuts are back on");
    return taken ? `after taking ${taken}` : "";
  });

  // Every main officer page, in both languages: axe-core, and a screenshot.
  const pages = [
    ["desk", "/officer/desk"],
    ["queue", "/officer/cases?status=all"],
    ["case", taken ? `/officer/cases/${taken}` : ""],
    ["dashboard", "/officer/dashboard"],
    ["team", "/officer/team"],
    ["calendar", "/officer/calendar"],
    ["regulators", "/officer/regulators"],
    ["platform-desks", "/officer/platform-desks"],
    ["campaigns", "/officer/campaigns"],
    ["record", "/officer/record"],
    ["second-factor", "/officer/account/second-factor"],
  ];
  await step("the merchant, campaign and platform notice pages are found from the cases", async () => {
    await page.goto("/officer/campaigns");
    const href = async (sel) => ((await page.locator(sel).count()) ? page.locator(sel).first().getAttribute("href") : null);
    const campaign = await href("main a[href^='/officer/campaigns/']");
    if (campaign) pages.push(["campaign", campaign]);
    await page.goto("/officer/cases?status=all");
    const numbers = await page.locator("#queue tbody tr[data-case]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-case")));
    let merchant = null;
    let notice = null;
    for (const n of numbers.slice(0, 30)) {
      if (merchant && notice) break;
      await page.goto(`/officer/cases/${n}`);
      merchant ||= await href("#merchant-link");
      if (!notice && (await page.locator("#platform-notice").count())) notice = `/officer/cases/${n}`;
    }
    if (merchant) pages.push(["merchant", merchant]);
    if (notice) pages.push(["platform-notice", notice]);
    check(merchant, "no case links to its merchant's page");
    return [campaign, merchant, notice].filter(Boolean).join(", ");
  });
  for (const lang of ["zh-CN", "en"]) {
    await page.goto(`/lang/${lang}?next=/officer/desk`);
    check((await page.locator("html").getAttribute("lang")) === lang, `the page is not in ${lang}`);
    for (const [name, url] of pages) {
      if (!url) continue;
      await step(`axe-core on the ${name} page (${lang})`, async () => {
        const res = await page.goto(url);
        check(res.ok(), `${url} answered ${res.status()}`);
        check((await page.locator("html").getAttribute("lang")) === lang, `${url} is not in ${lang}`);
        const problems = await seriousViolations(page);
        if (name === "platform-notice") {
          await page.locator("#platform-notice").scrollIntoViewIfNeeded();
        }
        await shot(page, name, lang);
        check(problems.length === 0, problems.join("\n"));
        return url;
      });
    }
  }
  await page.goto("/lang/zh-CN?next=/officer/desk");
  await ctx.close();
} catch (e) {
  failed++;
  console.log(`  FAIL  ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}
console.log(`desk journey: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
