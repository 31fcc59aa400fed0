// Patterns from rule sets (file names, page paths) are matched against text a browser sends. A backtracking
// RegExp or URLPattern can take seconds on a crafted pattern and name (`*-*-*-*-*-*.pdf` against a run of
// dashes), so patterns compile to a small automaton that is run over the text once, keeping the set of
// pattern positions reachable so far: time is at most the text's length times the pattern's, never more.

/** One step of a compiled pattern. */
type Step =
  | { kind: "char"; char: string }
  /** Any run of characters, possibly empty (`*`). */
  | { kind: "any" }
  /** One character that is not `/` (the first of a `:name` segment). */
  | { kind: "segChar" }
  /** Any run of characters other than `/`, possibly empty (the rest of a `:name` segment). */
  | { kind: "segRun" };

/** A compiled pattern: true when the whole text matches. */
export type Matcher = (text: string) => boolean;

function run(steps: readonly Step[], text: string): boolean {
  const m = steps.length;
  let current = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  // Adds position i and every position reachable from it without reading a character.
  const close = (set: Uint8Array, start: number) => {
    for (let i = start; i <= m && !set[i]; i++) {
      set[i] = 1;
      const step = steps[i];
      if (!step || (step.kind !== "any" && step.kind !== "segRun")) break;
    }
  };
  close(current, 0);
  for (let t = 0; t < text.length; t++) {
    const c = text[t] as string;
    next.fill(0);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (!current[i]) continue;
      const step = steps[i] as Step;
      if (step.kind === "any") {
        close(next, i);
        alive = true;
      } else if (step.kind === "char" ? step.char === c : c !== "/") {
        // segRun stays where it is; char and segChar move on.
        close(next, step.kind === "segRun" ? i : i + 1);
        alive = true;
      }
    }
    if (!alive) return false;
    [current, next] = [next, current];
  }
  return current[m] === 1;
}

/** A file-name pattern where * matches any run of characters, compared without regard to case. */
export function fileNameMatcher(pattern: string): Matcher {
  // Compared unit by unit (UTF-16), like the text.
  const steps = pattern
    .toLowerCase()
    .split("")
    .map((c): Step => (c === "*" ? { kind: "any" } : { kind: "char", char: c }));
  return (name) => run(steps, name.toLowerCase());
}

/** The characters of URLPattern syntax that leadscore's path patterns do not take (groups, modifiers, escapes). */
export const UNSUPPORTED_PATH_SYNTAX = /[(){}?+\\]/;

// Non-ASCII text in a pattern is compared as a URL path carries it: percent-encoded UTF-8.
const encodeLiteral = (text: string) => text.replace(/[^\x00-\x7f]+/g, (s) => encodeURIComponent(s));

/**
 * A page-path pattern: literal text, `*` for any run of characters (slashes included), and `:name` for
 * one non-empty path segment, as in URLPattern ("/blog/*", "/docs/:page"). Case-sensitive, like URLPattern.
 */
export function pathMatcher(pattern: string): Matcher {
  const steps: Step[] = [];
  const tokens = pattern.match(/\*|:[A-Za-z_$][\w$]*|[^*:]+|:/g) ?? [];
  for (const token of tokens) {
    if (token === "*") steps.push({ kind: "any" });
    else if (token.length > 1 && token.startsWith(":")) steps.push({ kind: "segChar" }, { kind: "segRun" });
    else for (const c of encodeLiteral(token)) steps.push({ kind: "char", char: c });
  }
  return (path) => run(steps, path);
}
