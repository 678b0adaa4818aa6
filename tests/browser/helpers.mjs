// What the browser scripts share: the portal's mail as it writes it (.eml files under
// DATA_DIR/mail), authenticator codes for officers with a second factor, and axe-core.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

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

export function decodeWords(value) {
  // Whitespace between two encoded words is not part of the text (RFC 2047, 6.2).
  const joined = value.replace(/(\?=)\s+(?==\?)/g, "$1");
  return joined.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset, kind, text) =>
    kind.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : decodeBody(text.replace(/_/g, " "), "quoted-printable"),
  );
}

/// Parses a MIME entity into { headers, parts: [{ type, text }] } (leaf parts, depth first).
export function parseMime(raw) {
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
    if (!boundary) throw new Error("multipart mail without a boundary");
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

/// A function that waits (at most `ms`) for a mail in `MAIL_DIR` whose text part mentions
/// `needle` (and passes `also`): { file, mail, text }.
export function mailFinder(MAIL_DIR) {
  return async function findMail(needle, { ms = 20000, also = () => true } = {}) {
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
  };
}

/// The RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret at `at` (ms since the epoch):
/// what an authenticator app shows.
export function totp(secret, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const o = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

// The report form, filled through its widgets as a person would: `report` holds its fields.
export async function fillReport(page, { email, files, js, report }) {
  const r = report;
  await page.selectOption("#platform", r.platform);
  if (js && !(await page.locator("#platform_other").isHidden())) throw new Error(`the 'other platform' field shows although ${r.platform} is chosen`);
  await page.fill("#shop_name", r.shopName);
  await page.fill("#shop_url", r.shopUrl);
  await page.selectOption("#region_province", r.region[0]);
  await page.selectOption("#region_city", r.region[1]);
  await page.selectOption("#region_code", r.region[2]);
  if (r.productUrl) await page.fill("#product_url", r.productUrl);
  if (r.orderNumber) await page.fill("#order_number", r.orderNumber);
  await page.check(`input[name=category][value="${r.category}"]`);
  await page.fill("#seen_on", chinaDaysAgo(r.seenDaysAgo));
  await page.fill("#description", r.description);
  if (email !== undefined) await page.fill("#email", email);
  if (r.consentPlatform) await page.check("input[name=consent_share_platform]");
  await page.setInputFiles("input[name=evidence]", files);
}

/// The date `days` ago in China, as the form's date field takes it.
export function chinaDaysAgo(days) {
  return new Date(Date.now() + 8 * 3600e3 - days * 86400e3).toISOString().slice(0, 10);
}

const require = createRequire(import.meta.url);
let axeSource = "";

/// The serious and critical violations axe-core (from npm) finds on the page as it is now, one
/// line each. The script goes in through the DevTools protocol, which the page's
/// Content-Security-Policy (script-src 'self') does not govern.
export async function seriousViolations(page) {
  axeSource ||= fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(axeSource);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const lines = [];
  for (const v of violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(" "));
    lines.push(`${v.impact} ${v.id}: ${v.help} — ${where.join(" | ")}`);
  }
  return lines;
}
