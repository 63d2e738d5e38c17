// Runs PurgeCSS once for the build (see migration_guide/css_purge.py, which calls it).
// Reads {css, content, classes, safelist: {standard}} as JSON on stdin, regexes given as source
// strings; writes the cut stylesheet to stdout. Any error exits non-zero with its message.
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { PurgeCSS } from "purgecss";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const options = JSON.parse(Buffer.concat(chunks).toString("utf-8"));
const regexes = (sources) => sources.map((source) => new RegExp(source));

// Read here rather than given as paths: PurgeCSS checks whether each path exists, then reads it
// asynchronously, one after another, which doubled its time on 2,000 files.
const content = options.content.map((file) => ({ extension: extname(file).slice(1), raw: readFileSync(file, "utf-8") }));
// The class names of the frozen pages, which Python has read already (it rewrites them next).
content.push({ extension: "txt", raw: options.classes.join(" ") });

const [result] = await new PurgeCSS().purge({
  css: [{ raw: readFileSync(options.css, "utf-8") }], // raw: a path would be read as a glob
  content,
  safelist: { standard: regexes(options.safelist.standard) },
  // The defaults, said out loud: every @font-face, @keyframes and custom property is kept.
  fontFace: false,
  keyframes: false,
  variables: false,
});
process.stdout.write(result.css);
