import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
const token = /^API_TOKEN=(.+)$/m.exec(readFileSync("/work/wt/console-ui/.dev.vars", "utf8"))![1]!;
const base = "http://127.0.0.1:8872";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox"] });
for (const [name, vp] of [["desk", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]] as const) {
  const ctx = await browser.newContext({ viewport: vp });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && console.log("console error", m.text()));
  page.on("pageerror", (e) => console.log("page error", e.message));
  await page.goto(`${base}/app`);
  await page.fill("#token", token);
  await page.click("button[type=submit]");
  await page.waitForLoadState("load");
  const paths = process.argv.slice(2);
  for (const p of paths) {
    await page.goto(`${base}${p}`);
    await page.waitForTimeout(500);
    await page.screenshot({ path: `/tmp/cui/${name}-${p.replace(/[^a-z0-9]+/gi, "_")}.png`, fullPage: !process.env.VIEWPORT });
  }
  await ctx.close();
}
await browser.close();
