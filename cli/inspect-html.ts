// `dlc inspect --format html`: one self-contained page (inline CSS, SVG and script; no network, opens from
// disk) drawing the graph as Netron would — nodes with op and name, edges with the value's type — plus what
// only the compiler knows: each fused group as a box labelled with the kernel that computes it, the bytes each
// node reads and writes, and, given a profile, each kernel's time as its colour. The layout is computed here
// (cli/graph-layout.ts) and the SVG written out whole, so the page holds no layout library; its script only
// pans, zooms and shows a node's or kernel's details in a side panel when clicked.
import type { InspectReport } from '../api/inspect.js';
import { formatBytes, formatScaled } from './format.js';
import { cut, FONT, layoutGraphView, NODE_HEIGHT, type Box } from './graph-layout.js';
import type { GraphView, ViewNode } from './graph-view.js';
import type { KernelProfile } from './kernel-profile.js';

export interface GraphPageInput {
  view: GraphView;
  report: InspectReport;
  /** Milliseconds per kernel name. */
  profile?: KernelProfile;
}

export function graphPage({ view, report, profile }: GraphPageInput): string {
  const layout = layoutGraphView(view);
  const maxMs = profile && Math.max(0, ...profile.values());
  const heat = (kernel: string | undefined) => {
    const ms = kernel === undefined ? undefined : profile?.get(kernel);
    return ms === undefined ? undefined : heatColour(maxMs ? ms / maxMs : 0);
  };
  const svg: string[] = [];
  for (const grp of view.groups) {
    const b = layout.groups.get(grp.id)!;
    const ms = profile?.get(grp.kernel);
    const fill = heat(grp.kernel) ?? '#eef3fc';
    svg.push(
      `<g class="group" data-id="${grp.id}" data-kernel="${esc(grp.kernel)}"${ms === undefined ? '' : ` data-ms="${ms}"`}>` +
        `<title>${esc(`kernel ${grp.kernel}${ms === undefined ? '' : ` · ${formatMs(ms)}`}\n${grp.members.length} nodes fused (${grp.node})`)}</title>` +
        `<rect x="${r(b.x - b.width / 2)}" y="${r(b.y - b.height / 2)}" width="${r(b.width)}" height="${r(b.height)}" rx="8" fill="${fill}"/>` +
        `<text class="kernel-label" x="${r(b.x - b.width / 2 + 6)}" y="${r(b.y - b.height / 2 + 12)}">${esc(kernelLabel(grp.kernel, ms, b.width - 12))}</text></g>`,
    );
  }
  view.edges.forEach((e, i) => {
    const route = layout.edges[i];
    const d = route.points.map((p, j) => `${j ? 'L' : 'M'}${r(p.x)},${r(p.y)}`).join('');
    svg.push(
      `<g class="edge" data-from="${e.from}" data-to="${e.to}" data-value="${esc(e.value.name)}"><title>${esc(`${e.value.name}: ${e.value.type}${e.value.bytes === undefined ? '' : ` (${formatBytes(e.value.bytes)})`}`)}</title>` +
        `<path d="${d}" marker-end="url(#arrow)"/><text class="shape" x="${r(route.label.x)}" y="${r(route.label.y + 3)}">${esc(e.value.type)}</text></g>`,
    );
  });
  for (const n of view.nodes) svg.push(nodeSvg(n, layout.nodes.get(n.id)!, heat(n.kernel), n.kernel === undefined ? undefined : profile?.get(n.kernel)));

  const data = {
    nodes: Object.fromEntries(view.nodes.map((n) => [n.id, n])),
    groups: Object.fromEntries(view.groups.map((g) => [g.id, { ...g, ops: g.members.map((id) => view.nodes.find((n) => n.id === id)!.op) }])),
    profile: profile ? Object.fromEntries(profile) : null,
    totalMs: profile ? [...profile.values()].reduce((a, b) => a + b, 0) : null,
  };
  const facts = [
    `${report.kernels} kernels (${view.groups.length} fused)`,
    `${report.nodes} nodes`,
    `${formatScaled(report.flops, 'FLOP')}`,
    `params ${formatBytes(report.paramBytes)}`,
    `peak activations ${formatBytes(report.peakActivationBytes)}${report.symbolic ? ' (at least)' : ''}`,
    ...(data.totalMs === null ? [] : [`profiled ${formatMs(data.totalMs)}`]),
  ];
  const legend = maxMs === undefined ? '' :
    `<span id="legend" title="kernel time">0 ms <span class="ramp" style="background:linear-gradient(90deg,${[0, 0.25, 0.5, 0.75, 1].map(heatColour).join(',')})"></span> ${esc(formatMs(maxMs))}</span>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(`${baseName(report.model)} · dlc inspect`)}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>${esc(baseName(report.model))}</h1><span id="facts">${facts.map(esc).join(' · ')}</span>${legend}
<span class="help">drag to pan · wheel to zoom · <button id="fit" type="button">fit</button> · click a node or kernel</span></header>
<main><svg id="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${r(layout.width)} ${r(layout.height)}" data-width="${r(layout.width)}" data-height="${r(layout.height)}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z"/></marker></defs>
${svg.join('\n')}
</svg><aside id="panel" hidden></aside></main>
<script type="application/json" id="dlc-graph">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

function nodeSvg(n: ViewNode, b: Box, fill: string | undefined, ms: number | undefined): string {
  const cls = n.kind === 'op' ? `node op${n.kernel || n.group ? '' : ' no-kernel'}` : `node ${n.kind}`;
  const title = [`${n.name}`, n.kind === 'op' ? `op ${n.op}` : n.op, ...(n.kernel ? [`kernel${ms === undefined ? '' : ` · ${formatMs(ms)}`}`] : []),
    ...Object.entries(n.attrs).filter(([k]) => k !== 'body').map(([k, v]) => `${k} = ${v.length > 80 ? `${v.slice(0, 79)}…` : v}`)].join('\n');
  const rx = n.kind === 'op' ? 4 : NODE_HEIGHT / 2;
  const x = b.x - b.width / 2;
  const y = b.y - b.height / 2;
  return `<g class="${cls}" data-id="${n.id}" data-name="${esc(n.name)}" data-op="${esc(n.op)}"${n.kernel ? ` data-kernel="${esc(n.kernel)}"` : ''}${ms === undefined ? '' : ` data-ms="${ms}"`}>` +
    `<title>${esc(title)}</title><rect x="${r(x)}" y="${r(y)}" width="${r(b.width)}" height="${r(b.height)}" rx="${rx}"${fill ? ` fill="${fill}"` : ''}/>` +
    // An op node reads as its op, then its name; an input or output as its name, then its type.
    `<text class="op-label" x="${r(b.x)}" y="${r(y + FONT.op.size + 3)}">${esc(cut(n.kind === 'op' ? n.op : n.name))}</text>` +
    `<text class="name-label" x="${r(b.x)}" y="${r(y + FONT.op.size + FONT.name.size + 8)}">${esc(cut(n.kind === 'op' ? n.name : n.op))}</text></g>`;
}

/** A group's label within `width` px: the kernel's name, cut (with …) where needed to keep its time whole. */
function kernelLabel(kernel: string, ms: number | undefined, width: number): string {
  const time = ms === undefined ? '' : ` · ${formatMs(ms)}`;
  const chars = Math.max(4, Math.floor(width / FONT.name.char) - time.length);
  return `${kernel.length > chars ? `${kernel.slice(0, chars - 1)}…` : kernel}${time}`;
}

/** Pale yellow (fast) to red (slow), t in [0, 1]. */
function heatColour(t: number): string {
  return `hsl(${Math.round(55 - 55 * t)},90%,${Math.round(88 - 28 * t)}%)`;
}

function formatMs(ms: number): string {
  return `${ms < 0.1 ? ms.toPrecision(2) : ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function r(x: number): string {
  return String(Math.round(x * 10) / 10);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:13px system-ui,sans-serif;color:#222;display:flex;flex-direction:column;height:100vh}
header{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:baseline;padding:8px 12px;border-bottom:1px solid #ddd;background:#fafafa}
h1{font-size:15px;margin:0}
#facts,.help{color:#555}
.help{margin-left:auto;font-size:12px}
#legend{display:inline-flex;align-items:center;gap:6px;font-size:12px}
.ramp{display:inline-block;width:90px;height:10px;border:1px solid #999}
main{flex:1;position:relative;min-height:0}
#graph{display:block;width:100%;height:100%;cursor:grab;user-select:none;font-family:ui-monospace,monospace}
#graph.panning{cursor:grabbing}
.node rect{fill:#fff;stroke:#444;stroke-width:1.2}
.node.input rect,.node.output rect{fill:#e6f4ea;stroke:#3b7d4f}
.node.no-kernel rect{stroke-dasharray:4 3;fill:#f6f6f6}
.node:hover rect,.group:hover>rect{stroke:#1a73e8;stroke-width:2}
.node.selected rect,.group.selected>rect{stroke:#d93025;stroke-width:2.5}
.node text{text-anchor:middle;pointer-events:none}
.op-label{font-size:${FONT.op.size}px;font-weight:600}
.name-label{font-size:${FONT.name.size}px;fill:#555}
.group>rect{stroke:#5b7fc7;stroke-width:1.2}
.kernel-label{font-size:${FONT.name.size}px;fill:#1c2f5a;font-weight:600;pointer-events:none}
.edge path{fill:none;stroke:#777;stroke-width:1.2;pointer-events:none}
.edge .shape{font-size:${FONT.edge.size}px;fill:#555;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}
marker path{fill:#777}
#panel{position:absolute;top:0;right:0;bottom:0;width:360px;overflow:auto;border-left:1px solid #ddd;padding:10px 12px;background:#fffe;box-shadow:-2px 0 8px #0002}
#panel h2{font-size:15px;margin:0 0 2px}
#panel .sub{color:#555;word-break:break-all;margin-bottom:8px}
#panel table{border-collapse:collapse;width:100%;font:12px ui-monospace,monospace}
#panel td{border-top:1px solid #eee;padding:3px 4px;vertical-align:top;word-break:break-all}
#panel h3{font-size:12px;margin:10px 0 4px;text-transform:uppercase;color:#777}
`;

// Pans and zooms by the viewBox; a click (not a drag) on a node or a group shows its details in the panel.
const SCRIPT = `
(() => {
const data = JSON.parse(document.getElementById('dlc-graph').textContent);
const svg = document.getElementById('graph'), panel = document.getElementById('panel'), vb = svg.viewBox.baseVal;
const W = +svg.dataset.width, H = +svg.dataset.height;
const fit = () => { vb.x = 0; vb.y = 0; vb.width = W; vb.height = H; };
const start = () => {
  const r = svg.getBoundingClientRect();
  if (W <= r.width && H <= r.height) return fit();
  vb.width = r.width; vb.height = r.height; vb.x = (W - r.width) / 2; vb.y = 0;
};
start();
document.getElementById('fit').onclick = fit;
const at = (e) => new DOMPoint(e.clientX, e.clientY).matrixTransform(svg.getScreenCTM().inverse());
svg.addEventListener('wheel', (e) => {
  e.preventDefault();
  const p = at(e), k = Math.exp(e.deltaY * 0.0015);
  vb.x = p.x - (p.x - vb.x) * k; vb.y = p.y - (p.y - vb.y) * k; vb.width *= k; vb.height *= k;
}, { passive: false });
let drag = null;
svg.addEventListener('pointerdown', (e) => { drag = { p: at(e), x: e.clientX, y: e.clientY, moved: false }; svg.setPointerCapture(e.pointerId); });
svg.addEventListener('pointermove', (e) => {
  if (!drag) return;
  if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3) { drag.moved = true; svg.classList.add('panning'); }
  if (!drag.moved) return;
  const p = at(e); vb.x -= p.x - drag.p.x; vb.y -= p.y - drag.p.y;
});
svg.addEventListener('pointerup', (e) => {
  const d = drag; drag = null; svg.classList.remove('panning');
  if (!d || d.moved) return;
  const hit = document.elementsFromPoint(e.clientX, e.clientY).map((el) => el.closest('.node,.group')).find(Boolean);
  show(hit);
});
const el = (tag, text, cls) => { const x = document.createElement(tag); if (text !== undefined) x.textContent = text; if (cls) x.className = cls; return x; };
const bytes = (n) => n === undefined ? '' : n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB';
const ms = (k) => data.profile && data.profile[k] !== undefined ? data.profile[k].toPrecision(3) + ' ms (' + (100 * data.profile[k] / data.totalMs).toFixed(1) + '% of the profile)' : '';
const table = (title, rows) => {
  if (!rows.length) return;
  panel.append(el('h3', title));
  const t = el('table');
  for (const row of rows) { const tr = el('tr'); for (const c of row) tr.append(el('td', c)); t.append(tr); }
  panel.append(t);
};
function show(target) {
  document.querySelectorAll('.selected').forEach((x) => x.classList.remove('selected'));
  panel.replaceChildren();
  if (!target) { panel.hidden = true; return; }
  target.classList.add('selected');
  panel.hidden = false;
  const id = target.dataset.id;
  if (target.classList.contains('group')) {
    const g = data.groups[id];
    panel.append(el('h2', 'kernel ' + g.kernel), el('div', g.members.length + ' nodes fused into one kernel (fused node ' + g.node + ')', 'sub'));
    table('kernel', [['name', g.kernel], ...(ms(g.kernel) ? [['time', ms(g.kernel)]] : []), ['computes', g.ops.join(' → ')]]);
    table('nodes', g.members.map((m) => [data.nodes[m].op, data.nodes[m].name]));
    return;
  }
  const n = data.nodes[id];
  panel.append(el('h2', n.kind === 'op' ? n.op : n.kind), el('div', n.name, 'sub'));
  const group = n.group && data.groups[n.group];
  table('kernel', n.kind !== 'op' ? [] : group ? [['fused in', group.kernel], ...(ms(group.kernel) ? [['time', ms(group.kernel)]] : [])]
    : n.kernel ? [['name', n.kernel], ...(ms(n.kernel) ? [['time', ms(n.kernel)]] : [])] : [['none', n.bodyNodes ? 'control flow: its body runs ' + n.bodyNodes + ' nodes' : 'a view of its input: no kernel runs']]);
  table('attributes', Object.entries(n.attrs).filter(([k]) => k !== 'body'));
  table('inputs', n.inputs.map((v) => [v.name, v.type, bytes(v.bytes)]));
  table('outputs', n.outputs.map((v) => [v.name, v.type, bytes(v.bytes)]));
}
})();
`;
