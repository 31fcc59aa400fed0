// `npm start` on a taken port: a clear error instead of a demo pointed at whatever answers there.
import { createServer } from "node:net";
import { expect, it } from "vitest";
import { ensurePortFree } from "../../tracker/demo/local-stack.ts";

it("refuses a port something already listens on, naming the variable that moves it", async () => {
  const port = Number(process.env.E2E_PORT ?? 8790) + 9;
  const other = createServer();
  await new Promise<void>((resolve) => other.listen(port, "127.0.0.1", resolve));
  try {
    await expect(ensurePortFree(port, "the collector", "PORT")).rejects.toThrow(`port ${port} (the collector) is already in use, maybe by another \`npm start\`: stop it, or choose another port with PORT=...`);
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
  await expect(ensurePortFree(port, "the collector", "PORT")).resolves.toBeUndefined();
});
