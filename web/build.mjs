// Bundles src/widget.js (+ CSS + socket.io-client) into ../channels/static/widget.js.
//   npm ci && npm run build     rebuild the committed asset
//   npm run check               fail if the committed asset is stale
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "channels", "static", "widget.js");
const pkg = JSON.parse(readFileSync(path.join(here, "package.json"), "utf8"));
const sio = JSON.parse(
  readFileSync(path.join(here, "node_modules", "socket.io-client", "package.json"), "utf8"),
);

const result = await build({
  entryPoints: [path.join(here, "src", "widget.js")],
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2019",
  minify: true,
  legalComments: "none",
  charset: "utf8",
  loader: { ".css": "text" },
  define: { "process.env.NODE_ENV": '"production"' },
  banner: {
    js:
      `/*! ${pkg.name} ${pkg.version}, built from web/ (npm run build); do not edit.\n` +
      ` * Includes socket.io-client ${sio.version} (MIT, (c) Guillermo Rauch and contributors). */`,
  },
  write: false,
});
const code = result.outputFiles[0].text;

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(out, "utf8");
  } catch (e) {
    /* missing */
  }
  if (current !== code) {
    console.error("channels/static/widget.js is stale: run `npm run build` in web/");
    process.exit(1);
  }
  console.log("channels/static/widget.js is up to date");
} else {
  writeFileSync(out, code);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${code.length} bytes)`);
}
