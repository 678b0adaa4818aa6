// The ReviewWatch shopper's and officer's journey in a real browser (Debian's Chromium, headless,
// driven by playwright-core). Started by run.sh, which provides a running portal and these variables:
//   PORTAL_URL      the portal, e.g. http://127.0.0.1:43121
//   DATA_DIR        its data folder (mail is written to DATA_DIR/mail as .eml files)
//   WORK_DIR        a scratch folder for the browser profile and generated files
//   SCREENSHOT_DIR  where the documentation screenshots go (docs/screenshots)
//   CHROMIUM        the browser binary (/usr/bin/chromium)
//   SUPERVISOR_EMAIL, SUPERVISOR_PASSWORD, OFFICER_EMAIL, OFFICER_PASSWORD
//                   the accounts run.sh made with `reviewwatch officer add` (王主管, 李明)
// Each check prints one line; the last line is `browser journey: N passed, M failed`.
import { launchChromium } from "./launch.mjs";
import { decodeWords, fillReport, mailFinder, totp } from "./helpers.mjs";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";

const PORTAL = need("PORTAL_URL").replace(/\/$/, "");
const DATA_DIR = need("DATA_DIR");
const WORK_DIR = need("WORK_DIR");
const SHOTS = need("SCREENSHOT_DIR");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FAILURES = path.join(WORK_DIR, "failures");
const MAIL_DIR = path.join(DATA_DIR, "mail");
const findMail = mailFinder(MAIL_DIR);

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

