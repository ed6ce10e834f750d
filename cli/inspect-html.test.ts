// `dlc inspect --format html` in headless Chromium: the page is opened from disk (file://, no server), and the
// DOM must hold a node per op with its name, an edge per value with its type, a box per fused kernel named as
// the kernel list names it, a panel on click, and, with a profile, each kernel's time as its colour. A
// screenshot of each page goes to the test output folder (DLC_TEST_OUTPUT, else the system's temp folder).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { squeezenet } from '../models/zoo.js';
import { dlc } from '../tests/util/run-cli.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { launchChromium, type Browser } from './browser.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-inspect-html-'));
const OUTPUT = process.env.DLC_TEST_OUTPUT ?? path.join(os.tmpdir(), 'dlc-test-output');
const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(OUTPUT, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface KernelInfo {
  name: string;
  node: string;
  ops: string[];
}

/** inspect --json's kernel list and the page of `model`, written to a file. */
async function writePage(model: string, name: string, ...args: string[]): Promise<{ page: string; kernels: KernelInfo[]; ops: Record<string, number>; nodes: number }> {
  const json = await dlc('inspect', model, '--json');
  if (json.code !== 0) throw new Error(json.stderr);
  const report = JSON.parse(json.stdout);
  const html = await dlc('inspect', model, '--format', 'html', ...args);
  if (html.code !== 0) throw new Error(html.stderr);
  const page = path.join(tmp, `${name}.html`);
  fs.writeFileSync(page, html.stdout);
  // The page opens fused groups into their members: count the graph's own nodes and what the groups hold.
  const ops: Record<string, number> = { ...report.ops };
  for (const [op, n] of Object.entries(report.fusedOps as Record<string, number>)) ops[op] = (ops[op] ?? 0) + n;
  const members = Object.values(report.fusedOps as Record<string, number>).reduce((a, b) => a + b, 0);
  return { page, kernels: report.kernelList, ops, nodes: report.nodes + members };
}

async function openPage(file: string) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  return { page, errors, requests };
}

/** What the page drew, read from its DOM. */
function readDom() {
  const nodes = [...document.querySelectorAll<SVGGElement>('g.node')].map((g) => ({
    id: g.dataset.id!, kind: g.classList.contains('op') ? 'op' : g.classList.contains('input') ? 'input' : 'output',
    name: g.dataset.name!, op: g.dataset.op!, kernel: g.dataset.kernel, text: g.textContent,
  }));
  const edges = [...document.querySelectorAll<SVGGElement>('g.edge')].map((g) => ({ from: g.dataset.from!, to: g.dataset.to!, label: g.querySelector('.shape')!.textContent! }));
  const groups = [...document.querySelectorAll<SVGGElement>('g.group')].map((g) => {
    const r = g.querySelector('rect')!.getBBox();
    const members = [...document.querySelectorAll<SVGGElement>('g.node')].filter((n) => {
      const b = n.querySelector('rect')!.getBBox();
      return b.x >= r.x && b.y >= r.y && b.x + b.width <= r.x + r.width && b.y + b.height <= r.y + r.height;
    });
    return { id: g.dataset.id!, kernel: g.dataset.kernel!, ms: g.dataset.ms, fill: g.querySelector('rect')!.getAttribute('fill'), label: g.querySelector('.kernel-label')!.textContent!, inside: members.map((m) => m.dataset.id!) };
  });
  return { nodes, edges, groups, title: document.title };
}

