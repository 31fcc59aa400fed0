import type { SiteRow } from "../../schema";
import type { Database } from "../store/db";
import { findModel, outcomeLeadsPage, saveModel, type OutcomeCursor } from "../store/lead-models";
import { findRuleSet } from "../store/rules";
import { classOf, totalScore } from "../scoring/evaluate";
import { featureValues, featuresOf, firedAt, type Feature } from "../scoring/features";
import type { OutcomeLead } from "../scoring/insights";
import { probabilityOf, trainModel, type Example, type PredictiveModel } from "../scoring/predictive";
import type { RuleSet } from "../scoring/rules";
import type { ScoreState } from "../scoring/state";

/** Leads read per page, and at most this many in one request (a bounded read: pages of the outcome index). */
export const OUTCOME_PAGE = 200;
export const MAX_OUTCOME_LEADS = 10_000;

/** Leads with an outcome, read for insights and training. */
export interface OutcomeEvidence {
  rules: RuleSet;
  rulesVersion: number;
  features: Feature[];
  leads: OutcomeLead[];
  examples: Example[];
  /** More leads with an outcome exist than one request reads. */
  truncated: boolean;
}

/** Reads the site's leads with an outcome at or after `since`, page by page, into what insights and training need. */
export async function readOutcomeEvidence(db: Database, site: SiteRow, since: number, now: number): Promise<OutcomeEvidence | undefined> {
  const set = await findRuleSet(db, site.id, site.rulesVersion);
  if (!set) return undefined;
  const rules = set.rules;
  const features = featuresOf(rules);
  const leads: OutcomeLead[] = [];
  const examples: Example[] = [];
  let cursor: OutcomeCursor | undefined;
  let truncated = false;
  for (;;) {
    const page = await outcomeLeadsPage(db, site.id, since, OUTCOME_PAGE, cursor);
    for (const row of page) {
      if (leads.length >= MAX_OUTCOME_LEADS) {
        truncated = true;
        break;
      }
      // The lead as it stood when the outcome came (states stored before outcomes kept that: as of now).
      const outcome = row.state.outcome;
      const score = outcome?.score ?? totalScore(row.state, rules, now);
      const fired = outcome?.fired ?? firedAt(row.state, rules, now);
      const won = outcome?.outcome === "won";
      leads.push({ score: Math.round(score * 100) / 100, class: classOf(rules, score), won, fired: rules.rules.map((r) => (fired[r.id] ?? 0) > 0) });
      examples.push({ x: featureValues(fired, row.state.traits, features), won });
    }
    const last = page.at(-1);
    if (truncated || page.length < OUTCOME_PAGE || !last) break;
    cursor = { at: last.outcomeAt as number, id: last.id };
  }
  return { rules, rulesVersion: set.version, features, leads, examples, truncated };
}

/** Fits and stores the site's model from its leads with an outcome; null when there are too few. */
export async function trainSiteModel(db: Database, site: SiteRow, now: number): Promise<{ model: PredictiveModel | null; evidence: OutcomeEvidence | undefined }> {
  const evidence = await readOutcomeEvidence(db, site, 0, now);
  if (!evidence) return { model: null, evidence };
  const model = trainModel(evidence.features, evidence.examples);
  if (model) await saveModel(db, site.id, evidence.rulesVersion, model, now);
  return { model, evidence };
}

/**
 * The site's probability function: the stored model's P(won) for a lead, or null when the site has no
 * model yet or its rules changed since it was fitted (the features no longer mean the same).
 */
export async function sitePredictor(db: Database, site: SiteRow, rules: RuleSet, now: number): Promise<(state: ScoreState) => number | null> {
  const row = await findModel(db, site.id);
  if (!row || row.rulesVersion !== site.rulesVersion) return () => null;
  return (state) => probabilityOf(row.model, rules, state, now);
}
