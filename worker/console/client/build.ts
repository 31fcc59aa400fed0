// Builds the console's static files into dist/assets/app/static/ (served as assets, like the tracker):
// the script bundled with Chart.js from npm (no CDN), and the stylesheet.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join("dist", "assets", "app", "static");
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "console.ts")],
  outfile: join(out, "console.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2022",
  legalComments: "linked",
});
copyFileSync(join(here, "console.css"), join(out, "console.css"));
console.log(`console: ${out}/console.js ${statSync(join(out, "console.js")).size} B, console.css ${statSync(join(out, "console.css")).size} B`);
