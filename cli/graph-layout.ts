// Where each node, group and edge of a graph view lies, laid out by dagre (@dagrejs/dagre: layered layout of
// directed graphs, with compound nodes for the fused groups) at compile time in Node. The page then carries
// only positions, not the layout library: it opens at once, from disk, and draws the same every time.
import dagre from '@dagrejs/dagre';
import type { GraphView, ViewNode } from './graph-view.js';

export interface Box {
  /** Centre. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgeRoute {
  points: { x: number; y: number }[];
  /** Centre of the edge's label (the value's type). */
  label: { x: number; y: number };
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: Map<string, Box>;
  groups: Map<string, Box>;
  /** In the order of view.edges. */
  edges: EdgeRoute[];
}

/** Text metrics of the page's monospace fonts (px per character, line height), which sizes boxes here. */
export const FONT = { op: { size: 12, char: 7.3 }, name: { size: 10, char: 6.1 }, edge: { size: 10, char: 6.1 } };
/** Names longer than this are cut (with …) in a node; the panel shows them whole. */
export const MAX_LABEL = 32;
export const NODE_HEIGHT = 36;
/** Room above a group's nodes for its kernel's name: a group's box is drawn this much taller than dagre's. */
export const GROUP_LABEL = 14;

export function layoutGraphView(view: GraphView): GraphLayout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 32, edgesep: 12, marginx: 16, marginy: 16 });
  for (const n of view.nodes) g.setNode(n.id, { width: nodeWidth(n), height: NODE_HEIGHT });
  for (const grp of view.groups) {
    g.setNode(grp.id, {});
    for (const id of grp.members) g.setParent(id, grp.id);
  }
  view.edges.forEach((e, i) => {
    g.setEdge(e.from, e.to, { width: e.value.type.length * FONT.edge.char + 6, height: FONT.edge.size + 4, labelpos: 'c' }, `e${i}`);
  });
  dagre.layout(g);
  const box = (id: string): Box => {
    const { x, y, width, height } = g.node(id);
    return { x, y, width, height };
  };
  const graph = g.graph();
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: new Map(view.nodes.map((n) => [n.id, box(n.id)])),
    groups: new Map(view.groups.map((grp) => {
      const b = box(grp.id);
      return [grp.id, { ...b, y: b.y - GROUP_LABEL / 2, height: b.height + GROUP_LABEL }];
    })),
    edges: view.edges.map((e, i) => {
      const label = g.edge(e.from, e.to, `e${i}`);
      return { points: label.points.map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })), label: { x: label.x!, y: label.y! } };
    }),
  };
}

export function nodeWidth(n: ViewNode): number {
  const op = Math.min(n.op.length, MAX_LABEL) * FONT.op.char;
  const name = Math.min(n.name.length, MAX_LABEL) * FONT.name.char;
  return Math.max(op, name) + 20;
}

export function cut(s: string): string {
  return s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s;
}
