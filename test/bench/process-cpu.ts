import { existsSync, readdirSync, readFileSync } from "node:fs";

/**
 * CPU seconds spent so far by a process and all its descendants (wrangler, workerd and what they start),
 * read from /proc: a figure that, unlike requests per second, does not fall when other work shares the
 * machine. Null where there is no /proc.
 */
export function cpuSecondsOf(rootPid: number | undefined): number | null {
  if (rootPid === undefined || !existsSync("/proc/self/stat")) return null;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while being read
    }
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of stats) if (!tree.has(pid) && tree.has(s.ppid)) (tree.add(pid), (grew = true));
  }
  let ticks = 0;
  for (const pid of tree) ticks += stats.get(pid)?.ticks ?? 0;
  // Linux reports in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on.
  return ticks / 100;
}

