// What compression fixes about a weight while the network is retrained (Deep Compression, Han et al. 2016):
//  - a mask (pruning): the weights whose mask is 0 are exactly 0 and stay so. Their gradient is zeroed
//    before every step, so their momentum stays 0 and SGD (without weight decay) leaves them at 0.
//  - weight sharing (k-means clusters): every weight equals its cluster's centroid. SGD trains the
//    centroids instead of the weights, ∂L/∂c_k = Σ_{i : a_i = k} ∂L/∂w_i (with momentum on the centroids),
//    and each step ends by setting every member to its centroid again: the weight holds at most K values.
// A weight both masked and shared: only its unpruned weights (mask 1) are members of clusters, and their
// assignments are the only ones read; the pruned ones stay 0 whatever their assignment says.
import type { Param } from '../../accuracy/train/layer.js';
import { DlcError } from '../../compiler/errors.js';

export interface SharedWeight {
  /** Each weight's cluster, an index into `centroids` (read where the weight's mask, if any, is 1). */
  assignments: Uint8Array | Uint16Array;
  centroids: Float32Array;
}

export interface ConstraintSpecs {
  /** By weight name: 1 keeps a weight, 0 prunes it. */
  masks?: ReadonlyMap<string, Uint8Array>;
  shared?: ReadonlyMap<string, SharedWeight>;
}

/** The Params SGD steps, with what turns the network's weight gradients into theirs and back. */
export interface WeightConstraints {
  /** The network's Params, each constrained weight in its place replaced by what is trained for it. */
  trained: Param[];
  /** After backward(): each trained Param's gradient from its weight's; the weights' gradients cleared. */
  beforeStep(): void;
  /** After the SGD step: each shared weight's members set to their centroids. */
  afterStep(): void;
}

/** Applies the constraints to the weights now (pruned weights 0, members their centroids), then keeps them. */
export function constrainWeights(params: readonly Param[], specs: ConstraintSpecs): WeightConstraints {
  const byName = new Map(params.map((p) => [p.name, p]));
  for (const name of [...(specs.masks?.keys() ?? []), ...(specs.shared?.keys() ?? [])]) {
    if (!byName.has(name)) throw new DlcError(`no trained constant is named '${name}' (have ${[...byName.keys()].join(', ')})`);
  }
  const masked: { weight: Param; mask: Uint8Array }[] = [];
  const shared: Cluster[] = [];
  const trained = params.map((p) => {
    const mask = specs.masks?.get(p.name);
    if (mask && mask.length !== p.value.length) throw new DlcError(`the mask of '${p.name}' has ${mask.length} entries, the weight ${p.value.length}`);
    const sharing = specs.shared?.get(p.name);
    if (sharing) {
      const cluster = new Cluster(p, sharing, mask);
      shared.push(cluster);
      return cluster.centroids;
    }
    if (mask) {
      for (let i = 0; i < mask.length; i++) if (mask[i] === 0) p.value[i] = 0;
      masked.push({ weight: p, mask });
    }
    return p;
  });
  return {
    trained,
    beforeStep: () => {
      for (const { weight, mask } of masked) for (let i = 0; i < mask.length; i++) if (mask[i] === 0) weight.grad[i] = 0;
      for (const c of shared) c.gatherGradients();
    },
    afterStep: () => {
      for (const c of shared) c.setMembers();
    },
  };
}

/** A shared weight: its centroids as a Param, and its members (the unpruned weights) by cluster. */
class Cluster {
  readonly centroids: Param;
  /** The weights that belong to a cluster, and each one's cluster. */
  private readonly members: Int32Array;
  private readonly memberCluster: Int32Array;
  private readonly sums: Float64Array;

  constructor(private readonly weight: Param, shared: SharedWeight, mask: Uint8Array | undefined) {
    const k = shared.centroids.length;
    if (shared.assignments.length !== weight.value.length) throw new DlcError(`the assignments of '${weight.name}' have ${shared.assignments.length} entries, the weight ${weight.value.length}`);
    this.centroids = { name: `${weight.name}:centroids`, shape: [k], value: shared.centroids.slice(), grad: new Float32Array(k) };
    const members: number[] = [];
    for (let i = 0; i < weight.value.length; i++) if (!mask || mask[i] !== 0) members.push(i);
    this.members = Int32Array.from(members);
    this.memberCluster = this.members.map((i) => shared.assignments[i]);
    const outside = this.memberCluster.findIndex((c) => c >= k);
    if (outside >= 0) throw new DlcError(`weight ${this.members[outside]} of '${weight.name}' is assigned cluster ${this.memberCluster[outside]} of ${k}`);
    this.sums = new Float64Array(k);
    weight.value.fill(0);
    this.setMembers();
  }

  /** ∂L/∂c_k = Σ over the members i of cluster k of ∂L/∂w_i; the weight's own gradient is cleared. */
  gatherGradients(): void {
    const { members, memberCluster, sums } = this;
    const g = this.weight.grad;
    sums.fill(0);
    for (let m = 0; m < members.length; m++) sums[memberCluster[m]] += g[members[m]];
    for (let c = 0; c < sums.length; c++) this.centroids.grad[c] += sums[c];
    g.fill(0);
  }

  setMembers(): void {
    const { members, memberCluster } = this;
    const w = this.weight.value;
    const c = this.centroids.value;
    for (let m = 0; m < members.length; m++) w[members[m]] = c[memberCluster[m]];
  }
}
