// Names of the exported graph's values: each IR value keeps its name where it is free, else gets a numbered
// one (passes may leave two values with one name, or none); graph inputs and outputs keep theirs exactly,
// since they are what a caller feeds and fetches.
import { DlcError } from '../errors.js';
import type { Graph, Value } from '../ir/graph.js';

export class ValueNames {
  private readonly names = new Map<Value, string>();
  private readonly taken = new Set<string>();

  constructor(graph: Graph) {
    for (const v of [...graph.inputs, ...graph.outputs]) {
      if (this.names.has(v)) continue;
      if (this.taken.has(v.name)) throw new DlcError(`two graph inputs or outputs are named '${v.name}'`);
      this.names.set(v, v.name);
      this.taken.add(v.name);
    }
  }

  has(v: Value): boolean {
    return this.names.has(v);
  }

  of(v: Value): string {
    let name = this.names.get(v);
    if (name === undefined) {
      name = this.fresh(v.name);
      this.names.set(v, name);
    }
    return name;
  }

  /** A name no value has, from `hint`. */
  fresh(hint: string): string {
    const base = hint || 'value';
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }
}