test('tiny-cnn: a node per op with its name, edges with types, a box per fused kernel, a panel on click', async () => {
  const { page: file, kernels, ops, nodes: nodeCount } = await writePage(TINY_CNN, 'tiny-cnn');
  const { page, errors, requests } = await openPage(file);
  try {
    const dom = await page.evaluate(readDom);
    expect(dom.title).toBe('tiny-cnn.onnx · dlc inspect');
    const opNodes = dom.nodes.filter((n) => n.kind === 'op');
    // Every node of the graph, fused ones opened into their members: the op histogram less the fused nodes.
    expect(opNodes).toHaveLength(nodeCount - (ops.fused ?? 0));
    const histogram: Record<string, number> = {};
    for (const n of opNodes) histogram[n.op] = (histogram[n.op] ?? 0) + 1;
    expect(histogram).toEqual(Object.fromEntries(Object.entries(ops).filter(([op]) => op !== 'fused')));
    for (const n of opNodes) expect(n.text).toContain(n.op);
    expect(opNodes.map((n) => n.name)).toEqual(expect.arrayContaining(['Relu_2', 'MaxPool_3', 'Conv_4', 'Gemm_11', 'Softmax_12']));
    expect(dom.nodes.find((n) => n.kind === 'input')).toMatchObject({ name: 'image', op: 'f32[1,3,32,32]' });
    expect(dom.nodes.find((n) => n.kind === 'output')).toMatchObject({ name: 'probs', op: 'f32[1,10]' });

    // A chain: each op node reads one edge; every edge is labelled with its value's type.
    const id = (name: string) => dom.nodes.find((n) => n.name === name)!.id;
    expect(dom.edges).toHaveLength(opNodes.length + 1);
    expect(dom.edges).toContainEqual({ from: id('MaxPool_3'), to: id('Conv_4'), label: 'f32[1,8,16,16]' });
    expect(dom.edges).toContainEqual({ from: id('Softmax_12'), to: id('probs'), label: 'f32[1,10]' });

    // Each fused kernel is a box named as inspect --json names it, drawn around exactly its members; every
    // other kernel is a node marked with its kernel's name.
    const fused = kernels.filter((k) => k.node !== k.name || k.ops.length > 1);
    expect(dom.groups.map((g) => g.kernel)).toEqual(fused.map((k) => k.name));
    for (const [i, g] of dom.groups.entries()) {
      expect(g.inside.map((m) => dom.nodes.find((n) => n.id === m)!.op)).toEqual(fused[i].ops);
      expect(g.label).toContain(g.kernel.slice(0, 10));
    }
    expect(opNodes.filter((n) => n.kernel).map((n) => n.kernel)).toEqual(kernels.filter((k) => !fused.includes(k)).map((k) => k.name));
    expect(dom.nodes.find((n) => n.op === 'flatten')!.kernel).toBeUndefined();

    // A click on a node opens its panel: op, name, attributes, inputs with shapes; on a group: its kernel.
    expect(await page.isHidden('#panel')).toBe(true);
    await page.click(`g.node[data-id="${id('Conv_4')}"]`);
    expect(await page.isVisible('#panel')).toBe(true);
    const panel = await page.textContent('#panel');
    expect(panel).toMatch(/^conv\s*Conv_4/);
    expect(panel).toContain('fused in');
    expect(panel).toContain('kernel_shape');
    expect(panel).toContain('f32[1,8,16,16]');
    expect(await page.getAttribute(`g.node[data-id="${id('Conv_4')}"]`, 'class')).toContain('selected');
    await page.click(`g.group[data-id="${dom.groups[0].id}"]`, { position: { x: 8, y: 6 } });
    expect(await page.textContent('#panel h2')).toBe(`kernel ${dom.groups[0].kernel}`);
    expect(await page.textContent('#panel')).toContain(fused[0].ops.join(' → '));
    // Hover: every node carries a tooltip with its name and attributes.
    expect(await page.textContent(`g.node[data-id="${id('MaxPool_3')}"] > title`)).toMatch(/^MaxPool_3\nop max_pool\n.*kernel_shape = \[2,2\]/s);

    await page.screenshot({ path: path.join(OUTPUT, 'inspect-html-tiny-cnn.png') });
    expect(errors).toEqual([]);
    // One file: nothing but the page itself is loaded.
    expect(requests).toEqual([`file://${file}`]);
  } finally {
    await page.close();
  }
});

