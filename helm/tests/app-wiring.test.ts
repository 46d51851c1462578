import { readFileSync } from "node:fs";
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { IContainer, IEnvVar, ISecret, IService } from "kubernetes-models/v1";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { apps, chartDir, named, nameOf, release, render, type K8sObject } from "./chart.ts";

function appContainer(objects: K8sObject[], app: string): IContainer {
  return named<IDeployment & K8sObject>(objects, "Deployment", nameOf(app)).spec!.template.spec!
    .containers[0]!;
}

function envOf(container: IContainer): Map<string, IEnvVar> {
  return new Map((container.env ?? []).map((e) => [e.name, e]));
}

const valueOf = (container: IContainer, name: string) => envOf(container).get(name)?.value;

describe("each app gets what its config schema reads", () => {
  test("one Deployment per app, and a Service for each app with an API", async () => {
    const objects = await render();
    const deployments = objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
    expect(deployments.sort()).toEqual([...apps.map(nameOf), nameOf("jaeger")].sort());
    for (const app of apps.filter((a) => a !== "notifier")) {
      expect(() => named(objects, "Service", nameOf(app))).not.toThrow();
    }
  });

  test("no container sets a variable twice", async () => {
    const objects = await render();
    for (const app of apps) {
      const names = (appContainer(objects, app).env ?? []).map((e) => e.name);
      expect(names.length, app).toBe(new Set(names).size);
    }
  });

  test("identity, telemetry and NATS settings come from the chart, per app", async () => {
    const objects = await render();
    for (const app of apps) {
      const c = appContainer(objects, app);
      const env = envOf(c);
      expect(c.image).toBe(`gavel-${app}:0.1.0`);
      expect(c.imagePullPolicy).toBe("IfNotPresent");
      expect(env.get("POD_NAME")?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.name");
      expect(valueOf(c, "OTEL_SERVICE_NAME")).toBe(app);
      expect(valueOf(c, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(`http://${nameOf("jaeger")}:4318`);
      // Jaeger stores traces only.
      expect(valueOf(c, "OTEL_METRICS_EXPORTER")).toBe("none");
      expect(valueOf(c, "OTEL_TRACES_SAMPLER")).toBe("parentbased_traceidratio");
      expect(valueOf(c, "NATS_URL")).toBe(`nats://${nameOf("nats")}:4222`);
      expect(valueOf(c, "NATS_USER")).toBe(app);
      expect(env.get("NATS_PASSWORD")?.valueFrom?.secretKeyRef).toEqual({
        name: nameOf("credentials"),
        key: `nats-password-${app}`,
      });
      expect(env.get("GAVEL_JWT_PUBLIC_KEY")?.valueFrom?.secretKeyRef).toEqual({
        name: nameOf("jwt"),
        key: "jwt-public-key.pem",
      });
      expect(valueOf(c, "GAVEL_STREAM_REPLICAS")).toBe("3");
      expect(valueOf(c, "GAVEL_KV_REPLICAS")).toBe("3");
      expect(valueOf(c, "GAVEL_ENV")).toBe("production");
    }
    const identity = envOf(appContainer(objects, "identity"));
    expect(identity.get("GAVEL_JWT_PRIVATE_KEY")?.valueFrom?.secretKeyRef?.name).toBe(
      nameOf("jwt"),
    );
    expect(valueOf(appContainer(objects, "push"), "GAVEL_REPLICA_ID")).toBe("$(POD_NAME)");
    const ticket = envOf(appContainer(objects, "push")).get("GAVEL_PUSH_TICKET_SECRET");
    expect(ticket?.valueFrom?.secretKeyRef?.name).toBe(nameOf("credentials"));
  });

  test("push follows channels per channel unless the values say shared", async () => {
    const feeds = (objects: K8sObject[]) =>
      valueOf(appContainer(objects, "push"), "GAVEL_PUSH_FEEDS");
    expect(feeds(await render())).toBe("per-channel");
    expect(feeds(await render(["--set", "apps.push.env.GAVEL_PUSH_FEEDS=shared"]))).toBe("shared");
  });

  test("every service URL names a Service that serves that port", async () => {
    const objects = await render();
    const urls = apps.flatMap((app) =>
      (appContainer(objects, app).env ?? [])
        .filter((e) => /^GAVEL_[A-Z]+_URL$/.test(e.name))
        .map((e) => ({ app, url: new URL(e.value!) })),
    );
    expect(urls.map((u) => `${u.app}->${u.url.hostname}`).sort()).toEqual(
      [
        ...["bff", "edge"].flatMap((a) =>
          ["bidding", "catalog", "identity", "settlement"].map((b) => `${a}->${nameOf(b)}`),
        ),
        `push->${nameOf("bidding")}`,
      ].sort(),
    );
    for (const { url } of urls) {
      const service = named<IService & K8sObject>(objects, "Service", url.hostname);
      expect(service.spec!.ports!.map((p) => p.port)).toContain(Number(url.port));
      expect(service.spec!.ports![0]!.appProtocol).toBe("kubernetes.io/h2c");
    }
  });

  test("the generated Secret holds every key the pods refer to in it", async () => {
    const objects = await render();
    const secret = named<ISecret & K8sObject>(objects, "Secret", nameOf("credentials"));
    const refs = objects
      .flatMap((o) => JSON.stringify(o).match(/"secretKeyRef":\{[^}]*\}/g) ?? [])
      .map(
        (ref) => JSON.parse(ref.slice('"secretKeyRef":'.length)) as { name: string; key: string },
      )
      .filter((ref) => ref.name === nameOf("credentials"));
    expect(refs.length).toBeGreaterThan(apps.length);
    for (const ref of refs) expect(Object.keys(secret.data!)).toContain(ref.key);
    for (const [key, value] of Object.entries(secret.data!)) {
      if (key.startsWith("nats-password-"))
        expect(atob(value), key).toMatch(/^[A-Za-z][A-Za-z0-9]{31,}$/);
    }
  });

  test("with an existing Secret nothing secret is generated and everything refers to it", async () => {
    const objects = await render(["--set", "secrets.existingSecret=gavel-secrets"]);
    expect(objects.filter((o) => o.kind === "Secret" || o.kind === "Job")).toEqual([]);
    const refs = JSON.stringify(objects).match(/"secretKeyRef":\{"name":"[^"]+"/g) ?? [];
    expect(new Set(refs)).toEqual(new Set(['"secretKeyRef":{"name":"gavel-secrets"']));
  });

  test("the edge, alone, reads traces from the chart's Jaeger query port for the page", async () => {
    const objects = await render();
    const url = new URL(valueOf(appContainer(objects, "edge"), "GAVEL_TRACE_QUERY_URL")!);
    expect(url.hostname).toBe(nameOf("jaeger"));
    const jaeger = named<IService & K8sObject>(objects, "Service", nameOf("jaeger"));
    expect(jaeger.spec!.ports!.find((p) => p.port === Number(url.port))?.name).toBe("ui");
    for (const app of apps.filter((a) => a !== "edge"))
      expect(valueOf(appContainer(objects, app), "GAVEL_TRACE_QUERY_URL"), app).toBeUndefined();
    // The page's spans are relayed by the edge to where its own go: OTLP/HTTP, no override.
    expect(valueOf(appContainer(objects, "edge"), "GAVEL_WEB_OTLP_TRACES_URL")).toBeUndefined();
    const off = await render(["--set", "jaeger.traceView=false"]);
    expect(valueOf(appContainer(off, "edge"), "GAVEL_TRACE_QUERY_URL")).toBeUndefined();
  });

  test("without Jaeger, traces and metrics go to the configured collector and no Jaeger runs", async () => {
    const endpoint = "http://otel-collector.observability:4318";
    const objects = await render([
      "--set",
      "jaeger.enabled=false",
      "--set",
      `telemetry.endpoint=${endpoint}`,
    ]);
    expect(objects.filter((o) => o.metadata.name.startsWith(nameOf("jaeger")))).toEqual([]);
    for (const app of apps) {
      expect(valueOf(appContainer(objects, app), "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(endpoint);
      expect(valueOf(appContainer(objects, app), "OTEL_METRICS_EXPORTER")).toBeUndefined();
      expect(valueOf(appContainer(objects, app), "GAVEL_TRACE_QUERY_URL")).toBeUndefined();
    }
  });

  test("the kind values trace every bid and allow the kind URL as the browser origin", async () => {
    const objects = await render(["-f", "values-kind.yaml"]);
    for (const app of ["edge", "bff", "push"]) {
      expect(valueOf(appContainer(objects, app), "GAVEL_CORS_ORIGINS")).toBe(
        "http://localhost:8088",
      );
    }
    expect(valueOf(appContainer(objects, "bidding"), "OTEL_TRACES_SAMPLER_ARG")).toBe("1");
    expect(objects.filter((o) => o.kind === "HorizontalPodAutoscaler")).toEqual([]);
  });

  test("NATS runs the server version the tests run (scripts/tools/versions.env), on the local cluster too", () => {
    const versions = readFileSync(
      new URL("../../scripts/tools/versions.env", import.meta.url),
      "utf8",
    );
    const pinned = /^NATS_SERVER_VERSION=v?(\S+)$/m.exec(versions)![1]!;
    for (const file of ["values.yaml", "values-local.yaml"]) {
      const values = parse(readFileSync(`${chartDir}/${file}`, "utf8")) as {
        nats: { image: { tag: string } };
      };
      expect(values.nats.image.tag.split("-")[0], file).toBe(pinned);
    }
  });

  test("the release name prefixes every object", async () => {
    const objects = await render();
    for (const o of objects)
      expect(o.metadata.name.startsWith(`${release}-gavel`), o.metadata.name).toBe(true);
  });
});
