// pretest: the browser tests need Chromium. On a fresh Debian machine (as root) it is installed from
// Debian's packages; elsewhere this says what to install and the test run stops.
import { execSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

if (!existsSync(CHROMIUM)) {
  const root = process.getuid?.() === 0;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"]).status === 0;
  if (!root || !apt) {
    console.error(`Chromium is not at ${CHROMIUM}. Install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  console.log("Installing Chromium from Debian's packages for the browser tests…");
  execSync("apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium", { stdio: "inherit" });
}
