// The officer's desk in a real browser (issue 17), run by run.sh after journey.mjs on the same
// portal (its cases are the queue here): at 1440×900 the queue uses the screen and says how many
// cases it holds; a case is worked with the keyboard (j, Enter, ?, a); submitted cases are
// dismissed as duplicates in one step; shortcuts turned off do nothing. Screenshots of the queue
// and a case at 1440×900 go to docs/screenshots/. Same variables as journey.mjs.
// The last line is `desk journey: N passed, M failed`.
import { launchChromium } from "./launch.mjs";
import fs from "node:fs";
import path from "node:path";

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const PORTAL = need("PORTAL_URL").replace(/\/$/, "");
const WORK_DIR = need("WORK_DIR");
const SHOTS = need("SCREENSHOT_DIR");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SUPERVISOR = { email: need("SUPERVISOR_EMAIL"), password: need("SUPERVISOR_PASSWORD") };
const VIEWPORT = { width: 1440, height: 900 };

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

const browser = await launchChromium(CHROMIUM, WORK_DIR, "chromium-desk-");
setTimeout(() => {
  console.log("  FAIL  the desk journey did not finish within 120 s");
  console.log(`desk journey: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 120000).unref();

console.log("Officer's desk at 1440×900 (zh-CN)");
try {
  const ctx = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: "zh-CN", timezoneId: "Asia/Shanghai", baseURL: PORTAL });
  ctx.setDefaultTimeout(15000);
  const page = await ctx.newPage();
  await page.goto("/officer/login");
  await page.fill("#email", SUPERVISOR.email);
  await page.fill("#password", SUPERVISOR.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/officer/login")), page.click("#login-form button[type=submit]")]);

  await step("the queue uses the screen and counts its cases", async () => {
    await page.goto("/officer/cases?status=all");
    const width = await page.locator(".queue-main").evaluate((el) => el.getBoundingClientRect().width);
    check(width > 1100, `the queue is ${Math.round(width)} px wide at 1440 px`);
    const count = await page.locator("#queue-count").getAttribute("data-count");
    const rows = await page.locator("#queue tbody tr[data-case]").count();
    check(Number(count) >= rows && rows > 0, `count ${count}, rows ${rows}`);
    const wraps = await page.locator("#queue td.category").evaluateAll((tds) => tds.filter((td) => td.getClientRects().length > 1 || td.scrollHeight > 40).length);
    check(wraps === 0, `${wraps} category cells wrap`);
    await page.screenshot({ path: path.join(SHOTS, "officer-queue-1440.png"), animations: "disabled" });
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
    await page.screenshot({ path: path.join(SHOTS, "officer-case-1440.png"), animations: "disabled" });
    return `${first} taken`;
  });

  await step("/ goes to the search box", async () => {
    await page.goto("/officer/cases");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    check(await page.evaluate(() => document.activeElement && document.activeElement.id === "q"), "the search box has focus");
  });

  await step("submitted cases are dismissed as duplicates in one step", async () => {
    await page.goto("/officer/cases?status=submitted");
    const boxes = page.locator("#queue input[name=case]");
    const n = Math.min(3, await boxes.count());
    check(n > 0, "no submitted case left to dismiss");
    for (let i = 0; i < n; i++) await boxes.nth(i).check();
    await Promise.all([page.waitForURL("**/officer/queue/bulk"), page.click("button[name=bulk_action][value=dismiss_duplicate]")]);
    check((await page.locator("#bulk-confirm input[name=case]").count()) === n, "the confirmation lists the ticked cases");
    await page.fill("#bulk-message", "您的举报与此前一件举报内容相同，已并入该案一并处理。");
    await Promise.all([page.waitForLoadState("load"), page.click("#bulk-confirm button[type=submit]")]);
    const done = await page.locator("#bulk-summary").getAttribute("data-done");
    check(Number(done) === n, `${done} of ${n} dismissed`);
    return `${n} dismissed`;
  });

  await step("shortcuts turned off do nothing", async () => {
    await page.goto("/officer/cases?status=all");
    await page.click("#shortcuts-help summary");
    await Promise.all([page.waitForLoadState("load"), page.click("form[data-action=shortcuts] button")]);
    check((await page.locator("#shortcuts").getAttribute("data-on")) === "0", "shortcuts are off");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("j");
    check((await page.locator("#queue tr.kbd-current").count()) === 0, "j did something");
    await page.click("#shortcuts-help summary");
    await Promise.all([page.waitForLoadState("load"), page.click("form[data-action=shortcuts] button")]);
    check((await page.locator("#shortcuts").getAttribute("data-on")) === "1", "shortcuts are back on");
    return taken ? `after taking ${taken}` : "";
  });
  await ctx.close();
} catch (e) {
  failed++;
  console.log(`  FAIL  ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}
console.log(`desk journey: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
