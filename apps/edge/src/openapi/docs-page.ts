/**
 * A small, self-contained reference page over /v1/openapi.json: no CDN, no build step,
 * so it works offline and in air-gapped clusters. Any OpenAPI tool (Swagger UI, Redoc,
 * Scalar, Postman) can load the same document for more.
 */
export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gavel API reference</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1a1a1a; }
  h1 { margin-bottom: 0; } .lead { color: #444; }
  section { border: 1px solid #ccc; border-radius: 6px; margin: 1rem 0; padding: 0.5rem 1rem; }
  .method { display: inline-block; min-width: 4rem; font-weight: 700; text-transform: uppercase; }
  .get { color: #0b5394; } .post { color: #38761d; } .options { color: #666; }
  code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
  pre { background: #f4f4f4; padding: 0.5rem; overflow-x: auto; }
  table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }
</style>
</head>
<body>
<h1>Gavel public API</h1>
<p class="lead">Generated from <a href="/v1/openapi.json">/v1/openapi.json</a>. Start at <a href="/v1">/v1</a> and follow <code>_links</code>.</p>
<main id="operations" aria-live="polite">Loading…</main>
<script>
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  fetch("/v1/openapi.json").then((r) => r.json()).then((doc) => {
    // Components are used by $ref: follow one to what it stands for, keeping a local description.
    const at = (ref) => ref.slice(2).split("/").reduce((node, t) => node[t.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
    const resolve = (o) => (o && o.$ref ? { ...resolve(at(o.$ref)), ...(o.description ? { description: o.description } : {}) } : o);
    const type = (s) => s.$ref ? "<a href='#schema-" + esc(s.$ref.split("/").pop()) + "'>" + esc(s.$ref.split("/").pop()) + "</a>" : esc(s.type || "");
    const out = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!["get", "post", "options"].includes(method)) continue;
        const params = (op.parameters || []).map(resolve).map((p) => "<tr><td><code>" + esc(p.name) + "</code></td><td>" + esc(p.in) + "</td><td>" + (p.required ? "required" : "optional") + "</td><td>" + type(p.schema) + "</td></tr>").join("");
        const body = op.requestBody ? "<h4>Body</h4><p>" + Object.entries(op.requestBody.content).map(([media, c]) => "<code>" + esc(media) + "</code>: " + type(c.schema)).join("<br>") + "</p>" : "";
        const responses = Object.entries(op.responses).map(([s, r]) => "<tr><td>" + esc(s) + "</td><td>" + esc(resolve(r).description) + "</td></tr>").join("");
        const auth = op.security.some((s) => Object.keys(s).length === 0) ? "token optional" : "bearer token required";
        out.push("<section><h2><span class='method " + method + "'>" + method + "</span> <code>" + esc(path) + "</code></h2><p>" + esc(op.summary) + " (" + auth + ")</p>" +
          (params ? "<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th></th><th>type</th></tr>" + params + "</table>" : "") + body +
          "<h4>Responses</h4><table>" + responses + "</table></section>");
      }
    }
    out.push("<h2>Schemas</h2>");
    for (const [name, schema] of Object.entries(doc.components.schemas))
      out.push("<section id='schema-" + esc(name) + "'><h3>" + esc(name) + "</h3><pre>" + esc(JSON.stringify(schema, null, 2)) + "</pre></section>");
    document.getElementById("operations").innerHTML = out.join("");
  }).catch((e) => { document.getElementById("operations").textContent = "Could not load the document: " + e; });
</script>
</body>
</html>
`;
