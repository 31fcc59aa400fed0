import { enqueue } from "./jobs/messages";

/**
 * The hourly cron: enqueues the first page of the fan-out and nothing else. Each page of sites (by id)
 * starts the daily run of the sites whose local list hour has come (see jobs/cron.ts), so the number of
 * sites never weighs on one invocation.
 */
export async function startHourlyRun(queue: Queue, scheduledTime: number): Promise<void> {
  await enqueue(queue, [{ kind: "cron", after: null, now: scheduledTime }]);
}
