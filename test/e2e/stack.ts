// The local stack for the end-to-end tests: the real collector under `wrangler dev` on a fresh database,
// the demo website with its synthetic 30 days (as `npm start` makes them), and the HTML fixtures under /fixtures/ on the demo's origin, with a site "e2e" whose rules
// give each kind of event its own points.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack, type Stack } from "../../tracker/demo/local-stack.ts";

/** The site the fixtures beacon for. */
export const E2E_SITE = "e2e";

/** Its rules: one of each kind of event, each with its own points, and pricing pages under /fixtures/pricing. */
export const E2E_RULES = {
  prospectAt: 1000,
  pricingPaths: ["/fixtures/pricing", "/fixtures/pricing/*"],
  rules: [
    { id: "page-view", points: 1, when: { event: "pageview" }, frequency: "every" },
    { id: "pricing", points: 20, when: { event: "pricing_view" }, frequency: "every" },
    { id: "video", points: 2, when: { event: "video_play" }, frequency: "every" },
    { id: "download", points: 15, when: { event: "download" }, frequency: "every" },
    { id: "signup", points: 30, when: { event: "signup" }, frequency: "every" },
  ],
};

export interface E2eStack extends Stack {
  /** The folder of its local database. */
  persistTo: string;
  /** Stops the stack and removes its database. */
  close(): Promise<void>;
}

/** Starts the stack on the given ports with a database of its own. */
export async function startE2eStack(collectorPort: number, demoPort: number): Promise<E2eStack> {
  const persistTo = mkdtempSync(join(tmpdir(), "leadscore-e2e-"));
  const token = `e2e-${Math.random().toString(36).slice(2)}`;
  const varsFile = join(persistTo, "dev.vars");
  writeFileSync(varsFile, `API_TOKEN=${token}\nDEMO_SITE=demo\n`, { mode: 0o600 });
  let stack: Stack;
  try {
    stack = await startStack({ collectorPort, demoPort, persistTo, token, varsFile, demoData: true, folders: { "/fixtures/": "test/e2e/fixtures" } });
  } catch (err) {
    rmSync(persistTo, { recursive: true, force: true });
    throw err;
  }
  const res = await fetch(`${stack.collector}/api/sites`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ id: E2E_SITE, name: "End-to-end fixtures", origins: [stack.demo, stack.demo.replace("127.0.0.1", "localhost")], rules: E2E_RULES }),
  });
  if (res.status !== 201) {
    await stack.stop();
    rmSync(persistTo, { recursive: true, force: true });
    throw new Error(`creating the e2e site failed: ${res.status} ${await res.text()}`);
  }
  return {
    ...stack,
    persistTo,
    async close() {
      await stack.stop();
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}
