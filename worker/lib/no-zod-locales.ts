// Stands in for zod's `locales` namespace (every translation of its error messages) in the worker bundle:
// wrangler.toml aliases zod's "../locales/index.js" here. leadscore writes its messages in English with
// zod's built-in English default (imported by zod directly, not through this namespace), so the other
// locales were 375 KB of dead weight. Nothing may read z.locales.
export {};