/// A product fault the journey has found and reports without failing the run (see README).
const knownIssues = [];
function known(name, why) {
  knownIssues.push(name);
  console.log(`  known ${name} — NO: ${why}`);
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

/// Watches a page for script errors and for broken assets, reported in a step of their own.
const trouble = [];
function watch(page, label) {
  page.on("pageerror", (e) => trouble.push(`${label}: script error on ${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    // Chromium logs every 4xx answer to a script's request; the refused upload's 422 is expected.
    // So is the redaction page's answer to a malformed rectangle, which the journey sends on purpose.
    const expected = (/status of 422/.test(m.text()) && /\/reports$|\/evidence\/\d+\/redact$/.test(m.location().url || "")) ||
      // An invitation link opened a second time answers 410 Gone, as the journey checks.
      (/status of 410/.test(m.text()) && /\/officer\/invite\//.test(m.location().url || ""));
    if (m.type() === "error" && !expected) {
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
    if (r.status() >= 400 && (u.pathname.startsWith("/static/") || u.pathname.startsWith("/track/case/evidence/") || /^\/officer\/cases\/[^/]+\/evidence\/\d+\/(thumb|display)$/.test(u.pathname))) {
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
// The report form, filled through its widgets as a person would.

// The shopper's report; the officer part files a few others, with their own fields.
const SHOPPER_REPORT = {
  platform: "pinduoduo",
  shopName: "阿强数码旗舰店",
  shopUrl: "https://mobile.yangkeduo.com/mall_page.html?mall_id=987654321",
  region: ["440000", "440100", "440113"], // 广东省 广州市 番禺区
  productUrl: "https://mobile.yangkeduo.com/goods.html?goods_id=123456789012",
  category: "cashback_for_review",
  seenDaysAgo: 2,
  description:
    "收到的快递里夹着一张“好评返现”卡：给五星好评并晒三张图，截图发给客服就返 5 元红包。" +
    "店铺里大量评价内容几乎一模一样（“质量非常好，物流很快，五星好评！”），明显是刷出来的。",
};

// ---------------------------------------------------------------------------------------------
// The officer part: other shoppers' reports (so the queue is not empty), the officers that
// run.sh made with `reviewwatch officer add`, and a few tools to read images in the browser.

const SUPERVISOR = { email: process.env.SUPERVISOR_EMAIL, password: process.env.SUPERVISOR_PASSWORD, name: "王主管" };
const OFFICER = { email: process.env.OFFICER_EMAIL, password: process.env.OFFICER_PASSWORD, name: "李明" };
const MAIN_REPORTER = "fanyu.shopper@example.com";

/// The case the supervisor works: 好评返现 on 拼多多 in 广东省广州市番禺区, with an email.
const MAIN_REPORT = {
  platform: "pinduoduo",
  shopName: "番禺优选百货店",
  shopUrl: "https://mobile.yangkeduo.com/mall_page.html?mall_id=556677889",
  region: ["440000", "440100", "440113"],
  productUrl: "https://mobile.yangkeduo.com/goods.html?goods_id=998877665544",
  category: "cashback_for_review",
  seenDaysAgo: 1,
  description:
    "买了一个保温杯，包裹里有一张好评返现卡：五星好评加三张带图评价，截图发给客服返现 3 元。" +
    "客服在聊天里又催了一次，说“好评后联系我领红包”。商品页的评价几乎都是同样的句子。",
};

/// Other shoppers' reports, each of another kind, so that the filters have something to leave out.
const OTHER_REPORTS = [
  {
    platform: "taobao", shopName: "优品家居专营店", shopUrl: "https://shop123456789.taobao.com",
    region: ["330000", "330100", "330110"], category: "fake_positive_reviews", seenDaysAgo: 6,
    description: "这家店的收纳箱有三千多条评价，近一个月的几乎全是“做工精细，物超所值，推荐购买”，晒图也是同一组照片。",
    picture: { title: "宝贝评价 (3000+)", color: "#ff5000", lines: ["做工精细，物超所值，推荐购买！", "做工精细，物超所值，推荐购买！！", "做工精细，物超所值！"] },
  },
  {
    platform: "meituan", shopName: "老北京涮肉（望京店）", shopUrl: "https://www.meituan.com/meishi/1234567/",
    region: ["110000", "110100", "110105"], category: "experience_officer", seenDaysAgo: 3,
    description: "店家在群里招“体验官”：免费吃一顿涮肉，条件是到店打卡并发五星好评加九张图，差评不给报销。",
    picture: { title: "体验官招募", color: "#ffc300", lines: ["免费霸王餐 · 限 20 名", "要求：五星好评 + 9 图", "评价通过后报销餐费"] },
  },
  {
    platform: "jd", shopName: "极速数码专营店", shopUrl: "https://mall.jd.com/index-1000123456.html",
    region: ["440000", "440300", "440304"], category: "fake_sales_volume", seenDaysAgo: 9,
    description: "店铺的充电宝一天之内销量从 200 涨到 2 万，评价时间集中在凌晨，买家头像和昵称格式一样，疑似刷单。",
    picture: { title: "销量 2万+", color: "#e1251b", lines: ["已售 20000+ · 好评率 100%", "03:12 评价：很好用", "03:13 评价：很好用"] },
  },
  {
    platform: "pinduoduo", shopName: "天河百货折扣店", shopUrl: "https://mobile.yangkeduo.com/mall_page.html?mall_id=112233445",
    region: ["440000", "440100", "440106"], category: "fake_logistics", seenDaysAgo: 4,
    description: "下单后物流显示“已签收”，但我从未收到包裹；查询单号发现是另一个城市的空包，商家借此提前确认收货。",
    picture: { title: "物流详情", color: "#2e7d32", lines: ["已签收 · 本人签收", "快件已由驿站代收", "单号 YT000000000000"] },
  },
];

function pictureHtml({ title, color, lines }) {
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>
    body { margin: 0; width: 100vw; height: 100vh; font-family: "Noto Sans CJK SC", sans-serif; background: #f5f5f5; }
    header { background: ${color}; color: #fff; font-size: 36px; font-weight: 700; padding: 28px 32px; }
    p { background: #fff; margin: 14px 24px; padding: 16px 20px; border-radius: 10px; font-size: 26px; color: #333; }
  </style><body><header>${title}</header>${lines.map((l) => `<p>${l}</p>`).join("")}</body></html>`;
}

/// The order page the officer asks for: it shows the buyer's name, phone and address (#pii),
/// which the officer then blacks out.
function orderHtml() {
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>
    body { margin: 0; width: 720px; height: 540px; font-family: "Noto Sans CJK SC", sans-serif; background: #f2f2f2; color: #222; }
    h1 { margin: 0; background: #e02e24; color: #fff; font-size: 30px; padding: 20px 28px; }
    .box { background: #fff; margin: 16px 20px; padding: 14px 20px; border-radius: 10px; font-size: 22px; line-height: 1.6; }
    #pii { display: inline-block; } .k { color: #888; }
  </style><body><h1>订单详情 · 交易成功</h1>
  <div class="box"><div id="pii"><span class="k">收货人：</span>张伟　138 1234 5678<br>
    <span class="k">地址：</span>广东省广州市番禺区市桥街道繁华路 88 号</div></div>
  <div class="box">番禺优选百货店 · 不锈钢保温杯 500ml ×1　实付 ¥39.90</div>
  <div class="box"><span class="k">订单编号：</span>240915-556677889900<br><span class="k">下单时间：</span>2026-01-12 20:41:07</div>
  </body></html>`;
}

async function drawPng(browser, html, name, measure, viewport = { width: 720, height: 540 }) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  await page.setContent(html);
  const file = path.join(WORK_DIR, name);
  await page.screenshot({ path: file, type: "png" });
  const box = measure ? await page.locator(measure).boundingBox() : null;
  await page.close();
  return { file, box };
}

/// Screenshots' thumbnails are made by a background job after filing (the job runner looks every
/// 15 s): until it ran a case page shows “截图处理中…” in their place. Reloads the page, as a
/// reader would, until `n` thumbnails are there (at most a minute).
async function reloadUntilThumbnails(page, n) {
  for (let tries = 0; (await page.locator("#evidence img").count()) < n && tries < 60; tries++) {
    await page.waitForTimeout(1000);
    await page.reload();
  }
}

/// Share (0…1) of nearly black pixels inside `rect` (in the 720×540 screenshot's pixels) of an
/// image as the browser decoded it: an <img> on the page, drawn onto a canvas.
async function darkShareOfImg(img, rect) {
  await img.scrollIntoViewIfNeeded();
  return img.evaluate(async (el, r) => {
    if (!el.complete || el.naturalWidth === 0) await new Promise((ok) => el.addEventListener("load", ok, { once: true }));
    return window.__darkShare(el, r);
  }, rect);
}

/// The same, for a fresh fetch of `url` with this page's cookies (no browser cache).
async function darkShareOfUrl(page, url, rect) {
  return page.evaluate(async ([u, r]) => {
    const res = await fetch(u, { cache: "no-store" });
    if (!res.ok) throw new Error(`${u} answered ${res.status}`);
    const bmp = await createImageBitmap(await res.blob());
    return window.__darkShare(bmp, r);
  }, [url, rect]);
}

/// Installed in every page of a context: counts dark pixels of an image source in a rectangle
/// given in the 720-pixel-wide original's coordinates, a little inside its edges.
const DARK_SHARE_SCRIPT = `window.__darkShare = function (src, r) {
  var w = src.naturalWidth || src.width, h = src.naturalHeight || src.height, k = w / 720;
  var c = document.createElement("canvas"); c.width = w; c.height = h;
  var g = c.getContext("2d"); g.drawImage(src, 0, 0);
  var x0 = Math.ceil((r.x + 3) * k), y0 = Math.ceil((r.y + 3) * k);
  var x1 = Math.floor((r.x + r.w - 3) * k), y1 = Math.floor((r.y + r.h - 3) * k);
  var d = g.getImageData(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0)).data, dark = 0;
  for (var i = 0; i < d.length; i += 4) if (d[i] < 40 && d[i + 1] < 40 && d[i + 2] < 40) dark++;
  return dark / (d.length / 4);
};`;

/// Files reports through the form, each in its own browser (as different shoppers would), all at
/// once to keep the run short. Returns [{ ctx, page, number, code }]; the caller closes them.
async function fileReports(browser, items, { js = true } = {}) {
  return Promise.all(items.map(async ({ report, files, email }, i) => {
    const ctx = await browser.newContext({ ...contextOptions, javaScriptEnabled: js });
    ctx.setDefaultTimeout(20000);
    await ctx.addInitScript(DARK_SHARE_SCRIPT);
    const page = watch(await ctx.newPage(), `report-${i + 1}`);
    await page.goto("/reports/new");
    const shownAt = Date.now();
    await fillReport(page, { email, files, js, report: report ?? SHOPPER_REPORT });
    await waitLikeAPerson(shownAt);
    await Promise.all([page.waitForURL("**/reports/receipt", { timeout: 30000 }), page.click("#submit-report")]);
    const number = (await page.locator("#case-number").textContent()).trim();
    const code = (await page.locator("#receipt-code").textContent()).trim();
    check(CASE_NUMBER_RE.test(number), `report ${i + 1} (${report.shopName}) got no case number (“${number}”)`);
    return { ctx, page, number, code };
  }));
}

async function logIn(page, who) {
  await page.fill("#email", who.email);
  await page.fill("#password", who.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/officer/login")), page.click("#login-form button[type=submit]")]);
}

/// Opens the <details> holding an action's form (a click on its summary, as a person would).
async function openAction(page, action) {
  const details = page.locator("details.action-detail", { has: page.locator(`form[data-action=${action}]`) });
  if (!(await details.evaluate((d) => d.open))) await details.locator("summary").click();
  return details.locator(`form[data-action=${action}]`);
}

/// Sends a form with its button and waits for the page that answers (often at the same address,
/// so waiting for the URL would not do), then checks where it landed.
async function submitAndLoad(page, form, urlGlob) {
  await Promise.all([
    page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame() }),
    form.locator("button[type=submit]").click(),
  ]);
  await page.waitForLoadState("load");
  if (urlGlob) await page.waitForURL(urlGlob, { timeout: 1000 });
}

/// Fails with the page's own words when it shows a problem (`sel`); does not wait for one.
async function refusedNot(page, sel, what) {
  const problem = page.locator(sel);
  if ((await problem.count()) > 0) throw new Error(`${what}: ${(await problem.first().textContent()).trim()}`);
}

async function caseStatus(page) {
  return page.locator("#case-status").getAttribute("data-status");
}

// ---------------------------------------------------------------------------------------------

const browser = await launchChromium(CHROMIUM, WORK_DIR, "chromium-profile-");
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
      await fillReport(page, { email: "shopper@example.com", files: evidence.images, js: true, report: SHOPPER_REPORT });
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
      await reloadUntilThumbnails(p2, 2);
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
      await fillReport(page, { email: "shopper@example.com", files: [evidence.fake], js: true, report: SHOPPER_REPORT });
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
      await fillReport(page, { files: evidence.images, js: false, report: SHOPPER_REPORT });
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
      await reloadUntilThumbnails(page, 2);
      check((await page.locator("#evidence img").count()) === 2, "the case does not list 2 evidence files");
      await extraShot(page, "nojs-case.png");
    });
    await ctx.close();
  });

  // The officer side. A newcomer's officers (made by run.sh with `reviewwatch officer add`) work
  // one new case from the queue to 举报属实, while its reporter answers from the status email.
  const off = {}; // what the officer steps hand each other
  await part("Officer: a supervisor works a case, its reporter answers (JavaScript on)", async () => {
    check(SUPERVISOR.email && SUPERVISOR.password && OFFICER.email, "run.sh did not pass the officers' logins (SUPERVISOR_EMAIL, …)");
    if (!evidence) evidence = await makeEvidence(browser);
    let filed = [];
    try {
      await step("five more shoppers file reports through the form (淘宝, 美团, 京东, 拼多多 ×2)", async () => {
        const pictures = await Promise.all(OTHER_REPORTS.map((r, i) => drawPng(browser, pictureHtml(r.picture), `other-${i + 1}.png`)));
        const order = await drawPng(browser, orderHtml(), "订单详情.png", "#pii");
        off.orderFile = order.file;
        off.pii = { x: Math.round(order.box.x), y: Math.round(order.box.y), w: Math.round(order.box.width), h: Math.round(order.box.height) };
        filed = await fileReports(browser, [
          { report: MAIN_REPORT, files: evidence.images, email: MAIN_REPORTER },
          ...OTHER_REPORTS.map((report, i) => ({ report, files: [pictures[i].file] })),
        ]);
        off.main = filed[0].number;
        off.others = filed.slice(1).map((f) => f.number);
        return `${off.main} (好评返现, with email), ${off.others.join(", ")}`;
      });

      const reporter = filed[0].ctx; // the main case's shopper keeps this browser
      const rp = filed[0].page;
      for (const f of filed.slice(1)) await f.ctx.close();
      filed = filed.slice(0, 1);

      await step("the 好评返现 reporter confirms from the email, so the case enters the queue", async () => {
        const { text } = await findMail(off.main, { also: (m, t) => t.includes("/confirm/") && (m.headers.to || "").includes(MAIN_REPORTER) });
        const link = /https?:\/\/\S+\/confirm\/[A-Za-z0-9_-]+/.exec(text)?.[0];
        check(link, "no /confirm/ link in the main report's email");
        await rp.goto(new URL(link).pathname);
        await Promise.all([rp.waitForLoadState("load"), rp.locator("form[data-action=confirm] button").click()]);
        await rp.locator("#confirm-result[data-result=confirmed]").waitFor();
      });

      const ctx = await browser.newContext(contextOptions);
      ctx.setDefaultTimeout(15000);
      const page = watch(await ctx.newPage(), "officer");
      current = page;

      await step("/officer/cases without a session redirects to /officer/login", async () => {
        const res = await page.goto("/officer/cases");
        const u = new URL(page.url());
        check(u.pathname === "/officer/login", `GET /officer/cases ended at ${u.pathname}, expected /officer/login`);
        check(res.status() === 200, `the login page answered ${res.status()}`);
        check((await page.locator("#queue").count()) === 0, "the queue shows without a session");
        await extraShot(page, "officer-login.png");
        return `${u.pathname}${u.search}`;
      });

      await step("the supervisor logs in through the form (email, password) and lands on the queue they asked for", async () => {
        await logIn(page, SUPERVISOR);
        const u = new URL(page.url());
        check(u.pathname === "/officer/cases", `after logging in the browser is at ${u.pathname}`);
        const who = (await page.locator("form[data-action=logout]").textContent()).trim();
        check(who.includes(SUPERVISOR.name), `the header does not name ${SUPERVISOR.name}: “${who}”`);
        return who;
      });

      await step("the queue lists the open cases with per-status counts", async () => {
        const rows = page.locator("#queue tbody tr");
        const numbers = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-case")));
        for (const n of [off.main, ...off.others, found.anonymous].filter(Boolean)) {
          check(numbers.includes(n), `${n} is not in the queue (${numbers.join(", ")})`);
        }
        if (found.caseNumber) check(!numbers.includes(found.caseNumber), `the withdrawn ${found.caseNumber} is in the open queue`);
        const count = async (sel) => Number((await page.locator(`#status-counts ${sel} > span`).first().textContent()).trim());
        const submitted = await count("li[data-status=submitted]");
        const shown = await rows.locator("[data-status=submitted]").count();
        check(submitted === shown, `the sidebar counts ${submitted} submitted, the table shows ${shown}`);
        const open = await count("li:first-child");
        check(open === numbers.length, `the sidebar's 待办理 says ${open}, the table has ${numbers.length} rows`);
        const withdrawn = await count("li[data-status=withdrawn]");
        check(withdrawn >= 1, `the sidebar counts ${withdrawn} withdrawn cases`);
        await shot(page, "officer-queue.png");
        return `${numbers.length} open cases; 已提交 ${submitted}, 已撤回 ${withdrawn}`;
      });

      await step("filter 拼多多 + 好评返现 + 广东省: only matching cases", async () => {
        const form = page.locator("#queue-filters");
        await form.locator("select[name=platform]").selectOption({ label: "拼多多" });
        await form.locator("select[name=category]").selectOption({ label: "好评返现" });
        await form.locator("select[name=province]").selectOption({ label: "广东省" });
        await Promise.all([page.waitForURL(/platform=pinduoduo/), form.locator("button[type=submit]").click()]);
        const rows = await page.locator("#queue tbody tr").evaluateAll((trs) => trs.map((tr) => ({
          number: tr.getAttribute("data-case"),
          where: tr.cells[3].innerText.replace(/\s+/g, " "),
          category: tr.querySelector("td.category").innerText.trim(),
        })));
        check(rows.some((r) => r.number === off.main), `${off.main} is not among the filtered cases`);
        for (const r of rows) {
          check(r.where.includes("拼多多") && r.where.includes("广东省") && r.category === "好评返现", `${r.number} does not match the filter: ${r.where} / ${r.category}`);
        }
        for (const n of off.others) check(!rows.some((r) => r.number === n), `${n} shows although it does not match`);
        check((await form.locator("select[name=platform]").inputValue()) === "pinduoduo", "the platform filter was not kept on the page");
        await extraShot(page, "officer-queue-filtered.png");
        return rows.map((r) => r.number).join(", ");
      });

      await step("search q=好评返现 finds the case, and not the other kinds", async () => {
        await page.goto("/officer/cases");
        await page.fill("#q", "好评返现");
        await Promise.all([page.waitForURL(/[?&]q=/), page.press("#q", "Enter")]);
        const numbers = await page.locator("#queue tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-case")));
        check(numbers.includes(off.main), `the search for 好评返现 did not find ${off.main} (${numbers.join(", ") || "nothing"})`);
        for (const n of off.others) check(!numbers.includes(n), `the search for 好评返现 found ${n}, which is about something else`);
        check((await page.inputValue("#q")) === "好评返现", "the search box did not keep the words");
        return numbers.join(", ");
      });

      const casePath = `/officer/cases/${off.main}`;
      await step("the case opens from the queue by its number link", async () => {
        await Promise.all([page.waitForURL(`**${casePath}`), page.locator("a.case-link", { hasText: off.main }).click()]);
        check((await page.locator("h1").first().textContent()).trim() === off.main, "the case page's heading is not the case number");
        check((await caseStatus(page)) === "submitted", `status is ${await caseStatus(page)}, expected submitted`);
        check((await page.locator("#reporter-email").textContent()).includes(MAIN_REPORTER), "the officer does not see the reporter's email");
        check((await page.locator("#evidence > li").count()) === 2, "the case does not list its 2 screenshots");
        await extraShot(page, "officer-case-new.png");
      });

      await step("assign it to 李明 (data-action=assign): 审核中, 承办人 李明", async () => {
        const form = page.locator("form[data-action=assign]");
        const options = await form.locator("select[name=officer_id] option").allTextContents();
        const label = options.find((o) => o.includes(OFFICER.name));
        check(label, `李明 is not offered: ${options.join(" | ")}`);
        await form.locator("select[name=officer_id]").selectOption({ label });
        await submitAndLoad(page, form, `**${casePath}`);
        await refusedNot(page, "#action-problem", "the portal refused the action");
        check((await caseStatus(page)) === "in_review", `status is ${await caseStatus(page)}, expected in_review`);
        const who = (await page.locator("#assignee").textContent()).trim();
        check(who === OFFICER.name, `承办人 reads “${who}”`);
        return `${label.trim()}`;
      });

      off.request = "请补充上传订单详情页截图，需要能看到订单编号和下单时间。";
      await step("ask the reporter for the order screenshot (data-action=request_info): awaiting_reporter", async () => {
        const form = await openAction(page, "request_info");
        await form.locator("textarea[name=message]").fill(off.request);
        await submitAndLoad(page, form, `**${casePath}`);
        await refusedNot(page, "#action-problem", "the portal refused the action");
        check((await caseStatus(page)) === "awaiting_reporter", `status is ${await caseStatus(page)}, expected awaiting_reporter`);
        check((await page.locator("#messages").textContent()).includes(off.request), "the request is not in the conversation");
        await extraShot(page, "officer-case-awaiting.png");
        return (await page.locator("#case-status").textContent()).trim();
      });

      // The reporter, in their own browser.
      await step("the reporter's status email holds the officer's message and a /track/link/ URL", async () => {
        const { mail, text } = await findMail(off.request, { also: (m) => (m.headers.to || "").includes(MAIN_REPORTER) });
        const link = /https?:\/\/\S+\/track\/link\/[A-Za-z0-9_-]+/.exec(text)?.[0];
        check(link, "no /track/link/ URL in the email");
        check(new URL(link).origin === PORTAL, `the link points at ${new URL(link).origin}`);
        off.accessPath = new URL(link).pathname;
        return decodeWords(mail.headers.subject || "");
      });

      current = rp;
      await step("the link opens the case for the reporter, who sees the message", async () => {
        const res = await rp.goto(off.accessPath);
        check(res.status() === 200, `GET ${off.accessPath} answered ${res.status()}`);
        await Promise.all([rp.waitForURL("**/track/case"), rp.click("#open-case")]);
        check((await caseStatus(rp)) === "awaiting_reporter", `the reporter sees ${await caseStatus(rp)}`);
        check((await rp.locator("#messages").textContent()).includes(off.request), "the reporter does not see the officer's message");
        await extraShot(rp, "reporter-awaiting.png");
        // The reply form as the reporter sees it on a phone and at a desk, in both languages
        // (issue 16: every main page at 390×844 and 1440×900), scrolled to the form.
        const viewport = rp.viewportSize();
        for (const lang of ["zh-CN", "en"]) {
          await rp.goto(`/lang/${lang}?next=/track/case`);
          await rp.waitForURL("**/track/case");
          for (const [width, height] of [[390, 844], [1440, 900]]) {
            await rp.setViewportSize({ width, height });
            await rp.locator("form[data-action=reply]").scrollIntoViewIfNeeded();
            const name = `reply-${width}-${lang === "en" ? "en" : "zh"}.png`;
            await rp.screenshot({ path: path.join(SHOTS, name), animations: "disabled" });
          }
        }
        await rp.goto("/lang/zh-CN?next=/track/case");
        await rp.waitForURL("**/track/case");
        if (viewport) await rp.setViewportSize(viewport);
      });

      off.answer = "已补充订单详情截图，订单编号 240915-556677889900，下单时间 2026-01-12 20:41。";
      await step("the reporter answers with text and a screenshot (data-action=reply): in_review", async () => {
        const form = rp.locator("form[data-action=reply]");
        await form.locator("textarea[name=message]").fill(off.answer);
        await form.locator("input[name=evidence]").setInputFiles([off.orderFile]);
        await submitAndLoad(rp, form, "**/track/case");
        check((await caseStatus(rp)) === "in_review", `after answering the reporter sees ${await caseStatus(rp)}`);
        await reloadUntilThumbnails(rp, 3);
        check((await rp.locator("#evidence img").count()) === 3, `the reporter sees ${await rp.locator("#evidence img").count()} screenshots, expected 3`);
        check((await rp.locator("#messages").textContent()).includes(off.answer), "the answer is not shown to the reporter");
        return (await rp.locator("#case-status").textContent()).trim();
      });

      current = page;
      await step("the supervisor sees the answer and the new screenshot (补充材料)", async () => {
        await page.goto(casePath);
        check((await caseStatus(page)) === "in_review", `status is ${await caseStatus(page)}`);
        check((await page.locator("#messages li.from-reporter").textContent()).includes(off.answer), "the reporter's answer is missing");
        const items = page.locator("#evidence > li");
        check((await items.count()) === 3, `${await items.count()} evidence files, expected 3`);
        const last = items.nth(2);
        check((await last.textContent()).includes("订单详情.png"), "the third file is not the order screenshot");
        check((await last.textContent()).includes("补充材料"), "the new screenshot is not marked as 补充材料");
        const img = last.locator("img");
        await img.scrollIntoViewIfNeeded();
        await img.evaluate((el) => el.complete || new Promise((r) => el.addEventListener("load", r, { once: true })));
        check((await img.evaluate((el) => el.naturalWidth)) > 0, "the new screenshot's thumbnail does not load");
        off.evidenceId = await last.locator("a[data-redact]").getAttribute("data-redact");
      });

      off.note = "订单截图与举报卡片店铺一致，好评返现证据充分。";
      await step("an internal note (data-action=note) shows for officers, not for the reporter", async () => {
        const form = page.locator("form[data-action=note]");
        await form.locator("textarea[name=body]").fill(off.note);
        await submitAndLoad(page, form, `**${casePath}`);
        await refusedNot(page, "#action-problem", "the portal refused the action");
        check((await page.locator("#notes").textContent()).includes(off.note), "the note is not listed");
        await rp.reload();
        check(!(await rp.content()).includes(off.note), "the reporter's page shows the internal note");
      });

      await step("before the redaction the reporter's thumbnail has no black box where the phone is", async () => {
        const img = rp.locator(`#evidence img[src*="/evidence/${off.evidenceId}/thumb"]`);
        off.darkBefore = await darkShareOfImg(img, off.pii);
        check(off.darkBefore < 0.5, `${Math.round(off.darkBefore * 100)}% of the area is already dark`);
        return `${Math.round(off.darkBefore * 100)}% dark`;
      });

      await step("遮盖个人信息: one rectangle drawn with the mouse over name, phone and address", async () => {
        await Promise.all([page.waitForURL(`**/evidence/${off.evidenceId}/redact`), page.locator(`a[data-redact="${off.evidenceId}"]`).click()]);
        const img = page.locator("#redact-image");
        await img.evaluate((el) => el.complete || new Promise((r) => el.addEventListener("load", r, { once: true })));
        const box = await img.boundingBox();
        const k = box.width / 720;
        const pad = 6; // a little beyond the text, as a person would draw it
        const from = { x: box.x + (off.pii.x - pad) * k, y: box.y + (off.pii.y - pad) * k };
        const to = { x: box.x + (off.pii.x + off.pii.w + pad) * k, y: box.y + (off.pii.y + off.pii.h + pad) * k };
        await page.mouse.move(from.x, from.y);
        await page.mouse.down();
        await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
        await page.mouse.move(to.x, to.y, { steps: 4 });
        await page.mouse.up();
        const typed = (await page.inputValue("#rects")).trim();
        const m = /^(\d+),(\d+),(\d+),(\d+)$/.exec(typed);
        check(m, `the drawn rectangle was written as “${typed}”, expected one line x,y,w,h`);
        const [x, y, w, h] = m.slice(1).map(Number);
        const near = (a, b) => Math.abs(a - b) <= 6;
        const want = { x: off.pii.x - pad, y: off.pii.y - pad, w: off.pii.w + 2 * pad, h: off.pii.h + 2 * pad };
        check(near(x, want.x) && near(y, want.y) && near(w, want.w) && near(h, want.h), `drew ${typed}, expected about ${want.x},${want.y},${want.w},${want.h}`);
        check((await page.locator("#redact-canvas .redact-box").count()) === 1, "the drawn box is not shown over the image");
        off.drawn = { x, y, w, h };
        await extraShot(page, "officer-redact-drawn.png");
        const form = page.locator("form[data-action=redact]");
        await submitAndLoad(page, form, `**/evidence/${off.evidenceId}/redact`);
        await page.locator("#redaction-current").waitFor();
        await refusedNot(page, "#redact-problem", "the redaction was refused");
        check((await page.inputValue("#rects")).trim() === typed, "the page does not keep the rectangle after the redaction");
        await extraShot(page, "officer-redact.png");
        return `rectangle ${typed} (image pixels; the element is ${off.pii.x},${off.pii.y},${off.pii.w},${off.pii.h})`;
      });

      await step("the reporter is now sent the redacted thumbnail and display copy (black where the phone was)", async () => {
        const thumb = await darkShareOfUrl(rp, `/track/case/evidence/${off.evidenceId}/thumb`, off.pii);
        const display = await darkShareOfUrl(rp, `/track/case/evidence/${off.evidenceId}/display`, off.pii);
        check(thumb > 0.9 && display > 0.9, `the redacted area is ${Math.round(thumb * 100)}% dark in the thumbnail and ${Math.round(display * 100)}% in the display copy the portal sends the reporter`);
        return `${Math.round(off.darkBefore * 100)}% → ${Math.round(thumb * 100)}% dark (thumbnail), ${Math.round(display * 100)}% (display copy)`;
      });

      // What the reporter's own page shows: a browser that showed the thumbnail before may keep it.
      const shown = "the reporter's case page, opened again, shows the redacted thumbnail";
      await rp.goto("/track/case");
      const seen = await darkShareOfImg(rp.locator(`#evidence img[src*="/evidence/${off.evidenceId}/thumb"]`), off.pii);
      if (seen > 0.9) await step(shown, async () => `${Math.round(seen * 100)}% dark`);
      else known(shown, `the page still shows the unredacted thumbnail (${Math.round(seen * 100)}% dark) from the browser's cache: ` +
        "/track/case/evidence/{id}/thumb keeps its URL after a redaction and is sent with Cache-Control: private, max-age=600");

      await step("substantiate (data-action=substantiate): 举报属实", async () => {
        await page.goto(casePath);
        const form = await openAction(page, "substantiate");
        await form.locator("textarea[name=finding]").fill("卡片、聊天记录和订单截图相互印证，认定商家以返现诱导五星好评。");
        await form.locator("textarea[name=note]").fill("已与平台核实订单。");
        await submitAndLoad(page, form, `**${casePath}`);
        await refusedNot(page, "#action-problem", "the portal refused the action");
        check((await caseStatus(page)) === "substantiated", `status is ${await caseStatus(page)}, expected substantiated`);
        return (await page.locator("#case-status").textContent()).trim();
      });

      await step("the audit trail is data-chain=intact and lists every step; screenshot of the case", async () => {
        check((await page.locator("#chain-status").getAttribute("data-chain")) === "intact", `data-chain is ${await page.locator("#chain-status").getAttribute("data-chain")}`);
        const trail = (await page.locator("table.trail").textContent()).replace(/\s+/g, " ");
        const actions = await page.locator("table.trail tr[data-audit-action]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-audit-action")));
        const missing = ["evidence_redacted"].filter((a) => !actions.includes(a) && !trail.includes(a));
        check(missing.length === 0, `the trail lacks ${missing.join(", ")}`);
        const rows = await page.locator("table.trail tbody tr").count();
        await page.evaluate(() => window.scrollTo(0, 0));
        await shot(page, "officer-case.png");
        return `${rows} rows`;
      });

      await step("工作日历: 2027 without its notice counts 春节 除夕–初三 with 补假 (02-05…02-10), marked 暂定", async () => {
        await page.goto("/officer/calendar");
        const row = page.locator("tr[data-year='2027']");
        check((await row.getAttribute("data-calendar")) === "provisional", `2027 is ${await row.getAttribute("data-calendar")}, expected provisional`);
        const text = (await row.textContent()).replace(/\s+/g, " ");
        check(text.includes("02-05, 02-06, 02-07, 02-08, 02-09, 02-10"), `2027's 春节 days are “${text}”`);
        check(text.includes("暂定"), "the provisional year is not marked 暂定");
        check((await page.locator("tr[data-year='2026']").getAttribute("data-calendar")) === "official", "2026 is not official");
        return text.slice(0, 80);
      });

      await step("uploading the 2027 year file through the form puts it in force at once", async () => {
        const notice = {
          year: 2027,
          source: "国务院办公厅关于2027年部分节假日安排的通知（浏览器测试用）",
          holidays: {
            "元旦 New Year": ["2027-01-01", "2027-01-02", "2027-01-03"],
            "春节 Spring Festival": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13"],
            "清明节 Qingming": ["2027-04-03", "2027-04-04", "2027-04-05"],
            "劳动节 Labour Day": ["2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04", "2027-05-05"],
            "端午节 Dragon Boat": ["2027-06-09"],
            "中秋节 Mid-Autumn": ["2027-09-15"],
            "国庆节 National Day": ["2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"],
          },
          adjusted_working_days: ["2027-01-30", "2027-02-20"],
        };
        const form = page.locator("form[data-action=import_calendar]");
        await form.locator("input[name=calendar_file]").setInputFiles({ name: "2027.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(notice, null, 2)) });
        await submitAndLoad(page, form, "**/officer/calendar?loaded=2027**");
        await refusedNot(page, "#calendar-problems", "the year file was refused");
        const outcome = (await page.locator("#calendar-outcome").textContent()).trim();
        check(outcome.includes("2027"), `the page says “${outcome}”`);
        const row = page.locator("tr[data-year='2027']");
        check((await row.getAttribute("data-calendar")) === "official", "2027 did not become official");
        check((await row.textContent()).includes("01-30"), "the worked Saturday 30 January is not listed");
        await shot(page, "officer-calendar.png");
        return outcome;
      });

      await step("emails: the reporter got 审核中 / 待补充材料 / 举报属实, 李明 got 已分配给您 and 举报人已补充材料", async () => {
        const subjectOf = async (to, words) => {
          const { mail } = await findMail(off.main, { ms: 10000, also: (m) => (m.headers.to || "").includes(to) && decodeWords(m.headers.subject || "").includes(words) });
          return decodeWords(mail.headers.subject);
        };
        const got = [];
        for (const s of ["审核中", "待补充材料", "举报属实"]) got.push(await subjectOf(MAIN_REPORTER, s));
        for (const s of ["已分配给您", "举报人已补充材料"]) got.push(await subjectOf(OFFICER.email, s));
        return got.join(" | ");
      });
      await ctx.close();
    } finally {
      for (const f of filed) await f.ctx.close().catch(() => {});
    }
  });

  await part("Officer with JavaScript off (plain forms)", async () => {
    check(off.main && off.evidenceId, "the officer part above did not get as far as a case with evidence");
    const ctx = await browser.newContext({ ...contextOptions, javaScriptEnabled: false });
    ctx.setDefaultTimeout(15000);
    const page = watch(await ctx.newPage(), "officer-nojs");
    current = page;
    const casePath = `/officer/cases/${off.main}`;

    await step("without JavaScript the login form and the case page work; a note is added", async () => {
      await page.goto(casePath);
      check(new URL(page.url()).pathname === "/officer/login", "the case page did not send a browser without a session to the login page");
      await logIn(page, SUPERVISOR);
      check(new URL(page.url()).pathname === casePath, `after logging in the browser is at ${new URL(page.url()).pathname}, not back at the case`);
      const body = "无 JavaScript 环境下添加的备注。";
      const form = page.locator("form[data-action=note]");
      await form.locator("textarea[name=body]").fill(body);
      await submitAndLoad(page, form, `**${casePath}`);
      check((await page.locator("#notes").textContent()).includes(body), "the note added without JavaScript is not listed");
      check((await page.locator("#chain-status").getAttribute("data-chain")) === "intact", "the chain is not intact after the note");
    });

    await step("the redaction page takes typed coordinates (a bad line is refused first)", async () => {
      const first = page.locator("#evidence > li").first();
      const id = await first.locator("a[data-redact]").getAttribute("data-redact");
      await Promise.all([page.waitForURL(`**/evidence/${id}/redact`), first.locator("a[data-redact]").click()]);
      check(await page.locator("#redact-clear").isHidden(), "the JavaScript-only 清除 button shows without JavaScript");
      const form = page.locator("form[data-action=redact]");
      await form.locator("textarea[name=rects]").fill("四十,40,200");
      await submitAndLoad(page, form, `**/evidence/${id}/redact`);
      const problem = (await page.locator("#redact-problem").textContent().catch(() => "")).trim();
      check(problem.includes("1"), `a malformed line was not refused by name: “${problem}”`);
      await extraShot(page, "officer-redact-nojs-refused.png");
      await form.locator("textarea[name=rects]").fill("40,160,640,90");
      await submitAndLoad(page, form, `**/evidence/${id}/redact`);
      await refusedNot(page, "#redact-problem", "the typed rectangle was refused");
      await page.locator("#redaction-current").waitFor();
      check((await page.locator("#redact-canvas .redact-applied rect").count()) === 1, "the redacted area is not drawn over the image without JavaScript");
      await extraShot(page, "officer-redact-nojs.png");
      return `refused: “${problem}”; then 40,160,640,90 accepted`;
    });
    await ctx.close();
  });

  // Issue #11: two shoppers name the same recruiter in different words on different platforms, a
  // third sends a recompressed, cropped copy of the first one's screenshot; the officer sees the
  // chain on each case, with the reason.
  await part("Chains and a campaign: a shared recruiter, a copied screenshot, one package (JavaScript on)", async () => {
    // A phone screenshot: portrait, as phones take them.
    const phone = { width: 540, height: 960 };
    const card = await drawPng(browser, pictureHtml({ title: "好评返现 · 五星好评返 5 元", color: "#c62828", lines: ["五星好评 + 3 张图，截图发客服", "加V信 sd-zhaomu2026 领红包", "刷单兼职 日结 · 手机 138 0013 8000", "扫码进群 · 每天发任务", "好评截图发群里领红包"] }), "chain-card.png", null, phone);
    const other = await drawPng(browser, pictureHtml({ title: "抖音小店 · 订单详情", color: "#161823", lines: ["运动水杯 ×1　实付 ¥29.90", "物流：已签收", "客服：好评返现联系微信"] }), "chain-other.png", null, phone);
    // The copy: the status-bar strip cut off, scaled to 80 %, saved as a JPEG at quality 0.6 —
    // what a screenshot looks like after being forwarded in a chat app.
    const copyPage = await browser.newPage();
    const copyB64 = await copyPage.evaluate(async (b64) => {
      const img = new Image();
      img.src = "data:image/png;base64," + b64;
      await img.decode();
      const top = 40, w = Math.round(img.width * 0.8), h = Math.round((img.height - top) * 0.8);
      const c = document.createElement("canvas"); c.width = w; c.height = h;
      c.getContext("2d").drawImage(img, 0, top, img.width, img.height - top, 0, 0, w, h);
      return c.toDataURL("image/jpeg", 0.6).split(",")[1];
    }, fs.readFileSync(card.file).toString("base64"));
    await copyPage.close();
    const copyFile = path.join(WORK_DIR, "chain-card-copy.jpg");
    fs.writeFileSync(copyFile, Buffer.from(copyB64, "base64"));

    const base = { region: ["440000", "440100", "440106"], seenDaysAgo: 2, category: "fake_order_recruitment" };
    const reports = await fileReports(browser, [
      { report: { ...base, platform: "taobao", shopName: "潮流女装铺", shopUrl: "https://shop778899.taobao.com/?spm=a1z10.3-c", consentPlatform: true,
          description: "包裹里夹着招刷手的卡片，写着“加V信：sd-zhaomu2026，电话１３８ ００１３ ８０００，日结佣金”。卡片照片已上传。" }, files: [card.file] },
      { report: { ...base, platform: "douyin", shopName: "运动好物小店", shopUrl: "https://haohuo.jinritemai.com/views/shop/index?id=KdPqRsT",
          description: "直播间评论区有人私信招“体验官”，让我加微信 sd-zhaomu2026 手机13800138000，说下单好评后返款加佣金。" }, files: [other.file] },
      { report: { ...base, platform: "jd", shopName: "居家日用专营店", shopUrl: "https://mall.jd.com/index-10086123.html", category: "cashback_for_review",
          description: "朋友转给我一张照片，说是在京东买东西时包裹里收到的，好评返现还让加人做兼职。我把转来的图片传上来。" }, files: [copyFile] },
    ]);
    for (const r of reports) await r.ctx.close();

    const ctx = await browser.newContext(contextOptions);
    ctx.setDefaultTimeout(15000);
    const page = watch(await ctx.newPage(), "officer-chains");
    current = page;
    await page.goto("/officer/login");
    await logIn(page, OFFICER);
    // Each shopper's case, found in the queue by its shop's name.
    const numberOf = async (shop) => {
      await page.goto(`/officer/cases?q=${encodeURIComponent(shop)}`);
      // The row that names the shop (the list is by last activity, and a background job may
      // have touched another of the three cases since).
      return (await page.locator("tr", { hasText: shop }).locator("a.case-link").first().textContent()).trim();
    };
    const a = await numberOf("潮流女装铺");
    const b = await numberOf("运动好物小店");
    const c = await numberOf("居家日用专营店");

    const reasonsOn = async (number, other) => page.locator(`#related-cases li.related-case[data-case="${other}"] li[data-reason]`).evaluateAll((els) => els.map((e) => e.getAttribute("data-reason")));
    await step("the first shopper's case lists the second (same WeChat id and number) and the third (copied screenshot)", async () => {
      await page.goto(`/officer/cases/${a}`);
      // Screenshots are compared once the background job made their fingerprints (the runner
      // looks every 15 s): reload, as an officer would, until the copied card is linked.
      const screenshotLinked = async () => (await reasonsOn(a, c)).some((r) => /_screenshot$/.test(r));
      for (let tries = 0; !(await screenshotLinked()) && tries < 60; tries++) {
        await page.waitForTimeout(1000);
        await page.reload();
      }
      const toB = await reasonsOn(a, b);
      const toC = await reasonsOn(a, c);
      check(toB.includes("same_contact"), `${a} → ${b}: ${toB.join(", ") || "not listed"}`);
      check(toC.includes("similar_screenshot") || toC.includes("same_screenshot"), `${a} → ${c}: ${toC.join(", ") || "not listed"}`);
      const text = await page.locator(`#related-cases li.related-case[data-case="${b}"]`).innerText();
      check(text.includes("sd-zhaomu2026"), `the WeChat id is not shown as the reason: ${text}`);
      check(text.includes("13800138000"), `the mobile number is not shown as the reason: ${text}`);
      await shot(page, "officer-related-cases.png");
      return `${b}: ${toB.join(", ")}; ${c}: ${toC.join(", ")}`;
    });
    await step("each of the others sees the first, with the reason", async () => {
      await page.goto(`/officer/cases/${b}`);
      const fromB = await reasonsOn(b, a);
      check(fromB.includes("same_contact"), `${b} → ${a}: ${fromB.join(", ") || "not listed"}`);
      await page.goto(`/officer/cases/${c}`);
      const fromC = await reasonsOn(c, a);
      check(fromC.includes("similar_screenshot") || fromC.includes("same_screenshot"), `${c} → ${a}: ${fromC.join(", ") || "not listed"}`);
      return `${b} → ${a}: ${fromB.join(", ")}; ${c} → ${a}: ${fromC.join(", ")}`;
    });
    await step("the officer confirms a link; it reads as confirmed on both cases", async () => {
      await page.goto(`/officer/cases/${b}`);
      const form = page.locator(`#related-cases form[data-other="${a}"]`);
      await Promise.all([page.waitForURL(`**/officer/cases/${b}**`), form.locator("button[value=confirmed]").click()]);
      const verdict = await page.locator(`#related-cases li.related-case[data-case="${a}"] .link-verdict`).getAttribute("data-verdict");
      check(verdict === "confirmed", `the link reads ${verdict}`);
      await page.goto(`/officer/cases/${a}`);
      const back = await page.locator(`#related-cases li.related-case[data-case="${b}"] .link-verdict`).getAttribute("data-verdict");
      check(back === "confirmed", `from ${a} the link reads ${back}`);
    });
    await step("the merchant page lists the shop's cases", async () => {
      await page.goto(`/officer/cases/${a}`);
      await Promise.all([page.waitForURL("**/officer/merchants?**"), page.click("#merchant-link")]);
      const total = await page.locator("#merchant-total").getAttribute("data-total");
      check(total === "1", `the merchant page counts ${total}`);
      check((await page.locator("#merchant-key").textContent()).trim() === "778899", "the shop id is not read from the address");
      await shot(page, "officer-merchant.png");
    });

    // A campaign: the chain linked from one case page in a few clicks, read as a graph,
    // substantiated with one finding and handed off as one package that verifies.
    const sup = await browser.newContext(contextOptions);
    const sp = watch(await sup.newPage(), "supervisor-directory");
    await step("a supervisor adds 广州市市场监督管理局 to the regulator directory", async () => {
      await sp.goto("/officer/login");
      await logIn(sp, SUPERVISOR);
      await sp.goto("/officer/regulators");
      const form = sp.locator("form[data-action=add_regulator]");
      await form.locator("input[name=name]").fill("广州市市场监督管理局");
      await form.locator("select[name=kind]").selectOption("market");
      await form.locator("input[name=region_code]").fill("440100");
      await form.locator("input[name=email]").fill("gz-amr@regulator.example.cn");
      await submitAndLoad(sp, form, "**/officer/regulators");
      await refusedNot(sp, "#directory-problem", "the regulator was refused");
    });
    await sup.close();

    let campaignPath = null;
    await step("from one case page the suggested cases are offered (strong links ticked); one click groups them into a campaign", async () => {
      await page.goto(`/officer/cases/${a}`);
      const box = page.locator("#case-campaign");
      const ticked = await box.locator("input[name=also]:checked").evaluateAll((els) => els.map((e) => e.value));
      check(ticked.includes(b), `ticked: ${ticked.join(", ") || "none"} (expected ${b}: the shared WeChat id is a strong link)`);
      // The copied screenshot is a likely link, offered but left for the officer to tick.
      const offer = box.locator(`input[name=also][value="${c}"]`);
      check((await offer.count()) === 1, `${c} (the copied screenshot) is not offered`);
      await offer.check();
      await box.locator("#campaign_name").fill("体验官招募 sd-zhaomu2026");
      await Promise.all([page.waitForURL("**/officer/campaigns/*"), box.locator("button[type=submit]").click()]);
      campaignPath = new URL(page.url()).pathname;
      const members = await page.locator("#campaign-members tr.campaign-member").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-case")));
      check([a, b, c].every((n) => members.includes(n)), `the campaign holds ${members.join(", ")}`);
      return `${campaignPath}: ${members.join(", ")}`;
    });
    await step("the campaign page draws the chain: cases, merchants and the shared contacts", async () => {
      await page.goto(campaignPath);
      check((await page.locator("#campaign-graph svg.graph-canvas").count()) === 1, "no graph");
      const caseNodes = await page.locator("#campaign-graph svg.graph-canvas [data-case]").count();
      check(caseNodes === 3, `${caseNodes} case nodes drawn`);
      const contacts = (await page.locator("#campaign-contacts").innerText()).replace(/\s+/g, " ");
      check(contacts.includes("sd-zhaomu2026"), `the shared WeChat id is not listed: ${contacts}`);
      check((await page.locator("#campaign-graph-table tbody tr").count()) === 3, "the table does not list the 3 cases");
      await shot(page, "officer-campaign.png");
      return `${caseNodes} cases, ${await page.locator("#campaign-merchants tr[data-merchant]").count()} merchants`;
    });
    await step("one finding substantiates the three cases", async () => {
      const form = page.locator("form[data-action=substantiate_campaign]");
      await form.locator("textarea[name=finding]").fill("三家店铺的招募卡片与私信均留同一微信号 sd-zhaomu2026 和手机号，卡片照片为同一张的转发件，认定为同一刷单组织者招募。");
      await submitAndLoad(page, form, `**${campaignPath}**`);
      await refusedNot(page, "#action-problem", "substantiating was refused");
      check((await page.locator("#campaign-all-substantiated").count()) === 1, "not every case is substantiated");
    });
    let zipFile = null;
    await step("hand_off_campaign sends one package; every case is handed off", async () => {
      const form = page.locator("form[data-action=hand_off_campaign]");
      const proposed = await form.locator("option[data-proposed]").first().getAttribute("value");
      check(proposed, "no regulator is proposed");
      await form.locator("select[name=regulator_id]").selectOption(proposed);
      await submitAndLoad(page, form, `**${campaignPath}**`);
      await refusedNot(page, "#action-problem", "the handoff was refused");
      const href = await page.locator("#campaign-handoffs a.campaign-package").getAttribute("href");
      const res = await page.request.get(href);
      check(res.ok(), `the package download answered ${res.status()}`);
      zipFile = path.join(WORK_DIR, "campaign.zip");
      fs.writeFileSync(zipFile, await res.body());
      for (const n of [a, b, c]) {
        await page.goto(`/officer/cases/${n}`);
        check((await caseStatus(page)) === "handed_off", `${n} is ${await caseStatus(page)}`);
      }
      return `${fs.statSync(zipFile).size} bytes`;
    });
    await step("the regulator's email names the campaign and its links", async () => {
      const { text } = await findMail("串案“体验官招募 sd-zhaomu2026”");
      check(text.includes("/handoff/campaign/"), "no campaign link in the email");
      check([a, b, c].every((n) => text.includes(n)), "the email does not list every case");
    });
    await step("reviewwatch verify accepts the package (and sha256sum -c where unzip is here)", async () => {
      const bin = process.env.REVIEWWATCH_BIN;
      check(bin && fs.existsSync(bin), `no reviewwatch binary at ${bin}`);
      const pem = path.join(WORK_DIR, "portal-key.pem");
      fs.writeFileSync(pem, await (await page.request.get("/.well-known/reviewwatch-signing-key")).text());
      const out = execFileSync(bin, ["verify", zipFile, "--key", pem], { encoding: "utf8" });
      let sums = "sha256sum -c skipped (no unzip)";
      try {
        const dir = fs.mkdtempSync(path.join(WORK_DIR, "campaign-"));
        execFileSync("unzip", ["-q", zipFile, "-d", dir]);
        const folder = fs.readdirSync(dir)[0];
        const ok = execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: path.join(dir, folder), encoding: "utf8" });
        sums = `sha256sum -c: ${ok.split("\n").filter((l) => l.endsWith(": OK")).length} files OK`;
      } catch (e) {
        if (e.code !== "ENOENT") throw e;
      }
      return `${out.trim().split("\n").pop()}; ${sums}`;
    });
    // Issue #13: the platform hears of the case once the regulator acknowledges, answers through
    // its signed link, and the reporter and the officer read the answer; a published penalty,
    // approved by a supervisor, goes on the public record.
    const desks = await browser.newContext(contextOptions);
    const dp = watch(await desks.newPage(), "supervisor-desks");
    await step("a supervisor adds 淘宝's governance desk to the platform desk directory", async () => {
      await dp.goto("/officer/login");
      await logIn(dp, SUPERVISOR);
      await dp.goto("/officer/platform-desks");
      const form = dp.locator("form[data-action=add_platform_desk]");
      await form.locator("select[name=kind]").selectOption("platform");
      await form.locator("select[name=platform]").selectOption("taobao");
      await form.locator("input[name=name]").fill("淘宝平台规则与治理中心");
      await form.locator("input[name=email]").fill("governance@taobao-desk.example");
      await submitAndLoad(dp, form, "**/officer/platform-desks");
      await refusedNot(dp, "#desk-problem", "the desk was refused");
    });
    let regulatorMail = null;
    await step("the regulator acknowledges the campaign; 淘宝's desk gets a notice for the taobao case only", async () => {
      regulatorMail = (await findMail("串案“体验官招募 sd-zhaomu2026”")).text;
      const ack = regulatorMail.match(/https?:\/\/\S+\/handoff\/campaign\/\d+\/acknowledge\/\S+/)[0];
      const rp = watch(await desks.newPage(), "regulator");
      await rp.goto(ack);
      await Promise.all([rp.waitForLoadState("load"), rp.locator("form[data-action=acknowledge] button[type=submit]").click()]);
      const { text } = await findMail(`通知编号：${a}`);
      check(text.includes("举报线索，非行政认定") && text.includes("第三十一条"), "the notice lacks its statement or the preservation request");
      check(!text.includes(reports[0].code), "the notice holds the receipt code");
      await rp.close();
      return text.match(/\/platform\/\S+/)[0].slice(0, 24) + "…";
    });
    await step("the desk's page shows the notice with the checked screenshot copy; it answers 37 reviews removed, once", async () => {
      const { text } = await findMail(`通知编号：${a}`);
      const link = text.match(/https?:\/\/\S+\/platform\/\S+/)[0];
      const deskPage = watch(await (await browser.newContext(contextOptions)).newPage(), "platform-desk");
      await deskPage.goto(link);
      check((await deskPage.locator("#notice-statement").innerText()).includes("举报线索，非行政认定"), "no statement");
      check((await deskPage.locator("#notice-screenshots img").count()) === 1, "the consented screenshot is not shown");
      await shot(deskPage, "platform-notice.png");
      const form = deskPage.locator("form[data-action=platform_response]");
      await form.locator("input[name=response][value=reviews_removed]").check();
      await form.locator("input[name=reviews_removed_count]").fill("37");
      await submitAndLoad(deskPage, form, "**/platform/**");
      check((await deskPage.locator("#answer-result").getAttribute("data-result")) === "answered", "the answer was not taken");
      check((await deskPage.locator("form[data-action=platform_response]").count()) === 0, "the form is still offered");
      await shot(deskPage, "platform-notice-answered.png");
      await deskPage.context().close();
    });
    await step("the officer's case page and the reporter's tracking page show the platform's answer", async () => {
      await dp.goto(`/officer/cases/${a}`);
      const officerSees = await dp.locator("#platform-answer").innerText();
      check(officerSees.includes("37"), `the officer sees: ${officerSees}`);
      await dp.locator("#platform-notice").screenshot({ path: path.join(SHOTS, "officer-platform-notice.png") });
      const rctx = await browser.newContext(contextOptions);
      const rp = watch(await rctx.newPage(), "reporter-track");
      await rp.goto("/track");
      await rp.fill("input[name=case_number]", a);
      await rp.fill("input[name=receipt_code]", reports[0].code);
      await Promise.all([rp.waitForURL("**/track/case"), rp.locator("form[action='/track'] button[type=submit], #track-form button[type=submit]").first().click()]);
      const reporterSees = await rp.locator("#platform-answer").innerText();
      check(reporterSees.includes("37"), `the reporter sees: ${reporterSees}`);
      await shot(rp, "track-platform-answer.png");
      await rctx.close();
    });
    await step("the regulator records a published penalty for the taobao case; a supervisor approves it onto /record and the feed", async () => {
      const ack = regulatorMail.match(/https?:\/\/\S+\/handoff\/campaign\/\d+\/acknowledge\/\S+/)[0];
      const rp = watch(await desks.newPage(), "regulator-outcome");
      await rp.goto(ack);
      const href = await rp.locator(`#campaign-cases tr[data-case="${a}"] a.outcome-link`).getAttribute("href");
      await rp.goto(href);
      const form = rp.locator("form[data-action=outcome]");
      await form.locator("select[name=outcome]").selectOption("penalty");
      await form.locator("textarea[name=details]").fill("对该店铺组织虚假交易、以返现诱导好评的行为，责令改正并处罚款人民币五万元。");
      await form.locator("input[name=document_number]").fill("穗市监罚〔2026〕1234号");
      await form.locator("input[name=published]").check();
      await submitAndLoad(rp, form, "**/handoff/**");
      await rp.close();
      await dp.goto("/officer/record");
      const approve = dp.locator("form[data-action=approve_record]").first();
      check((await approve.count()) === 1, "no record candidate to approve");
      await submitAndLoad(dp, approve, "**/officer/record**");
      await dp.goto("/record");
      const listed = await dp.locator("main").innerText();
      check(listed.includes("潮流女装铺") && listed.includes("穗市监罚〔2026〕1234号"), "the shop is not on the public record");
      await shot(dp, "record.png");
      const feed = await (await dp.request.get("/record/feed.atom")).text();
      check(feed.includes("<feed") && feed.includes("穗市监罚〔2026〕1234号"), "the decision is not in the Atom feed");
    });
    await desks.close();

    await step("the dashboard lists the campaign among the chains of the last 30 days", async () => {
      await page.goto("/officer/dashboard");
      const text = (await page.locator("#dash-campaigns").innerText()).replace(/\s+/g, " ");
      check(text.includes("体验官招募 sd-zhaomu2026"), `the dashboard's campaigns: ${text}`);
      await shot(page, "officer-dashboard.png");
    });
    await ctx.close();
  });

  // Issue #10: a supervisor runs the team from the web, and a stolen password is not enough.
  await part("Supervisor: invite, second factor, deactivate (JavaScript on)", async () => {
    const NEWCOMER = { email: "zhao.min@example.gov.cn", name: "赵敏", password: `赵敏-Journey-${Date.now()}` };
    const sup = await browser.newContext(contextOptions);
    const page = watch(await sup.newPage(), "team-supervisor");
    const tab = await browser.newContext(contextOptions);
    const newcomer = watch(await tab.newPage(), "team-newcomer");
    let secret = "";
    await step("the supervisor invites 赵敏 from /officer/team (data-action=invite_officer)", async () => {
      await page.goto(`/officer/login`);
      await logIn(page, SUPERVISOR);
      await page.goto(`/officer/team`);
      const form = page.locator("form[data-action=invite_officer]");
      await form.locator("[name=email]").fill(NEWCOMER.email);
      await form.locator("[name=name]").fill(NEWCOMER.name);
      await form.locator("[name=role]").selectOption("officer");
      await submitAndLoad(page, form);
      const row = page.locator("#team tr", { hasText: NEWCOMER.email });
      check((await row.count()) === 1, "the invited officer is not listed on the team page");
      return `status ${await row.getAttribute("data-status")}`;
    });
    await step("the invitation email's one-time link sets the password (the same rules as everywhere)", async () => {
      const { text } = await findMail("/officer/invite/", { also: (m) => (m.headers.to || "").includes(NEWCOMER.email) });
      const link = text.match(/https?:\/\/\S+\/officer\/invite\/\S+/)?.[0];
      check(link, "no /officer/invite/ link in the invitation email");
      await newcomer.goto(link);
      // The browser itself holds back a password under 12 characters (minlength); the server's
      // rules (length, common passwords) are the journeys' to prove.
      const min = await newcomer.locator("#new_password").getAttribute("minlength");
      await newcomer.fill("#new_password", NEWCOMER.password);
      await newcomer.fill("#repeat", NEWCOMER.password);
      await submitAndLoad(newcomer, newcomer.locator("form[data-action=set_password]"));
      check(await newcomer.locator("#password-set").count(), "the password was not set");
      await newcomer.goto(link);
      check(!(await newcomer.locator("form[data-action=set_password]").count()), "the invitation link works twice");
      return `minlength ${min}; the link refuses a second use`;
    });
    await step("赵敏 signs in and turns on TOTP from the QR page (SVG drawn on the server), ten recovery codes shown", async () => {
      await newcomer.goto(`/officer/login`);
      await logIn(newcomer, NEWCOMER);
      await newcomer.goto(`/officer/account/second-factor`);
      await submitAndLoad(newcomer, newcomer.locator("form[data-action=start_second_factor]"));
      check(await newcomer.locator("#second-factor svg").count(), "no QR code drawn");
      secret = (await newcomer.locator("#totp-secret").textContent()).trim();
      await newcomer.fill("#enable-code", totp(secret));
      await submitAndLoad(newcomer, newcomer.locator("form[data-action=enable_second_factor]"));
      const codes = await newcomer.locator("#recovery-codes li").count();
      check(codes === 10, `${codes} recovery codes shown`);
      check((await newcomer.locator("#second-factor").getAttribute("data-state")) === "on", "the second factor is not on");
      return `${codes} recovery codes`;
    });
    await step("signing in again asks for the code after the password, and the app's code lets 赵敏 in", async () => {
      await submitAndLoad(newcomer, newcomer.locator("form[data-action=logout]"));
      await newcomer.goto(`/officer/login`);
      await newcomer.fill("#email", NEWCOMER.email);
      await newcomer.fill("#password", NEWCOMER.password);
      await Promise.all([newcomer.waitForURL("**/officer/login/second-factor**"), newcomer.click("#login-form button[type=submit]")]);
      // The code of the next 30-second step: the one used to turn it on may not be used again.
      await newcomer.fill("#code", totp(secret, Date.now() + 30000));
      await Promise.all([newcomer.waitForURL((u) => !u.pathname.startsWith("/officer/login")), newcomer.click("#second-factor-form button[type=submit]")]);
      return newcomer.url();
    });
    let number = "";
    await step("the supervisor gives 赵敏 a case (data-action=assign)", async () => {
      await page.goto(`/officer/cases?assignee=nobody&status=submitted`);
      number = (await page.locator("a[href^='/officer/cases/RW-']").first().textContent()).trim();
      await page.goto(`/officer/cases/${number}`);
      const form = page.locator("form[data-action=assign]");
      const value = await form.locator("option", { hasText: NEWCOMER.name }).getAttribute("value");
      await form.locator("[name=officer_id]").selectOption(value);
      await submitAndLoad(page, form);
      check((await page.textContent("body")).includes(NEWCOMER.name), "the case does not name 赵敏");
      return number;
    });
    await step("deactivating 赵敏 (data-action=deactivate_officer): the open tab is refused at its next click, the case is back in the queue", async () => {
      await page.goto(`/officer/team`);
      const row = page.locator("#team tr", { hasText: NEWCOMER.email });
      const factor = await row.locator("td.second-factor").getAttribute("data-second-factor");
      check(factor === "on", `the team page shows 赵敏's second factor as ${factor}`);
      check(await page.locator("#account-trail tr", { hasText: NEWCOMER.name }).count(), "the account trail does not name 赵敏");
      await submitAndLoad(page, row.locator("form[data-action=deactivate_officer]"));
      check((await page.locator("#team tr", { hasText: NEWCOMER.email }).getAttribute("data-status")) === "deactivated", "not deactivated");
      await newcomer.goto(`/officer/cases`);
      check(newcomer.url().includes("/officer/login"), `the deactivated officer's tab still works: ${newcomer.url()}`);
      await page.goto(`/officer/cases?assignee=nobody`);
      check(await page.locator(`a:text-is("${number}")`).count(), `${number} is not back among the unassigned cases`);
      return `tab → ${new URL(newcomer.url()).pathname}`;
    });
    await step("the supervisor requires the second factor for everyone; 李明, without one, is taken to set it up", async () => {
      await page.goto(`/officer/account/second-factor`);
      await submitAndLoad(page, page.locator("form[data-action=start_second_factor]"));
      const own = (await page.locator("#totp-secret").textContent()).trim();
      // desk.mjs signs in as the supervisor after this run, with codes of this secret.
      fs.writeFileSync(path.join(WORK_DIR, "supervisor-totp"), own, { mode: 0o600 });
      await page.fill("#enable-code", totp(own));
      await submitAndLoad(page, page.locator("form[data-action=enable_second_factor]"));
      const form = page.locator("form[data-action=set_requirement]", { has: page.locator("input[name=required][value=yes]") });
      await submitAndLoad(page, form);
      check((await page.locator("#requirement-status").getAttribute("data-required")) === "yes", "the requirement is not on");
      const liCtx = await browser.newContext(contextOptions);
      const li = watch(await liCtx.newPage(), "team-liming");
      await li.goto(`/officer/login`);
      await logIn(li, OFFICER);
      await li.goto(`/officer/cases`);
      const landed = new URL(li.url()).pathname;
      check(landed === "/officer/account/second-factor", `李明 reached ${landed}`);
      await liCtx.close();
      return `李明 → ${landed}`;
    });
    await sup.close();
    await tab.close();
  });

  await part("Public pages: help, privacy, the public record (JavaScript on)", async () => {
    const ctx = await browser.newContext(contextOptions);
    ctx.setDefaultTimeout(15000);
    const page = watch(await ctx.newPage(), "public-pages");
    current = page;
    await step("the footer's 帮助 link opens /help: every category and status explained", async () => {
      await page.goto("/");
      await Promise.all([page.waitForURL("**/help"), page.click("#footer-help")]);
      const headings = await page.locator("h2").count();
      check(headings >= 3, `${headings} sections`);
      await shot(page, "help.png");
      return `${headings} sections`;
    });
    await step("the footer's 隐私 link opens /privacy with the retention periods", async () => {
      await Promise.all([page.waitForURL("**/privacy"), page.click("#footer-privacy")]);
      const text = await page.locator("main").innerText();
      check(/\d+\s*天/.test(text), "no retention period in days");
      await shot(page, "privacy.png");
    });
    await step("the footer's 信用公示 link opens /record, and its Atom feed answers", async () => {
      await Promise.all([page.waitForURL("**/record"), page.click("#footer-record")]);
      const feed = await page.request.get("/record/feed.atom");
      check(feed.ok() && (await feed.text()).includes("<feed"), "the Atom feed does not answer");
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
if (knownIssues.length) console.log(`(${knownIssues.length} known issue${knownIssues.length > 1 ? "s" : ""} reported above as “known”, not counted as failures)`);
console.log(`browser journey: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