test('a profile colours each kernel by its time, hottest reddest', async () => {
  const { kernels, kernelList: list } = JSON.parse((await dlc('inspect', TINY_CNN, '--json')).stdout) as { kernels: number; kernelList: KernelInfo[] };
  expect(list).toHaveLength(kernels);
  // A hand-made profile of the model's real kernel names: the first kernel (conv + relu) the slowest.
  const times = list.map((k, i) => ({ name: k.name, ms: i === 0 ? 0.4 : 0.4 / (i + 2) }));
  const profileFile = path.join(tmp, 'profile.json');
  fs.writeFileSync(profileFile, JSON.stringify({ kernels: times }));
  const { page: file } = await writePage(TINY_CNN, 'tiny-cnn-profiled', '--profile', profileFile);
  const { page, errors } = await openPage(file);
  try {
    const dom = await page.evaluate(readDom);
    const hue = (fill: string | null | undefined) => Number(/^hsl\((\d+),/.exec(fill ?? '')?.[1]);
    const slowest = dom.groups.find((g) => g.kernel === list[0].name)!;
    expect(Number(slowest.ms)).toBeCloseTo(0.4);
    expect(hue(slowest.fill)).toBe(0);
    expect(slowest.label).toMatch(/0\.40 ms$/);
    // Every kernel is coloured, a slower one never yellower than a faster one.
    const coloured = await page.$$eval('[data-kernel][data-ms]', (els) => els.map((e) => ({ ms: Number((e as SVGGElement).dataset.ms), fill: e.querySelector('rect')!.getAttribute('fill') })));
    expect(coloured).toHaveLength(list.length);
    const byTime = [...coloured].sort((a, b) => a.ms - b.ms);
    for (let i = 1; i < byTime.length; i++) expect(hue(byTime[i].fill)).toBeLessThanOrEqual(hue(byTime[i - 1].fill));
    expect(await page.textContent('header')).toMatch(/profiled \d\.\d+ ms/);
    await page.click(`g.group[data-id="${slowest.id}"]`, { position: { x: 8, y: 6 } });
    expect(await page.textContent('#panel')).toMatch(/0\.400 ms \(\d+\.\d% of the profile\)/);
    await page.screenshot({ path: path.join(OUTPUT, 'inspect-html-tiny-cnn-profiled.png') });
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
});

test('squeezenet: fire modules with their branches and concats, every kernel drawn', async () => {
  const model = path.join(tmp, 'squeezenet.onnx');
  fs.writeFileSync(model, encodeOnnxModel(squeezenet()));
  const { page: file, kernels, ops, nodes: nodeCount } = await writePage(model, 'squeezenet');
  const { page, errors } = await openPage(file);
  try {
    const dom = await page.evaluate(readDom);
    const opNodes = dom.nodes.filter((n) => n.kind === 'op');
    expect(opNodes).toHaveLength(nodeCount - (ops.fused ?? 0));
    expect(ops.concat).toBeGreaterThan(1);
    // A concat reads both branches of its fire module: two edges into each.
    for (const c of opNodes.filter((n) => n.op === 'concat')) expect(dom.edges.filter((e) => e.to === c.id)).toHaveLength(2);
    for (const e of dom.edges) expect(e.label).toMatch(/^f32\[\d+(,\d+)*\]$/);
    // Each kernel is a box or a node of its own, by its name, once.
    const drawn = [...dom.groups.map((g) => g.kernel), ...opNodes.filter((n) => n.kernel).map((n) => n.kernel!)];
    expect(drawn.sort()).toEqual(kernels.map((k) => k.name).sort());
    expect(dom.groups.length).toBeGreaterThan(5);
    for (const g of dom.groups) expect(g.inside.length).toBeGreaterThanOrEqual(2);
    // Taller than the window: it opens at its top at full scale; the wheel zooms, 'fit' shows it whole.
    const viewBox = async () => (await page.getAttribute('#graph', 'viewBox'))!.split(' ').map(Number);
    const w = Number(await page.getAttribute('#graph', 'data-width'));
    const h = Number(await page.getAttribute('#graph', 'data-height'));
    const opened = await viewBox();
    expect(opened[1]).toBe(0);
    expect(opened[3]).toBeLessThan(h);
    await page.mouse.move(300, 400);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction((before) => document.getElementById('graph')!.getAttribute('viewBox')!.split(' ').map(Number)[2] < before, opened[2]);
    await page.click('#fit');
    expect(await viewBox()).toEqual([0, 0, w, h]);
    await page.screenshot({ path: path.join(OUTPUT, 'inspect-html-squeezenet.png') });
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
});

test('a profile naming a kernel the model has not is one clear error', async () => {
  const bad = path.join(tmp, 'bad-profile.json');
  fs.writeFileSync(bad, JSON.stringify({ kernels: [{ name: 'Conv_99', ms: 1 }] }));
  const r = await dlc('inspect', TINY_CNN, '--format', 'html', '--profile', bad);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^dlc: .*bad-profile\.json: the profile times kernel 'Conv_99', which this model has not/);
  fs.writeFileSync(bad, JSON.stringify({ kernels: [{ name: 'Conv_4' }] }));
  expect((await dlc('inspect', TINY_CNN, '--format', 'html', '--profile', bad)).stderr).toMatch(/a profile is \{"kernels": \[\{"name": KERNEL, "ms"/);
  const text = await dlc('inspect', TINY_CNN, '--profile', bad);
  expect(text.code).toBe(2);
  expect(text.stderr).toBe('dlc: --profile colours the graph of --format html; give that too\n');
});
