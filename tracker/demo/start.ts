// npm start: the collector and the demo website, locally, with a token kept in .dev.vars.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { startStack } from "./local-stack.ts";

function localToken(): string {
  const existing = existsSync(".dev.vars") ? /^API_TOKEN=(.+)$/m.exec(readFileSync(".dev.vars", "utf8"))?.[1] : undefined;
  if (existing) return existing.trim();
  const token = randomBytes(18).toString("base64url");
  writeFileSync(".dev.vars", `API_TOKEN=${token}\n`, { flag: "a" });
  return token;
}

const collectorPort = Number(process.env.PORT ?? 8787);
const stack = await startStack({
  collectorPort,
  demoPort: Number(process.env.DEMO_PORT ?? collectorPort + 1),
  persistTo: ".wrangler/state",
  token: localToken(),
  verbose: true,
});

console.log(`
leadscore is running.

  Demo website   ${stack.demo}/
                 open it, click around, then see ${stack.demo}/score
  Collector      ${stack.collector}
                 the tracker at ${stack.collector}/s.js, beacons to ${stack.collector}/e
  API token      ${stack.token}
                 an admin token, kept in .dev.vars

Your own score (take your visitor id from ${stack.demo}/score):
  curl -H "Authorization: Bearer ${stack.token}" ${stack.collector}/api/sites/${stack.siteId}/visitors/YOUR_VISITOR_ID

The leaderboard and today's prospects:
  curl -H "Authorization: Bearer ${stack.token}" "${stack.collector}/api/sites/${stack.siteId}/visitors?order=score"
  curl -H "Authorization: Bearer ${stack.token}" "${stack.collector}/api/sites/${stack.siteId}/prospects?format=csv"

Ctrl-C stops it.
`);

const stop = async () => {
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
