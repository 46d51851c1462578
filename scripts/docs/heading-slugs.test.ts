import { describe, expect, it } from "vitest";
import { anchorsOf, githubSlug, headingText, headings } from "./heading-slugs.ts";

describe("githubSlug", () => {
  it.each([
    ["Architecture as built", "architecture-as-built"],
    ["Settlement (apps/settlement, Go)", "settlement-appssettlement-go"],
    ["50,000 WebSocket connections on one box", "50000-websocket-connections-on-one-box"],
    ["The push gateway's live feeds", "the-push-gateways-live-feeds"],
    ["7. Up to internet scale: a capacity plan", "7-up-to-internet-scale-a-capacity-plan"],
    ["snake_case and kebab-case", "snake_case-and-kebab-case"],
    ["Two  spaces", "two--spaces"],
    ["Push fan-out — against Socket.IO", "push-fan-out--against-socketio"],
    ["Ünïcode stays", "ünïcode-stays"],
  ])("%s -> %s", (text, slug) => {
    expect(githubSlug(text)).toBe(slug);
  });
});

describe("headingText", () => {
  it("keeps code spans' content and links' text, and drops emphasis and HTML", () => {
    expect(headingText("Settlement (`apps/settlement`, Go)")).toBe(
      "Settlement (apps/settlement, Go)",
    );
    expect(headingText("See [the *chart*](helm/README.md) <br> now")).toBe("See the chart  now");
    expect(headingText("**Bold** and _emph_ but snake_case_name")).toBe(
      "Bold and emph but snake_case_name",
    );
    expect(headingText("`a_b` and `` c`d ``")).toBe("a_b and c`d");
  });
});

describe("headings", () => {
  it("finds ATX and setext headings outside code fences only", () => {
    const markdown = [
      "# Title #",
      "",
      "```sh",
      "# a shell comment, not a heading",
      "```",
      "Underlined",
      "----------",
      "",
      "#hashtag is text",
      "   ### Indented three",
      "- a list item",
      "---",
    ].join("\n");
    expect(headings(markdown)).toEqual(["Title", "Underlined", "Indented three"]);
  });
});

describe("anchorsOf", () => {
  it("numbers repeated slugs as GitHub does, and adds HTML anchors", () => {
    const markdown = [
      "## Tests",
      "## Tests",
      "## Tests-1",
      "## Tests",
      '<a name="custom"></a>',
      '`<a id="in-code">`',
    ].join("\n");
    expect([...anchorsOf(markdown)]).toEqual([
      "tests",
      "tests-1",
      "tests-1-1",
      "tests-2",
      "custom",
    ]);
  });
});
