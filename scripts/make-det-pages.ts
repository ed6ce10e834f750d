// npm run datasets:det-pages -- [--pages N] [--width W] [--height H] [--seed S] [--out DIR]
// Renders seeded text lines in headless Chromium and lays them out on white pages (accuracy/det-pages.ts): the
// data set PP-OCR det's end-to-end CER (`--metric det-cer`) is measured on. DIR/x.npy ([N, 3, H, W] f32, det's
// input `x`), DIR/labels.txt (page i's lines in reading order, tab-separated), DIR/keys.txt (rec's dictionary)
// and DIR/lines.json (each line's string and box, for a look). Defaults: 8 pages of 320 × 320, seed 1,
// build/datasets/det-pages-WxH.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDetPages } from '../accuracy/det-pages.js';
import { ppocrRecFiles } from '../accuracy/ppocr-rec.js';
import { writeNpy } from '../api/npy.js';

function option(args: string[], name: string, fallback: string): number {
  const i = args.indexOf(name);
  const text = i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name} takes a positive integer, got '${text}'`);
  return Number(text);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const [pages, width, height, seed] = [option(args, '--pages', '8'), option(args, '--width', '320'), option(args, '--height', '320'), option(args, '--seed', '1')];
  if (width % 32 !== 0 || height % 32 !== 0) throw new Error(`det takes sides that are multiples of 32, got ${width}×${height}`);
  const i = args.indexOf('--out');
  const out = path.resolve(i >= 0 ? args[i + 1] : path.join('build', 'datasets', `det-pages-${width}x${height}`));
  const made = await makeDetPages({ pages, width, height, seed });
  const files: Record<string, Uint8Array | string> = {
    'x.npy': writeNpy({ dtype: 'f32', shape: made.shape, data: made.x }),
    'labels.txt': made.labels.join('\n') + '\n',
    'keys.txt': fs.readFileSync(ppocrRecFiles().keys),
    'lines.json': JSON.stringify(made.layouts, null, 1),
  };
  // Through a fresh sibling and a rename, so no reader sees half a folder.
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = fs.mkdtempSync(`${out}.tmp-`);
  fs.chmodSync(tmp, 0o755);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(tmp, name), content);
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  const lines = made.layouts.reduce((n, l) => n + l.lines.length, 0);
  console.log(`${out}: ${pages} pages of ${width}×${height}, ${lines} lines; x.npy, labels.txt, keys.txt, lines.json`);
}

main().catch((e) => {
  console.error(`make-det-pages: ${(e as Error).message}`);
  process.exit(1);
});
