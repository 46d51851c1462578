// A strict reader of the few parts of Mermaid's flowchart syntax docs/architecture.md's
// map uses, so a test can hold the drawn arrows to the chart. Anything else is an error
// naming the line: a diagram the reader misread would make the test prove nothing.

export interface Flowchart {
  /** Node id to its label and the box (subgraph) it is drawn in. */
  nodes: Map<string, { label: string; box: string | undefined }>;
  /** Box (subgraph) id to its title and the nodes in it. */
  boxes: Map<string, { label: string; members: string[] }>;
  edges: FlowchartEdge[];
}

export interface FlowchartEdge {
  from: string;
  to: string;
  /** `-->` is solid; `-.->` and `<-.->` are dotted. */
  style: "solid" | "dotted";
  /** `<-.->`: an arrowhead at both ends. */
  both: boolean;
  label: string | undefined;
}

const id = String.raw`([A-Za-z][\w-]*)`;
const quoted = String.raw`"([^"]*)"`;
const statements: Array<[RegExp, (m: RegExpExecArray, chart: Reader) => void]> = [
  [/^%%/, () => {}],
  [/^(?:classDef|class|style|linkStyle)\s/, () => {}],
  [/^direction (?:TB|TD|BT|LR|RL)$/, () => {}],
  [new RegExp(`^subgraph ${id}(?:\\[${quoted}\\])?$`), (m, r) => r.open(m[1]!, m[2])],
  [/^end$/, (_, r) => r.close()],
  // Shapes: ["rectangle"], [("cylinder")], (["stadium"]).
  [
    new RegExp(`^${id}(?:\\[${quoted}\\]|\\[\\(${quoted}\\)\\]|\\(\\[${quoted}\\]\\))$`),
    (m, r) => r.node(m[1]!, m[2] ?? m[3] ?? m[4]!),
  ],
  // Arrows: a --> b, a -- "label" --> b, a -.-> b, a <-.-> b.
  [new RegExp(`^${id} (-->|-\\.->|<-\\.->) ${id}$`), (m, r) => r.edge(m[1]!, m[2]!, m[3]!)],
  [new RegExp(`^${id} -- ${quoted} --> ${id}$`), (m, r) => r.edge(m[1]!, "-->", m[3]!, m[2])],
];

class Reader {
  readonly chart: Flowchart = { nodes: new Map(), boxes: new Map(), edges: [] };
  box: string | undefined;

  open(box: string, label: string | undefined): void {
    if (this.box) throw new Error(`box ${box} inside box ${this.box}: boxes are not nested`);
    this.declare(box);
    this.chart.boxes.set(box, { label: label ?? box, members: [] });
    this.box = box;
  }

  close(): void {
    if (!this.box) throw new Error("end without a subgraph");
    this.box = undefined;
  }

  node(node: string, label: string): void {
    this.declare(node);
    this.chart.nodes.set(node, { label, box: this.box });
    if (this.box) this.chart.boxes.get(this.box)!.members.push(node);
  }

  edge(from: string, arrow: string, to: string, label?: string): void {
    for (const end of [from, to]) {
      // Mermaid would quietly draw a new node for a misspelt id; here it is an error.
      if (!this.chart.nodes.has(end) && !this.chart.boxes.has(end)) {
        throw new Error(`${end} is not declared before its first arrow`);
      }
    }
    const style = arrow === "-->" ? "solid" : "dotted";
    this.chart.edges.push({ from, to, style, both: arrow === "<-.->", label });
  }

  declare(name: string): void {
    if (this.chart.nodes.has(name) || this.chart.boxes.has(name)) {
      throw new Error(`${name} is declared twice`);
    }
  }
}

/** Reads a `flowchart` diagram's source; throws naming the first line it cannot read. */
export function parseFlowchart(source: string): Flowchart {
  const lines = source.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  if (!/^flowchart (?:TB|TD|BT|LR|RL)$/.test(lines[first]?.trim() ?? "")) {
    throw new Error("a flowchart starts with `flowchart <direction>`");
  }
  const reader = new Reader();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (i <= first || line === "") return;
    try {
      const statement = statements.find(([pattern]) => pattern.test(line));
      if (!statement) throw new Error("not a statement this reader knows");
      statement[1](statement[0].exec(line)!, reader);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`line ${i + 1} of the flowchart, ${JSON.stringify(line)}: ${why}`, {
        cause: err,
      });
    }
  });
  if (reader.box) throw new Error(`subgraph ${reader.box} has no end`);
  return reader.chart;
}

/** The source of every ```mermaid block in a Markdown text, in order. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => m[1]!);
}
