import { existsSync, readdirSync, readFileSync } from "node:fs";

// Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** User plus system clock ticks from a /proc stat line (the command name, field 2, may hold spaces). */
function ticksOf(stat: string): { ppid: number; ticks: number } {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** The pids of a process and all its descendants (wrangler, workerd and what they start). */
function processTree(rootPid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), ticksOf(readFileSync(`/proc/${entry}/stat`, "utf8")).ppid);
    } catch {
      // the process ended while being read
    }
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) if (!tree.has(pid) && tree.has(ppid)) (tree.add(pid), (grew = true));
  }
  return [...tree];
}

/** CPU seconds spent so far by each thread of a process tree, keyed "pid/tid"; null where there is no /proc. */
export function threadCpuSecondsOf(rootPid: number | undefined): Map<string, number> | null {
  if (rootPid === undefined || !existsSync("/proc/self/stat")) return null;
  const threads = new Map<string, number>();
  for (const pid of processTree(rootPid)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        threads.set(`${pid}/${tid}`, ticksOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")).ticks / TICKS_PER_SECOND);
      } catch {
        // the thread ended while being read
      }
    }
  }
  return threads;
}

/**
 * CPU seconds spent so far by a process and all its descendants, read from /proc: a figure that, unlike
 * requests per second, does not fall when other work shares the machine. Null where there is no /proc.
 */
export function cpuSecondsOf(rootPid: number | undefined): number | null {
  if (rootPid === undefined || !existsSync("/proc/self/stat")) return null;
  let seconds = 0;
  for (const pid of processTree(rootPid)) {
    try {
      // A process's own line counts its threads that have ended too.
      seconds += ticksOf(readFileSync(`/proc/${pid}/stat`, "utf8")).ticks / TICKS_PER_SECOND;
    } catch {
      // the process ended while being read
    }
  }
  return seconds;
}

/**
 * The CPU seconds of the thread that worked most between two readings of threadCpuSecondsOf. Under
 * `wrangler dev` that is workerd's runtime thread, which runs the worker's isolate, D1's object and the
 * rate limiters' objects one at a time: the thread whose time bounds the requests per second.
 */
export function busiestThreadSeconds(before: Map<string, number> | null, after: Map<string, number> | null): number | null {
  if (!before || !after) return null;
  let most = 0;
  for (const [thread, seconds] of after) most = Math.max(most, seconds - (before.get(thread) ?? 0));
  return most;
}
