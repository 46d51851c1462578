import { describe, expect, test } from "vitest";
import { mermaidBlocks, parseFlowchart } from "./mermaid-flowchart.ts";

const chart = `
flowchart LR
  %% a comment
  a["A: the first"]
  subgraph box["a box"]
    direction TB
    b[("B, a cylinder")]
    c(["C, a stadium"])
  end
  a -- "calls" --> box
  b -.-> a
  c <-.-> a
  classDef quiet fill:#eee
`;

describe("parseFlowchart", () => {
  test("reads nodes, boxes and arrows by id", () => {
    const parsed = parseFlowchart(chart);
    expect(Object.fromEntries(parsed.nodes)).toEqual({
      a: { label: "A: the first", box: undefined },
      b: { label: "B, a cylinder", box: "box" },
      c: { label: "C, a stadium", box: "box" },
    });
    expect(Object.fromEntries(parsed.boxes)).toEqual({
      box: { label: "a box", members: ["b", "c"] },
    });
    expect(parsed.edges).toEqual([
      { from: "a", to: "box", style: "solid", both: false, label: "calls" },
      { from: "b", to: "a", style: "dotted", both: false, label: undefined },
      { from: "c", to: "a", style: "dotted", both: true, label: undefined },
    ]);
  });

  test.each([
    ["an arrow to an undeclared node", `${chart}\n  a --> typo`, /line 15.*typo is not declared/],
    ["syntax it does not know", `${chart}\n  a ==> b`, /line 15.*not a statement/],
    ["a node declared twice", `${chart}\n  b["again"]`, /b is declared twice/],
    ["a label without quotes", `${chart}\n  a -- calls --> b`, /not a statement/],
    ["a box left open", `${chart}\n  subgraph open`, /subgraph open has no end/],
    ["another kind of diagram", "sequenceDiagram\n  a->>b: hi", /starts with `flowchart/],
  ])("refuses %s", (_, source, message) => {
    expect(() => parseFlowchart(source)).toThrow(message);
  });
});

describe("mermaidBlocks", () => {
  test("returns the mermaid fences' sources only", () => {
    const markdown = "# Doc\n\n```mermaid\nflowchart TB\n  a\n```\n\n```sh\nls\n```\n";
    expect(mermaidBlocks(markdown)).toEqual(["flowchart TB\n  a\n"]);
  });
});
