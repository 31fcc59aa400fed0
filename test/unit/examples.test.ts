// The three worked examples of the source documents, each as a rule set in worker/scoring/examples/,
// with a journey that checks exact scores and classification.
import { describe, expect, it } from "vitest";
import { DAY, HOUR, MIN, T0, apiEv, ev, utc } from "../support/timeline";
import { replay } from "../../worker/scoring/engine";
import { evaluate } from "../../worker/scoring/evaluate";
import { ruleSetSchema } from "../../worker/scoring/rules";
import websitePoints from "../../worker/scoring/examples/website-points.json";
import scoreCard from "../../worker/scoring/examples/score-card.json";
import emailEngagement from "../../worker/scoring/examples/email-engagement.json";

describe("website points: 1 per page view, 2 per video, 5 per contact view, 10 once on the third visit, prospect at 50", () => {
  const rules = ruleSetSchema.parse(websitePoints);
  const journey = [
    ev("pageview", T0, "/"),
    ev("pageview", T0 + MIN, "/video"),
    ev("video_play", T0 + 2 * MIN, "/video"),
    ev("pageview", T0 + 3 * MIN, "/contact"),
    ev("pageview", T0 + DAY, "/pricing"),
    ev("pageview", T0 + DAY + MIN, "/contact"),
    ...Array.from({ length: 4 }, (_, i) => ev("video_play", T0 + DAY + (2 + i) * MIN, "/video")),
    ev("pageview", T0 + 2 * DAY, "/"),
    ev("pageview", T0 + 2 * DAY + MIN, "/contact"),
    ev("pageview", T0 + 2 * DAY + 2 * MIN, "/contact"),
    ev("video_play", T0 + 2 * DAY + 3 * MIN, "/video"),
  ];

  it.each([
    [4, 10, "cold"],
    [10, 10 + 2 + 5 + 8, "warm"],
    [journey.length, 10 + 2 + 5 + 8 + 10 + 3 + 10 + 2, "prospect"],
  ])("after %i events: %i points, %s", (count, total, cls) => {
    const score = evaluate(replay(journey.slice(0, count), rules, utc), rules, T0 + 3 * DAY);
    expect(score.total).toBe(total);
    expect(score.class).toBe(cls);
    expect(score.prospect).toBe(total >= 50);
  });
});

describe("score card: fit and behaviour, qualified above 30", () => {
  const rules = ruleSetSchema.parse(scoreCard);
  const visits = Array.from({ length: 4 }, (_, i) => ev("pageview", T0 + i * DAY, "/"));
  const journey = [
    ...visits,
    ev("identify", T0 + 3 * DAY + MIN, "/", { email: "ana@school.example", title: "Marketing Manager", industry: "Education" }),
    ev("download", T0 + 3 * DAY + 2 * MIN, "/resources", { file: "/files/lead-scoring-ebook.pdf" }),
    ev("email_open", T0 + 3 * DAY + 3 * MIN, null),
  ];

  it("adds fit and engagement: manager 5 + education 5 + more than 3 visits 10 + ebook 15 + opens emails 5 = 40", () => {
    const score = evaluate(replay(journey, rules, utc), rules, T0 + 3 * DAY + 4 * MIN);
    expect(score.dimensions).toEqual({ engagement: 30, fit: 10 });
    expect(score.total).toBe(40);
    expect(score.class).toBe("qualified");
    expect(score.prospect).toBe(true);
  });

  it("takes 10 points away after 30 days without an email open, and gives them back on the next open", () => {
    const state = replay(journey, rules, utc);
    const lastOpen = T0 + 3 * DAY + 3 * MIN;
    expect(evaluate(state, rules, lastOpen + 30 * DAY)).toMatchObject({ total: 30, prospect: false, class: null });
    const reopened = replay([...journey, ev("email_open", lastOpen + 31 * DAY, null)], rules, utc);
    expect(evaluate(reopened, rules, lastOpen + 31 * DAY)).toMatchObject({ total: 40, prospect: true });
  });

  it("counts website visits only: three visits and an email open sent through the API are not more than 3 visits", () => {
    const threeVisits = visits.slice(0, 3);
    const withOpen = [...threeVisits, apiEv("email_open", T0 + 3 * DAY)];
    const state = replay(withOpen, rules, utc);
    expect(state.visits).toBe(3);
    const score = evaluate(state, rules, T0 + 3 * DAY + MIN);
    expect(score.breakdown.map((b) => b.rule)).toEqual(["opens-emails"]);
    expect(score.total).toBe(5);
    // A fourth website visit is what earns the bonus.
    const fourth = replay([...withOpen, ev("pageview", T0 + 4 * DAY, "/")], rules, utc);
    expect(evaluate(fourth, rules, T0 + 4 * DAY).breakdown.map((b) => b.rule)).toEqual(["more-than-3-visits", "opens-emails"]);
  });

  it("gives a director in technology who reads the pricing page and a whitepaper 60", () => {
    const score = evaluate(
      replay(
        [
          ev("identify", T0, "/", { title: "Director of IT", industry: "Technology" }),
          ev("pageview", T0 + MIN, "/pricing"),
          ev("pageview", T0 + 2 * MIN, "/pricing"),
          ev("download", T0 + 3 * MIN, "/", { file: "https://shop.example/Whitepaper-2026.pdf" }),
        ],
        rules,
        utc,
      ),
      rules,
      T0 + HOUR,
    );
    expect(score.breakdown.map((b) => [b.rule, b.points])).toEqual([
      ["pricing-page", 20],
      ["whitepaper", 20],
      ["industry-technology", 10],
      ["title-director", 10],
    ]);
    expect(score.total).toBe(60);
  });
});

describe("email engagement: open 2, click 6, reply 10, decaying with a 30-day half-life", () => {
  const rules = ruleSetSchema.parse(emailEngagement);
  const journey = [
    ...Array.from({ length: 5 }, (_, i) => ev("email_open", T0 + i * HOUR, null)),
    ev("email_click", T0 + 5 * HOUR, null),
    ev("email_click", T0 + 6 * HOUR, null),
    ev("email_reply", T0 + 7 * HOUR, null),
  ];

  it("caps opens at 3 a day and earns 6 + 12 + 10 = 28, of which 27.95 is left seven hours on; a prospect", () => {
    const score = evaluate(replay(journey, rules, utc), rules, T0 + 7 * HOUR);
    expect(score.breakdown.reduce((sum, b) => sum + b.earned, 0)).toBe(28);
    expect(score.breakdown.map((b) => [b.rule, b.fired])).toEqual([
      ["email-click", 2],
      ["email-reply", 1],
      ["email-open", 3],
    ]);
    expect(score.total).toBe(27.95);
    expect(score.prospect).toBe(true);
  });

  it("halves in 30 days, when the lead is no longer a prospect", () => {
    const score = evaluate(replay(journey, rules, utc), rules, T0 + 7 * HOUR + 30 * DAY);
    expect(score.total).toBeCloseTo(14, 1);
    expect(score.prospect).toBe(false);
  });
});
