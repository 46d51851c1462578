// The chart on the local cluster (npm run test:cluster, through k8s/local/test.sh, which
// builds the tools and images, starts the cluster and always stops it). The files are
// one scenario against one release, run in the order below and stopped at the first
// failure: install, then checks of the running release, then uninstall.
import { basename } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const order = [
  "install",
  "smoke",
  "nats",
  "tokens",
  "policies",
  "ingress",
  "links",
  "trace",
  "faults",
  "uninstall",
];

class InScenarioOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = order.indexOf(basename(file.moduleId, ".test.ts"));
      if (at < 0) throw new Error(`${file.moduleId} has no place in k8s/local/vitest.config.ts`);
      return at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    fileParallelism: false,
    sequence: { sequencer: InScenarioOrder },
    bail: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
