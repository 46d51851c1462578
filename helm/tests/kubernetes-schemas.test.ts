import { describe, expect, test } from "vitest";
import { render, variations, type K8sObject } from "./chart.ts";
import { unknownFields } from "./unknown-fields.ts";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

type Models = Record<string, ModelClass | undefined>;

/** The kubernetes-models module of each API version the chart renders. */
const modules: Record<string, () => Promise<Models>> = {
  v1: () => import("kubernetes-models/v1") as Promise<Models>,
  "apps/v1": () => import("kubernetes-models/apps/v1") as Promise<Models>,
  "batch/v1": () => import("kubernetes-models/batch/v1") as Promise<Models>,
  "policy/v1": () => import("kubernetes-models/policy/v1") as Promise<Models>,
  "autoscaling/v2": () => import("kubernetes-models/autoscaling/v2") as Promise<Models>,
  "networking.k8s.io/v1": () => import("kubernetes-models/networking.k8s.io/v1") as Promise<Models>,
  "rbac.authorization.k8s.io/v1": () =>
    import("kubernetes-models/rbac.authorization.k8s.io/v1") as Promise<Models>,
};

async function modelOf(object: K8sObject): Promise<ModelClass> {
  const model = (await modules[object.apiVersion]?.())?.[object.kind];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

describe("every rendered object is valid against the Kubernetes API schemas", () => {
  test.each(variations)("with $name", async ({ args }) => {
    const objects = await render(args);
    expect(objects.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const object of objects) {
      try {
        new (await modelOf(object))(object).validate();
      } catch (err) {
        problems.push(`${object.kind}/${object.metadata.name}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("no object has a field the API does not define, with any of the values", async () => {
    const rendered = (await Promise.all(variations.map(({ args }) => render(args)))).flat();
    const distinct = [...new Map(rendered.map((o) => [JSON.stringify(o), o])).values()];
    expect(unknownFields(distinct)).toEqual([]);
  });

  test("the unknown-field check names a misspelt field", async () => {
    const [deployment] = (await render()).filter((o) => o.kind === "Deployment");
    const spec = deployment!.spec as {
      template: { spec: { containers: Array<Record<string, unknown>> } };
    };
    spec.template.spec.containers[0]!.readinesProbe = { httpGet: { path: "/readyz", port: 8080 } };
    expect(unknownFields([deployment!]).join("\n")).toMatch(/readinesProbe/);
  });

  test("names are unique per kind", async () => {
    const objects = await render();
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(keys.length).toBe(new Set(keys).size);
  });
});
