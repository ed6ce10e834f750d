// Schedules: the explicit parameters of an anchor kernel (tiles, vector width, unrolling, algorithm), with a
// default per op kind. Kernel generators receive them as arguments; a tuner can search them and a tuning
// record can replay them (by anchor kind, or for one node by name).
import { DlcError } from '../compiler/errors.js';
import type { Node } from '../compiler/ir/graph.js';

/** A register tile of C: tileM rows × tileN vectors of `vector` lanes, K innermost, K unrolled by unrollK. */
export interface MatmulSchedule {
  tileM: number;
  /** Width of the tile in vectors (the tile is tileN · vector columns wide). */
  tileN: number;
  vector: 4;
  unrollK: number;
  /** Rows of A per block (whole tiles): as many as fit in this many bytes, so that the block stays in L2. */
  rowBlockBytes: number;
}

export type ConvAlgorithm = 'im2col-gemm' | 'implicit-gemm' | 'direct' | 'depthwise' | 'pointwise';

export interface ConvSchedule {
  /**
   * Absent: chosen from the geometry (pointwise for 1×1, depthwise for one channel per group, implicit-gemm
   * for width stride 1, else im2col-gemm).
   */
  kind?: ConvAlgorithm;
  /** The tile of the GEMM that im2col-gemm and pointwise convs run. */
  gemm: MatmulSchedule;
  /** im2col unfolds this many bytes of columns at a time (whole output rows, at least one), so they stay in cache. */
  blockBytes: number;
  /** Depthwise: f32x4 groups of output columns that accumulate together (each weight splat serves them all). */
  depthwiseVectors: number;
}

export interface Schedules {
  matmul: MatmulSchedule;
  conv: ConvSchedule;
}

/** 4×2 vectors: eight f32x4 accumulators, the tile DESIGN.md measured fastest on two cores. */
export const DEFAULT_MATMUL: MatmulSchedule = { tileM: 4, tileN: 2, vector: 4, unrollK: 1, rowBlockBytes: 128 * 1024 };

export const DEFAULT_SCHEDULES: Schedules = {
  matmul: DEFAULT_MATMUL,
  conv: { gemm: DEFAULT_MATMUL, blockBytes: 256 * 1024, depthwiseVectors: 2 },
};

export interface ScheduleOverrides {
  matmul?: Partial<MatmulSchedule>;
  conv?: Partial<Omit<ConvSchedule, 'gemm'>> & { gemm?: Partial<MatmulSchedule> };
  /** Per node name, on top of the per-kind overrides. */
  nodes?: Record<string, { matmul?: Partial<MatmulSchedule>; conv?: Partial<Omit<ConvSchedule, 'gemm'>> & { gemm?: Partial<MatmulSchedule> } }>;
}

function checkMatmul(s: MatmulSchedule): MatmulSchedule {
  const ok = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!ok(s.tileM, 1, 8) || !ok(s.tileN, 1, 4) || s.vector !== 4 || !ok(s.unrollK, 1, 8) || !ok(s.rowBlockBytes, 1, 2 ** 30)) {
    throw new DlcError(`invalid matmul schedule ${JSON.stringify(s)} (tileM 1..8, tileN 1..4 vectors, vector 4, unrollK 1..8, rowBlockBytes ≥ 1)`);
  }
  return s;
}

const CONV_KINDS: readonly ConvAlgorithm[] = ['im2col-gemm', 'implicit-gemm', 'direct', 'depthwise', 'pointwise'];

/** The schedules for one node: defaults, then per-kind overrides, then the node's own. */
export function schedulesFor(node: Node, overrides: ScheduleOverrides = {}): Schedules {
  const own = overrides.nodes?.[node.name] ?? {};
  const matmul = checkMatmul({ ...DEFAULT_MATMUL, ...overrides.matmul, ...own.matmul });
  const kind = own.conv?.kind ?? overrides.conv?.kind;
  if (kind !== undefined && !CONV_KINDS.includes(kind)) throw new DlcError(`unknown conv schedule kind '${kind}'`);
  const gemm = checkMatmul({ ...DEFAULT_MATMUL, ...overrides.conv?.gemm, ...own.conv?.gemm });
  const blockBytes = own.conv?.blockBytes ?? overrides.conv?.blockBytes ?? DEFAULT_SCHEDULES.conv.blockBytes;
  if (!Number.isInteger(blockBytes) || blockBytes < 1) throw new DlcError(`invalid conv schedule blockBytes ${blockBytes}`);
  const depthwiseVectors = own.conv?.depthwiseVectors ?? overrides.conv?.depthwiseVectors ?? DEFAULT_SCHEDULES.conv.depthwiseVectors;
  if (!Number.isInteger(depthwiseVectors) || depthwiseVectors < 1 || depthwiseVectors > 4) throw new DlcError(`invalid conv schedule depthwiseVectors ${depthwiseVectors} (1..4)`);
  return { matmul, conv: { kind, gemm, blockBytes, depthwiseVectors } };
}
