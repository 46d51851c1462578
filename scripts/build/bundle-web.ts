/**
 * `npm run build` in apps/web: the page to static files in dist/, for the edge to serve.
 * Scripts and styles get content-hashed names under dist/assets/ (cached for a year);
 * index.html points at them and is the only file browsers revalidate.
 *
 *   node ../../scripts/build/bundle-web.ts        (from apps/web)
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
const result = await build({
  entryPoints: ["src/main.ts", "src/styles.css"],
  outdir: "dist/assets",
  entryNames: "[name]-[hash]",
  // What the page loads only when needed (the tracing SDK) goes in chunks of its own.
  splitting: true,
  chunkNames: "[name]-[hash]",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome120", "firefox120", "safari17"],
  minify: true,
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
});

const outputs = Object.entries(result.metafile.outputs);
const named = (ext: string) => {
  const found = outputs.find(([path, o]) => path.endsWith(ext) && o.entryPoint !== undefined);
  if (!found) throw new Error(`esbuild wrote no ${ext}`);
  return basename(found[0]);
};
const html = readFileSync("src/index.html", "utf8")
  .replace("{{js}}", named(".js"))
  .replace("{{css}}", named(".css"));
writeFileSync("dist/index.html", html);
const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
process.stdout.write(`dist/index.html and assets: ${(bytes / 1024).toFixed(0)} KiB\n`);
