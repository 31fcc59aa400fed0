import { Layout } from "./layout";
import { Chart, Stat, num, type ChartSpec } from "./components";
import type { Frame } from "./frame";

/** What the overview shows, as its route computed it from the recorded daily figures. */
export interface OverviewData {
  from: string;
  to: string;
  /** Days with recorded figures in the window. */
  recordedDays: number;
  listHour: number;
  timezone: string;
  leads: number | null;
  prospects: number | null;
  events: number;
  newProspects: number;
  perDay: ChartSpec;
  classes: ChartSpec;
  topRules: ChartSpec;
}

/** A site at a glance: the last 30 days' events and new prospects, the class mix, the rules that count. */
export function OverviewPage({ frame, data }: { frame: Frame; data: OverviewData }) {
  return (
    <Layout frame={frame}>
      <h1>Overview</h1>
      <p class="lede">
        {data.from} to {data.to}. The figures are recorded each day with the prospect list ({String(data.listHour).padStart(2, "0")}:00,{" "}
        {data.timezone}); {data.recordedDays} of the last 30 days have them.
      </p>
      <div class="stats">
        <Stat label="leads" value={num(data.leads)} />
        <Stat label="prospects on the latest list" value={num(data.prospects)} />
        <Stat label="events in 30 days" value={num(data.events)} />
        <Stat label="new prospects in 30 days" value={num(data.newProspects)} />
      </div>
      <div class="grid">
        <Chart id="per-day" title="Events and new prospects per day" spec={data.perDay} unit="day" />
        <Chart id="classes" title="Leads per class (latest day)" spec={data.classes} unit="class" />
        <Chart id="top-rules" title="Rules behind new prospects (30 days)" spec={data.topRules} unit="rule" />
      </div>
    </Layout>
  );
}
