// Debian's Chromium, headless, as every browser script here starts it: the project's flags, and
// only what playwright-core needs besides to drive the browser (its own defaults are left out):
// headless, the DevTools pipe, and a fresh profile in a temp dir under `workDir`.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

export const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export async function launchChromium(executablePath, workDir, profilePrefix) {
  const profile = fs.mkdtempSync(path.join(workDir, profilePrefix));
  return chromium.launch({
    executablePath,
    headless: true,
    ignoreDefaultArgs: true,
    args: ["--headless", "--remote-debugging-pipe", `--user-data-dir=${profile}`, "--no-startup-window", "--hide-scrollbars", ...FLAGS],
    timeout: 60000,
  });
}
