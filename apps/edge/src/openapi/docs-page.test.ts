import { describe, expect, it } from "vitest";
import { docsPage } from "./docs-page.ts";
import { openApiDocument } from "./openapi.ts";

/** Runs the page's script on the document, with just the DOM it uses. */
async function render(): Promise<string> {
  const script = docsPage.split("<script>")[1]!.split("</script>")[0]!;
  const main = { innerHTML: "", textContent: "" };
  const document = { getElementById: () => main };
  const fetch = () => Promise.resolve({ json: () => Promise.resolve(openApiDocument()) });
  new Function("document", "fetch", script)(document, fetch);
  await expect.poll(() => main.innerHTML || main.textContent).not.toBe("");
  return main.textContent || main.innerHTML;
}

describe("the docs page", () => {
  it("lists every operation, its parameters, bodies and answers from the document", async () => {
    const page = await render();
    expect(page).not.toMatch(/Could not load/);
    expect(page).toContain("<code>/v1/lots/import</code>");
    expect(page).toContain("<code>application/x-ndjson</code>: <a href='#schema-CreateLotBody'>");
    expect(page).toContain("<td><code>cursor</code></td><td>query</td><td>optional</td>");
    expect(page).toContain("<td>405</td><td>This path does not take the method</td>");
    expect(page).toContain("<section id='schema-Money'>");
  });
});
