// Builds the tracker into dist/assets/s.js (served by the worker as a static asset) and reports its size.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const out = "dist/assets/s.js";
mkdirSync("dist/assets", { recursive: true });
await build({
  entryPoints: ["tracker/s.ts"],
  outfile: out,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
});
// Browsers cache the script for an hour, so rule changes never wait on it and updates spread quickly.
writeFileSync("dist/assets/_headers", "/s.js\n  Cache-Control: public, max-age=3600\n  Access-Control-Allow-Origin: *\n");

const code = readFileSync(out);
const gzip = gzipSync(code, { level: 9 }).length;
const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
console.log(`tracker: ${out} ${code.length} B raw, ${gzip} B gzip -9, ${brotli} B brotli`);
