import { expect, it } from "vitest";
import { storedRuleSet } from "../../worker/store/sites";
import { defaultRules } from "../../worker/scoring/default-rules";

it("parses a stored rule set once per text, so the engine can reuse its compiled form", () => {
  const text = JSON.stringify(defaultRules);
  const first = storedRuleSet(text);
  expect(first).toEqual(defaultRules);
  expect(storedRuleSet(text)).toBe(first);
  const changed = storedRuleSet(JSON.stringify({ ...defaultRules, prospectAt: 60 }));
  expect(changed).not.toBe(first);
  expect(changed.prospectAt).toBe(60);
});
