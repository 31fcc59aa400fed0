// Outcomes in the engine: the latest outcome by time is the lead's, and a rejection holds a lead off the
// prospect list until it falls below the threshold and reaches it again.
import { describe, expect, it } from "vitest";
import { DAY, MIN, T0, apiEv, ev, utc } from "../support/timeline";
import { replay } from "../../worker/scoring/engine";
import { evaluate } from "../../worker/scoring/evaluate";
import { outcomeOf, stageOf } from "../../worker/scoring/outcomes";
import { ruleSetSchema } from "../../worker/scoring/rules";

const rules = ruleSetSchema.parse({
  prospectAt: 20,
  rules: [
    { id: "page", points: 10, when: { event: "pageview" } },
    { id: "unsubscribed", points: -30, when: { event: "unsubscribe" } },
  ],
});
const pages = (from: number, n: number) => Array.from({ length: n }, (_, i) => ev("pageview", from + i * MIN));
const rejected = apiEv("outcome_rejected", T0 + 10 * MIN, { reason: "competitor" });

describe("a rejected lead", () => {
  it("leaves the list at once and stays off it while its score stays over the threshold", () => {
    const state = replay([...pages(T0, 3), rejected, ...pages(T0 + DAY, 2)], rules, utc);
    const score = evaluate(state, rules, T0 + DAY + 5 * MIN);
    expect(score).toMatchObject({ total: 50, prospect: false });
    expect(state.prospectSince).toBeNull();
    expect(stageOf(state.outcome, score.prospect)).toBe("rejected");
    expect(state.outcome).toMatchObject({ outcome: "rejected", reason: "competitor", at: T0 + 10 * MIN, held: true });
  });

  it("comes back as a prospect, dated anew, after falling below the threshold and reaching it again", () => {
    const again = T0 + 2 * DAY;
    const state = replay([...pages(T0, 3), rejected, apiEv("unsubscribe", T0 + DAY), ...pages(again, 2)], rules, utc);
    const score = evaluate(state, rules, again + 5 * MIN);
    expect(score).toMatchObject({ total: 20, prospect: true });
    expect(state.prospectSince).toBe(again + MIN);
    expect(stageOf(state.outcome, score.prospect)).toBe("prospect");
  });

  it("rejected while under the threshold, crosses it like anyone else", () => {
    const state = replay([ev("pageview", T0), rejected, ...pages(T0 + DAY, 1)], rules, utc);
    expect(evaluate(state, rules, T0 + DAY + MIN).prospect).toBe(true);
  });
});

describe("the latest outcome", () => {
  it("is the latest by time, whatever order the outcomes arrive in", () => {
    const state = replay([ev("pageview", T0), apiEv("outcome_won", T0 + 5 * DAY, { value: 900 }), apiEv("outcome_accepted", T0 + DAY)], rules, utc);
    expect(state.outcome).toMatchObject({ outcome: "won", at: T0 + 5 * DAY, value: 900 });
  });

  it("keeps the lead's score and firings as they stood when it came, for insights to judge the rules by", () => {
    const state = replay([...pages(T0, 2), apiEv("outcome_won", T0 + DAY), ...pages(T0 + 2 * DAY, 3)], rules, utc);
    expect(state.outcome).toEqual({ outcome: "won", at: T0 + DAY, score: 20, fired: { page: 2 } });
    expect(evaluate(state, rules, T0 + 3 * DAY).total).toBe(50);
  });

  it.each([
    ["outcome_won", "won"],
    ["outcome_lost", "lost"],
    ["outcome_later", null],
    ["email_open", null],
  ])("%s is the outcome %s", (type, outcome) => expect(outcomeOf(type)).toBe(outcome));

  it.each([
    [undefined, false, "new"],
    [undefined, true, "prospect"],
    [{ outcome: "won" as const, at: T0 }, true, "won"],
    [{ outcome: "rejected" as const, at: T0, held: true }, false, "rejected"],
  ])("stage of %j (prospect %s) is %s", (outcome, prospect, stage) => expect(stageOf(outcome, prospect)).toBe(stage));
});
