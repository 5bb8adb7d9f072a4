// Copies the browser assets Flotilla takes from npm packages (pinned in package.json) into
// public/vendor/ (git-ignored), which cargo-leptos copies into the site:
//   - icons.svg: a sprite of only the Lucide icons listed in src/ui/icon.rs (USED_ICONS)
//   - highlight.min.js: syntax highlighting of code blocks in the chat
//   - chart/chart.umd.js: Chart.js, which draws the Analytics page's charts (public/charts.js)
//   - monaco/vs: the Monaco editor (AMD build) for the project explorer, without its translations
//     (nls/) and the unbundled language sources (language/), which the build does not load
// Run by scripts/setup.sh. Fails loudly when an icon name does not exist in lucide-static.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, existsSync, cpSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "public", "vendor");
mkdirSync(out, { recursive: true });

// Icons.
const iconSource = readFileSync(join(root, "src/ui/icon.rs"), "utf8");
const list = iconSource.match(/USED_ICONS: &\[&str\] = &\[([\s\S]*?)\];/);
if (!list) throw new Error("USED_ICONS not found in src/ui/icon.rs");
const names = [...list[1].matchAll(/"([a-z0-9-]+)"/g)].map((m) => m[1]);
const iconsDir = join(root, "node_modules/lucide-static/icons");
const symbols = names.map((name) => {
  const file = join(iconsDir, `${name}.svg`);
  if (!existsSync(file)) throw new Error(`Lucide has no icon named "${name}" (src/ui/icon.rs)`);
  const svg = readFileSync(file, "utf8");
  const body = svg.slice(svg.indexOf(">", svg.indexOf("<svg")) + 1, svg.lastIndexOf("</svg>"));
  return `<symbol id="${name}" viewBox="0 0 24 24">${body.replace(/\s*\n\s*/g, "")}</symbol>`;
});
const license = "<!-- Lucide icons (lucide-static, ISC license), https://lucide.dev -->";
writeFileSync(
  join(out, "icons.svg"),
  `<svg xmlns="http://www.w3.org/2000/svg">${license}<defs>${symbols.join("")}</defs></svg>\n`,
);

// Syntax highlighting.
const hl = join(root, "node_modules/@highlightjs/cdn-assets");
copyFileSync(join(hl, "highlight.min.js"), join(out, "highlight.min.js"));
// Token colours live in style/tailwind.css, for both themes.

// Chart.js, loaded only by the Analytics page.
const chartOut = join(out, "chart");
mkdirSync(chartOut, { recursive: true });
const chartDist = join(root, "node_modules/chart.js/dist");
const chartFile = ["chart.umd.min.js", "chart.umd.js"].map((f) => join(chartDist, f)).find((f) => existsSync(f));
if (!chartFile) throw new Error("chart.js has no UMD build in node_modules/chart.js/dist");
copyFileSync(chartFile, join(chartOut, "chart.umd.js"));
copyFileSync(join(root, "node_modules/chart.js/LICENSE.md"), join(chartOut, "LICENSE.md"));

// The Monaco editor, loaded only when a file is opened in the explorer.
const monacoOut = join(out, "monaco");
rmSync(monacoOut, { recursive: true, force: true });
const vs = join(root, "node_modules/monaco-editor/min/vs");
const skip = [join(vs, "nls"), join(vs, "language")];
cpSync(vs, join(monacoOut, "vs"), { recursive: true, filter: (src) => !skip.some((s) => src === s || src.startsWith(s + "/")) });
copyFileSync(join(root, "node_modules/monaco-editor/LICENSE"), join(monacoOut, "LICENSE"));

console.log(`vendor assets: ${names.length} icons, highlight.js, chart.js, monaco -> public/vendor/`);
