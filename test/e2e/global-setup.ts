// One stack for every end-to-end test file (ports 8790/8791 unless E2E_PORT says otherwise).
import type { TestProject } from "vitest/node";
import { startE2eStack } from "./stack.ts";

export interface StackInfo {
  collector: string;
  demo: string;
  token: string;
  /** Where the collector keeps its local D1 database (the erasure test reads the files). */
  persistTo: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const port = Number(process.env.E2E_PORT ?? 8790);
  const stack = await startE2eStack(port, port + 1);
  project.provide("stack", { collector: stack.collector, demo: stack.demo, token: stack.token, persistTo: stack.persistTo });
  return () => stack.close();
}
