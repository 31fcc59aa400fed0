// Copies Swagger UI (from the swagger-ui-dist package) and its start script into the static assets, so
// the API reference at /api/docs loads nothing from another origin.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Where the reference page's scripts and styles are served from (a folder of dist/assets). */
export const API_DOCS_ASSETS = "dist/assets/api-docs";

const swaggerUi = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
mkdirSync(API_DOCS_ASSETS, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) copyFileSync(join(swaggerUi, file), join(API_DOCS_ASSETS, file));
copyFileSync("scripts/api-docs/init.js", join(API_DOCS_ASSETS, "init.js"));
console.log(`api docs: Swagger UI copied to ${API_DOCS_ASSETS}/`);
