/**
 * `npm run build` in an app: bundles src/main.ts and the @gavel/* libraries it uses into
 * one ES module, dist/main.js, with a source map. Third-party packages stay external, so
 * an image ships production dependencies plus one file of ours, started without type stripping.
 *
 *   node ../../scripts/build/bundle-app.ts        (from apps/<name>)
 */
import { build } from "esbuild";

const ours = /^(@gavel\/|\.{1,2}\/|\/)/;

const result = await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
  plugins: [
    {
      name: "external-third-party",
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) =>
          args.kind === "entry-point" || ours.test(args.path)
            ? undefined
            : { path: args.path, external: true },
        );
      },
    },
  ],
});

const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dist/main.js and its map: ${(bytes / 1024).toFixed(0)} KiB`);
