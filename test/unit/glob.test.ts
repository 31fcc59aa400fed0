import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fileNameMatcher, pathMatcher } from "../../worker/scoring/glob";
import { ruleSetSchema } from "../../worker/scoring/rules";
import { replay } from "../../worker/scoring/engine";
import { T0, ev, utc } from "../support/timeline";

// A bound for a loaded two-core machine; the backtracking matchers these replace took seconds (a
// 100-dash name: ~4 s for the RegExp, ~5 s for URLPattern) and double with every dash more.
const GENEROUS_MS = 1_000;

function timed(f: () => boolean): { result: boolean; ms: number } {
  const start = performance.now();
  const result = f();
  return { result, ms: performance.now() - start };
}

describe("file-name globs", () => {
  it.each([
    ["*ebook*", "The-Ebook-2026.pdf", true],
    ["*ebook*", "guide.pdf", false],
    ["report-*.pdf", "Report-Q3.PDF", true],
    ["report-*.pdf", "report-.pdf", true],
    ["report-*.pdf", "xreport-1.pdf", false],
    ["*.pdf", ".pdf", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["exact.zip", "exact.zip", true],
    ["exact.zip", "exact.zipx", false],
    ["*", "", true],
    ["a.c", "abc", false],
  ])("%s on %s: %s", (pattern, name, matches) => {
    expect(fileNameMatcher(pattern)(name)).toBe(matches);
  });

  it("agrees with the regular expression it replaces on generated patterns and names", () => {
    const alphabet = fc.constantFrom("a", "B", "-", ".", "*", "é");
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: fc.constantFrom("a", "b", "-", ".", "é", "É"), maxLength: 12 }), (pattern, name) => {
        const source = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
        expect(fileNameMatcher(pattern)(name)).toBe(new RegExp(`^${source}$`, "i").test(name));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([100, 1_000, 10_000])("matches *-*-*-*-*-*.pdf against a %i-dash name within a generous bound", (dashes) => {
    const { result, ms } = timed(() => fileNameMatcher("*-*-*-*-*-*.pdf")("-".repeat(dashes)));
    expect(result).toBe(false);
    expect(ms).toBeLessThan(GENEROUS_MS);
  });
});

describe("path patterns", () => {
  it.each([
    ["/blog/*", "/blog/lead-scoring", true],
    ["/blog/*", "/blog/", true],
    ["/blog/*", "/blog/a/b", true],
    ["/blog/*", "/blog", false],
    ["/docs/:page", "/docs/setup", true],
    ["/docs/:page", "/docs/", false],
    ["/docs/:page", "/docs/a/b", false],
    ["/docs/:page/edit", "/docs/setup/edit", true],
    ["/:a-:b", "/x-y", true],
    ["/:a-:b", "/x-", false],
    ["/contact", "/contact/", false],
    ["/contact", "/Contact", false],
    ["/café", "/caf%C3%A9", true],
  ])("%s on %s: %s (as URLPattern says)", (pattern, path, matches) => {
    expect(pathMatcher(pattern)(path)).toBe(matches);
    expect(new URLPattern({ pathname: pattern }).test({ pathname: path })).toBe(matches);
  });

  it.each([100, 2_000])("matches /*-*-*-*-*-*.pdf and /:a-:b-:c-:d-:e-:f.pdf against a %i-dash path within a generous bound", (dashes) => {
    const path = `/${"-".repeat(dashes)}`;
    for (const pattern of ["/*-*-*-*-*-*.pdf", "/:a-:b-:c-:d-:e-:f.pdf"]) {
      const { result, ms } = timed(() => pathMatcher(pattern)(path));
      expect(result).toBe(false);
      expect(ms).toBeLessThan(GENEROUS_MS);
    }
  });

  it.each(["/docs/(\\d+)", "/a{b}?", "/x+", "/a\\*"])("refuses %s, which the linear matcher does not take", (pattern) => {
    const result = ruleSetSchema.safeParse({ prospectAt: 5, rules: [{ id: "p", points: 1, when: { event: "pageview", path: pattern } }] });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain("literal text, * and :name");
  });
});

describe("the engine on adversarial rules and events", () => {
  it("scores a 100-dash download and page path against *-*-*-*-*-* rules within a generous bound", () => {
    const set = ruleSetSchema.parse({
      prospectAt: 100,
      pricingPaths: ["/*-*-*-*-*-*.html"],
      rules: [
        { id: "dashed-file", points: 1, when: { event: "download", fileName: "*-*-*-*-*-*.pdf" } },
        { id: "dashed-page", points: 1, when: { event: "pageview", path: "/:a-:b-:c-:d-:e-:f.pdf" } },
      ],
    });
    const dashes = "-".repeat(100);
    const events = [
      { ...ev("download", T0, "/"), props: { file: `https://shop.example/files/${dashes}` } },
      ev("pageview", T0 + 1000, `/${dashes}`),
    ];
    const start = performance.now();
    const state = replay(events, set, utc);
    expect(performance.now() - start).toBeLessThan(GENEROUS_MS);
    expect(state.rules).toEqual({});
  });
});
