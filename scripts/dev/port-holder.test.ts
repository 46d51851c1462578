import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { freePort } from "@gavel/testing";
import { afterEach, describe, expect, it } from "vitest";
import { holderOf, portsInUse } from "./port-holder.ts";

const holders: ChildProcess[] = [];
afterEach(() => {
  for (const child of holders.splice(0)) child.kill("SIGKILL");
});

/** Another process (not this one: /proc must find it) that holds `port` until killed. */
async function holdPort(port: number, protocol: "tcp" | "udp"): Promise<ChildProcess> {
  const listen =
    protocol === "tcp"
      ? `require("node:net").createServer().listen(${port}, "127.0.0.1", () => console.log("held"))`
      : `require("node:dgram").createSocket("udp4").bind(${port}, "127.0.0.1", () => console.log("held"))`;
  const child = spawn(process.execPath, ["-e", listen], { stdio: ["ignore", "pipe", "inherit"] });
  holders.push(child);
  await once(child.stdout!, "data");
  return child;
}

describe("what holds a port", () => {
  it("is named by pid and command line, for TCP and UDP", async () => {
    for (const protocol of ["tcp", "udp"] as const) {
      const port = await freePort();
      const child = await holdPort(port, protocol);
      expect(holderOf(port, protocol)).toMatch(
        new RegExp(`^pid ${child.pid} \\(.*node -e require\\("node:(net|dgram)"\\)`),
      );
    }
  });

  it("is one line for the first taken port, counting the others, and nothing when all are free", async () => {
    const [free, taken, alsoTaken] = [await freePort(), await freePort(), await freePort()];
    const child = await holdPort(taken, "tcp");
    await holdPort(alsoTaken, "udp");
    const line = await portsInUse([
      { port: free, protocol: "tcp", user: "the edge" },
      { port: taken, protocol: "tcp", user: "NATS" },
      { port: alsoTaken, protocol: "udp", user: "Jaeger" },
    ]);
    expect(line).toMatch(
      new RegExp(
        `^port ${taken} \\(NATS\\) is in use by pid ${child.pid} \\(.+\\) \\(and 1 more it needs: ${alsoTaken}\\); free it and start again$`,
      ),
    );
    expect(line).not.toContain("\n");
    expect(await portsInUse([{ port: free, protocol: "tcp", user: "the edge" }])).toBeUndefined();
  });
});
