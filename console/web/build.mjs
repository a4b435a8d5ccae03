// Bundles the console front end into dist/ (no CDN at run time: everything comes from npm).
//   node build.mjs           one build
//   node build.mjs --watch   rebuild on change
import { build, context } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const options = {
  entryPoints: { app: join(here, "src/main.js") },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: "linked",
  outdir: dist,
  loader: { ".css": "css" },
  logLevel: "warning",
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await copyFile(join(here, "index.html"), join(dist, "index.html"));
if (process.argv.includes("--watch")) {
  const ctx = await context(options);
  await ctx.watch();
  console.log("watching src/ ...");
} else {
  const started = Date.now();
  await build(options);
  console.log(`console/web: dist/ built in ${Date.now() - started} ms`);
}
