// npm run datasets:ocr -- [--count N] [--seed S] [--width W] [--chinese] [--out DIR]
// Renders N text lines with known strings in headless Chromium (accuracy/ocr-lines.ts) and writes the data set
// PP-OCR rec's accuracy is measured on: DIR/x.npy ([N, 3, 48, W] f32, the rec input `x`) and DIR/labels.txt
// (line i is the string of x[i]) and DIR/keys.txt (the rec dictionary). Defaults: 100 lines, seed 1, W 320, Latin text only, build/datasets/ocr-lines
// (build/datasets/ocr-lines-zh with --chinese, where one line in three is Chinese).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeOcrLines } from '../accuracy/ocr-lines.js';
import { writeNpy } from '../api/npy.js';
import { ppocrRecFiles } from '../accuracy/ppocr-rec.js';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

function positiveInteger(text: string, name: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name} takes a positive integer, got '${text}'`);
  return Number(text);
}

/** Writes the folder through a fresh sibling and a rename, replacing an earlier one, so no reader sees half of one. */
function writeDatasetDir(dir: string, files: Record<string, Uint8Array | string>): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it private
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(tmp, name), content);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const count = positiveInteger(option(args, '--count', '100'), '--count');
  const seed = positiveInteger(option(args, '--seed', '1'), '--seed');
  const width = positiveInteger(option(args, '--width', '320'), '--width');
  const chinese = args.includes('--chinese');
  const out = path.resolve(option(args, '--out', path.join('build', 'datasets', chinese ? 'ocr-lines-zh' : 'ocr-lines')));
  const lines = await makeOcrLines({ count, seed, width, chinese });
  const x = writeNpy({ dtype: 'f32', shape: lines.shape, data: lines.x });
  // keys.txt: the recognizer's dictionary, which `dlc eval --metric cer` reads from the data set.
  const keys = fs.readFileSync(ppocrRecFiles().keys);
  writeDatasetDir(out, { 'x.npy': x, 'labels.txt': lines.labels.join('\n') + '\n', 'keys.txt': keys });
  const mib = (x.length / 2 ** 20).toFixed(1);
  console.log(`${out}: ${count} lines, x.npy [${lines.shape.join(', ')}] f32 (${mib} MiB), labels.txt; rendered in ${(lines.renderMs / count).toFixed(1)} ms per line`);
}

main().catch((e) => {
  console.error(`make-ocr-dataset: ${(e as Error).message}`);
  process.exit(1);
});
