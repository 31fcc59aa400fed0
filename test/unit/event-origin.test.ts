// Website events make visits; API events (email, CRM, outcomes) keep their own times and never start,
// split or bridge a visit. Rules may say which origin their events come from.
import { describe, expect, it } from "vitest";
import { DAY, HOUR, MIN, T0, apiEv, ev, utc } from "../support/timeline";
import { replay } from "../../worker/scoring/engine";
import { evaluate } from "../../worker/scoring/evaluate";
import { ruleSetSchema, type RuleSetInput } from "../../worker/scoring/rules";
import type { ScoredEvent } from "../../worker/scoring/event";

const scoreOf = (input: RuleSetInput, events: ScoredEvent[], at: number) => {
  const rules = ruleSetSchema.parse(input);
  return evaluate(replay(events, rules, utc), rules, at);
};

describe("visits are made of website events", () => {
  const rules: RuleSetInput = { prospectAt: 100, rules: [{ id: "second-visit", points: 10, when: { visit: 2 } }, { id: "returns", points: 3, when: { returnWithinDays: 7 } }] };

  it("does not bridge two website visits with an API event between them", () => {
    const state = replay([ev("pageview", T0), apiEv("email_open", T0 + 20 * MIN), ev("pageview", T0 + 45 * MIN)], ruleSetSchema.parse(rules), utc);
    expect(state.visits).toBe(2);
  });

  it("does not start a visit with an API event, nor count it as an active day", () => {
    const state = replay([ev("pageview", T0), apiEv("email_open", T0 + 2 * DAY)], ruleSetSchema.parse(rules), utc);
    expect(state).toMatchObject({ visits: 1, activeDays: 1, firstTs: T0, lastTs: T0 + 2 * DAY });
  });

  it("keeps an API event's own time when it is older than the last website event", () => {
    const state = replay([ev("pageview", T0 + DAY), apiEv("form_submit", T0)], ruleSetSchema.parse(rules), utc);
    expect(state.firstTs).toBe(T0);
    expect(state.lastTs).toBe(T0 + DAY);
    // A website event stamped late still counts at the previous website event's time.
    const late = replay([ev("pageview", T0 + DAY), ev("pageview", T0)], ruleSetSchema.parse(rules), utc);
    expect(late).toMatchObject({ firstTs: T0 + DAY, lastTs: T0 + DAY, visits: 1 });
  });

  it("counts an absence from an API event's own time", () => {
    const input: RuleSetInput = { prospectAt: 100, rules: [{ id: "no-opens", points: -10, when: { absent: "email_open", days: 30 } }] };
    const events = [apiEv("email_open", T0), ev("pageview", T0 + 10 * DAY)];
    expect(scoreOf(input, [...events, apiEv("email_open", T0 + 5 * DAY)], T0 + 35 * DAY - MIN).total).toBe(0);
    // The open dated day 5 arrives after the day-10 page view: its own time counts, so day 35 is 30 days on.
    expect(scoreOf(input, [...events, apiEv("email_open", T0 + 5 * DAY)], T0 + 35 * DAY).total).toBe(-10);
  });

  it("decays an API event's points from its own time", () => {
    const input: RuleSetInput = { prospectAt: 100, dimensions: { engagement: { decay: { halfLifeDays: 10 } } }, rules: [{ id: "open", points: 8, when: { event: "email_open" } }] };
    const score = scoreOf(input, [ev("pageview", T0 + 10 * DAY), apiEv("email_open", T0)], T0 + 20 * DAY);
    expect(score.total).toBe(2);
  });
});

describe("rules on an event's origin", () => {
  const rules: RuleSetInput = {
    prospectAt: 100,
    rules: [
      { id: "self-signup", points: 10, when: { event: "signup", from: "web" } },
      { id: "crm-signup", points: 3, when: { event: "signup", from: "api" } },
      { id: "any-signup", points: 1, when: { event: "signup" } },
    ],
  };

  it.each([
    ["the website", ev("signup", T0), ["any-signup", "self-signup"]],
    ["the API", apiEv("signup", T0), ["any-signup", "crm-signup"]],
  ])("fires the rules for events from %s", (_from, event, fired) => {
    expect(scoreOf(rules, [event], T0).breakdown.map((b) => b.rule).sort()).toEqual(fired);
  });
});

describe("absence counted from a named event", () => {
  const rules: RuleSetInput = {
    prospectAt: 100,
    rules: [{ id: "unopened", label: "No opens within 30 days of an email", points: -10, when: { absent: "email_open", days: 30, since: "email_sent" } }],
  };

  it("holds 30 days after an email nobody opened, from the first unanswered one", () => {
    const sent = [ev("pageview", T0), apiEv("email_sent", T0 + DAY), apiEv("email_sent", T0 + 10 * DAY)];
    expect(scoreOf(rules, sent, T0 + 31 * DAY - MIN).total).toBe(0);
    expect(scoreOf(rules, sent, T0 + 31 * DAY).total).toBe(-10);
  });

  it("does not hold for a lead never sent an email, however long ago it was seen", () => {
    expect(scoreOf(rules, [ev("pageview", T0)], T0 + 100 * DAY).total).toBe(0);
  });

  it("is undone by an open, and starts again from the next email", () => {
    const opened = [apiEv("email_sent", T0), apiEv("email_open", T0 + 2 * DAY)];
    expect(scoreOf(rules, opened, T0 + 60 * DAY).total).toBe(0);
    const again = [...opened, apiEv("email_sent", T0 + 40 * DAY)];
    expect(scoreOf(rules, again, T0 + 70 * DAY - HOUR).total).toBe(0);
    expect(scoreOf(rules, again, T0 + 70 * DAY).total).toBe(-10);
  });
});

describe("a rule set without a prospect threshold", () => {
  it("scores and classifies, and nobody is a prospect", () => {
    const rules = ruleSetSchema.parse({ classes: [{ name: "warm", min: 5 }], rules: [{ id: "page", points: 10, when: { event: "pageview" } }] });
    const state = replay([ev("pageview", T0)], rules, utc);
    expect(state.prospectSince).toBeNull();
    expect(evaluate(state, rules, T0)).toMatchObject({ total: 10, class: "warm", prospect: false });
  });
});
