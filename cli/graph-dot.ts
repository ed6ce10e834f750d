// `dlc inspect --format dot`: the graph view (cli/graph-view.ts) as Graphviz. Inputs and outputs are
// ellipses, nodes boxes labelled with their op and name (dashed when it launches no kernel: metadata ops, control flow), edges labelled with the value's
// type, and each fused group a `subgraph cluster_*` labelled with the kernel that computes it.
import type { GraphView, ViewNode } from './graph-view.js';

export function toDot(view: GraphView): string {
  const lines = [`digraph ${quote(view.name)} {`, '  node [shape=box, fontname="monospace"];', '  edge [fontname="monospace", fontsize=10];'];
  const declare = (n: ViewNode, indent: string) => lines.push(`${indent}${n.id} [${nodeAttrs(n)}];`);
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  for (const n of view.nodes) {
    if (n.group) continue;
    declare(n, '  ');
  }
  for (const g of view.groups) {
    lines.push(`  subgraph cluster_${g.id} {`, `    label=${quote(`kernel ${g.kernel}`)};`, '    style=rounded;');
    for (const id of g.members) declare(byId.get(id)!, '    ');
    lines.push('  }');
  }
  for (const e of view.edges) lines.push(`  ${e.from} -> ${e.to} [label=${quote(e.value.type)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeAttrs(n: ViewNode): string {
  if (n.kind !== 'op') return `shape=ellipse, label=${quote(`${n.name}\n${n.op}`)}`;
  const extras = [n.constants ? `${n.constants} const` : '', n.bodyNodes ? `${n.bodyNodes}-node body` : ''].filter(Boolean);
  const label = `${n.op}\n${n.name}${extras.length ? `\n(${extras.join(', ')})` : ''}`;
  return `label=${quote(label)}${n.kernel || n.group ? '' : ', style=dashed'}`;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
