// Bundles the worker the way `wrangler deploy` does (its own esbuild step, wrangler.toml's aliases and
// conditions), reports the size next to the tracker's and fails (exit code 1) over budget.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

/** Where the dry run writes the bundle. */
export const WORKER_OUT = "dist/worker";

/**
 * Most bytes the worker bundle may weigh, gzip -9 (Cloudflare's upload limit counts compressed bytes: 3 MB
 * on the free plan). The budget keeps headroom for the console and fails the build on a stray dependency
 * such as zod's 375 KB of locales.
 */
export const WORKER_BUDGET = { gzip: 256 * 1024 } as const;

/** Raw and gzip -9 sizes of a bundle. */
export function bundleSizes(code: Uint8Array): { raw: number; gzip: number } {
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

// The package exports no bin path; its package.json sits beside bin/.
const wrangler = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js");
rmSync(WORKER_OUT, { recursive: true, force: true });
execFileSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", WORKER_OUT], {
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  stdio: ["ignore", "ignore", "inherit"],
});
const sizes = bundleSizes(readFileSync(join(WORKER_OUT, "index.js")));
console.log(`worker:  ${WORKER_OUT}/index.js ${sizes.raw} B raw, ${sizes.gzip} B gzip -9 (budget ${WORKER_BUDGET.gzip})`);
if (sizes.gzip > WORKER_BUDGET.gzip) {
  console.error(`worker over budget: gzip ${sizes.gzip} B is over the ${WORKER_BUDGET.gzip} B budget`);
  process.exitCode = 1;
}
