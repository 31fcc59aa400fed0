// Builds the tracker into dist/assets/s.js (served by the worker as a static asset), reports its size and
// fails (exit code 1) when it is over budget.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { BUDGET, measure, overBudget, TRACKER_FILE } from "./budget.ts";

mkdirSync(dirname(TRACKER_FILE), { recursive: true });
await build({
  entryPoints: ["tracker/s.ts"],
  outfile: TRACKER_FILE,
  bundle: true,
  minify: true,
  // s.ts is one closure already: no wrapper around it, and no "use strict" prologue.
  format: "esm",
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  target: "es2021",
  legalComments: "none",
});
// Browsers cache the script for an hour, so rule changes never wait on it and updates spread quickly.
writeFileSync(`${dirname(TRACKER_FILE)}/_headers`, "/s.js\n  Cache-Control: public, max-age=3600\n  Access-Control-Allow-Origin: *\n");

const sizes = measure(readFileSync(TRACKER_FILE));
console.log(`tracker: ${TRACKER_FILE} ${sizes.raw} B raw, ${sizes.gzip} B gzip -9, ${sizes.brotli} B brotli (budget ${BUDGET.gzip} / ${BUDGET.brotli})`);
const over = overBudget(sizes);
if (over.length) {
  console.error(`tracker over budget:\n  ${over.join("\n  ")}`);
  process.exitCode = 1;
}
