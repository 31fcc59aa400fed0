// npm start: the collector and the demo website, locally, with the admin token kept in .dev.vars (read by
// wrangler from there, never passed on a command line) and 30 days of synthetic demo data on the first run.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { DEMO_SITE_ID, startStack } from "./local-stack.ts";

const VARS = ".dev.vars";

/** The local admin token from .dev.vars, made on the first run; the file also names the demo site. */
function localToken(): string {
  let text = existsSync(VARS) ? readFileSync(VARS, "utf8") : "";
  let token = /^API_TOKEN=(.+)$/m.exec(text)?.[1]?.trim();
  if (!token) {
    token = randomBytes(18).toString("base64url");
    text += `${text && !text.endsWith("\n") ? "\n" : ""}API_TOKEN=${token}\n`;
  }
  // The console shows a "demo data" banner on this site.
  if (!/^DEMO_SITE=/m.test(text)) text += `DEMO_SITE=${DEMO_SITE_ID}\n`;
  writeFileSync(VARS, text, { mode: 0o600 });
  return token;
}

const collectorPort = Number(process.env.PORT ?? 8787);
let stack;
try {
  stack = await startStack({
    collectorPort,
    demoPort: Number(process.env.DEMO_PORT ?? collectorPort + 1),
    persistTo: ".wrangler/state",
    token: localToken(),
    varsFile: VARS,
    demoData: true,
    verbose: true,
  });
} catch (err) {
  console.error(`\nleadscore did not start: ${(err as Error).message}`);
  process.exit(1);
}

const tokenFile = resolve(VARS);
const seeded = stack.seeded
  ? `\n  Demo data      made now: ${stack.seeded.visitors} synthetic visitors (emails @example.com) over 30 days,
                 ${stack.seeded.identified} identified, ${stack.seeded.lists} daily prospect lists`
  : "";
console.log(`
leadscore is running.

  Console        ${stack.collector}/app
                 sign in with the API_TOKEN line of ${tokenFile}
  Demo website   ${stack.demo}/
                 open it, click around, then see ${stack.demo}/score
                 prospect webhook notices: ${stack.demo}/webhooks
  Collector      ${stack.collector}
                 the tracker at ${stack.collector}/s.js, beacons to ${stack.collector}/e${seeded}

From a shell (the token stays in the file):
  TOKEN=$(sed -n 's/^API_TOKEN=//p' ${tokenFile})
  curl -H "Authorization: Bearer $TOKEN" "${stack.collector}/api/sites/${stack.siteId}/visitors?order=score"
  curl -H "Authorization: Bearer $TOKEN" "${stack.collector}/api/sites/${stack.siteId}/prospects?format=csv"

Ctrl-C stops it.
`);

const running = stack;
const stop = async () => {
  await running.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
