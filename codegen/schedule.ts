// Schedules: every tunable parameter of every anchor kernel, on both targets, with a default per op kind —
// the wasm GEMM's register tile and the conv algorithm, the WebGPU GEMM's workgroup tile, thread tile, slab
// depth, vector width, split-K and untiled threshold. Kernel generators read them from their context; the
// defaults are overridden per op kind and per node name (ScheduleOverrides), which is what a schedule file
// given to `dlc compile --schedules FILE` holds and what a tuner writes (AutoTVM/MetaSchedule records).
import { DlcError } from '../compiler/errors.js';
import type { Node } from '../compiler/ir/graph.js';
import { WGSL_LIMITS } from './wgsl/kernels/kernel.js';

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

export type ConvAlgorithm = 'im2col-gemm' | 'implicit-gemm' | 'direct' | 'depthwise' | 'pointwise' | 'winograd';

export interface ConvSchedule {
  /**
   * Absent: chosen from the geometry (pointwise for 1×1, depthwise for one channel per group, winograd for the
   * 3×3 stride-1 convs where it measured faster (codegen/wasm/kernels/conv-algorithm.ts), implicit-gemm for
   * width stride 1, else im2col-gemm).
   */
  kind?: ConvAlgorithm;
  /** The tile of the GEMM that im2col-gemm and pointwise convs run. */
  gemm: MatmulSchedule;
  /** im2col unfolds this many bytes of columns at a time (whole output rows, at least one), so they stay in cache. */
  blockBytes: number;
  /** Depthwise: f32x4 groups of output columns that accumulate together (each weight splat serves them all). */
  depthwiseVectors: number;
  /**
   * Winograd: output tiles (2×2 each) transformed per block, a multiple of 4 (the f32x4 lanes). A block's
   * transformed input and products take 64·(C + K) bytes per tile of scratch, kept in cache between the
   * transforms and the GEMMs.
   */
  winogradTiles: number;
}

/** The schedule of the tiled GEMM (a tuner's search space; see DEFAULT_GPU_MATMUL for why the defaults). */
export interface GpuMatmulSchedule {
  /** Rows and columns of C per workgroup. */
  tileM: number;
  tileN: number;
  /** Depth of the A and B slabs staged in workgroup memory per step (a multiple of 4). */
  tileK: number;
  /** Rows and columns of C per thread; threadN is a multiple of 4 (vec4 accumulators). */
  threadM: number;
  threadN: number;
  /** 4: vec4 global loads and stores where the layout allows; 1: scalar only. */
  vector: 1 | 4;
  /** Workgroups that split K (a second dispatch adds their partial sums); 0: chosen from the grid's size. */
  splitK: number;
  /**
   * GEMMs of fewer multiply-adds than this (all batches) run untiled: one invocation per element (or vec4) of
   * C looping over K, no workgroup memory and no barrier (directGemm). 0: always tiled.
   */
  directBelow: number;
}

/**
 * Below this many multiply-adds (16.8 M) a GEMM runs untiled (directGemm). On SwiftShader, where pipeline
 * compilation dominates a model's first run, an untiled module compiles in tens of milliseconds against
 * hundreds for a tiled one, and runs as fast: a CPU's caches do what the workgroup slabs do on a GPU. Measured
 * with scripts/shader-compile-times.ts (modules compiled one at a time; median of 5 runs on Dawn/SwiftShader;
 * directGemm then computed one row per invocation, see DIRECT_ROWS):
 *   threshold      cls compile / run     det compile / run      rec compile / run
 *   0 (all tiled)  11.4 s / 0.29 s       23.2 s / 5.9 s          18.5 s / 4.9 s
 *   2²²            0.94 s / 0.24 s       10.7 s / 5.9 s          —
 *   2²⁴            0.95 s / 0.22 s        2.9 s / 5.5 s          6.3 s / 4.8 s
 *   2²⁶ / 2²⁷      —                      2.0 s / 5.8 s          1.0 s / 4.4 s
 * Larger GEMMs stay tiled: on a GPU, staging slabs in workgroup memory is what makes them fast, and a
 * SwiftShader-only measurement must not decide that. The schedule is the knob.
 */
const DIRECT_BELOW = 1 << 24;

/**
 * 32×32 tiles of 4×4 per thread: 64 invocations, 4 vec4 multiply-adds per 5 workgroup loads, 4 KiB of
 * workgroup memory with tileK 16. Chosen by measurement on Dawn over SwiftShader (a CPU; no GPU here), where a
 * model's first run is mostly pipeline compilation: with 8×8 per thread (64×64 tiles) sixteen vec4
 * accumulators live across the slab loop and each GEMM module took about twice as long to compile
 * (scripts/shader-compile-times.ts on PP-OCR det, one quiet run each: 23.2 s for all modules against 38.4 s),
 * for a run only 9% faster (5.93 s against 5.45 s). At 256³ alone 8×8 ran 1.2× faster than this tile; a real
 * GPU may prefer larger tiles, and the schedule is the knob.
 */
export const DEFAULT_GPU_MATMUL: GpuMatmulSchedule = { tileM: 32, tileN: 32, tileK: 16, threadM: 4, threadN: 4, vector: 4, splitK: 0, directBelow: DIRECT_BELOW };

export function checkGpuMatmulSchedule(s: GpuMatmulSchedule): GpuMatmulSchedule {
  const pos = (v: number) => Number.isInteger(v) && v >= 1;
  const threads = (s.tileM / s.threadM) * (s.tileN / s.threadN);
  const bytes = s.tileK * (s.tileM + s.tileN) * 4;
  const ok = [s.tileM, s.tileN, s.tileK, s.threadM, s.threadN].every(pos) && s.tileM % s.threadM === 0 && s.tileN % s.threadN === 0 &&
    s.threadN % 4 === 0 && s.tileK % 4 === 0 && (s.vector === 1 || s.vector === 4) && Number.isInteger(s.splitK) && s.splitK >= 0 &&
    Number.isInteger(s.directBelow) && s.directBelow >= 0 && threads <= WGSL_LIMITS.invocationsPerWorkgroup && bytes <= WGSL_LIMITS.workgroupStorageBytes;
  if (!ok) {
    throw new DlcError(`invalid gpu matmul schedule ${JSON.stringify(s)} (tiles multiples of the thread tile, threadN and tileK multiples of 4, ` +
      `at most ${WGSL_LIMITS.invocationsPerWorkgroup} threads and ${WGSL_LIMITS.workgroupStorageBytes} bytes of workgroup memory)`);
  }
  return s;
}

/** The WebGPU anchors' schedules: the GEMM of matmul and gemm, and the implicit GEMM of convolutions. */
export interface GpuSchedules {
  matmul: GpuMatmulSchedule;
  conv: GpuMatmulSchedule;
}

/** Everything a kernel generator may be told, for one node: the wasm kernels read matmul and conv, WebGPU's gpu. */
export interface Schedules {
  matmul: MatmulSchedule;
  conv: ConvSchedule;
  gpu: GpuSchedules;
}

/** 4×2 vectors: eight f32x4 accumulators, the tile DESIGN.md measured fastest on two cores. */
export const DEFAULT_MATMUL: MatmulSchedule = { tileM: 4, tileN: 2, vector: 4, unrollK: 1, rowBlockBytes: 128 * 1024 };

/**
 * Winograd tiles per block. `scripts/bench-winograd.ts --tiles 8,16,24,32,64` (CPU time, median of 15 rounds, 2-core
 * machine shared with other work) on ResNet/VGG/SqueezeNet/PP-OCR det layers: 8 to 32 within a few percent of each
 * other, 24 best or tied on most; 64 up to 1.2× slower (PP-OCR det 96→24 at 80²: its V and M outgrow L2).
 */
const WINOGRAD_TILES = 24;

export const DEFAULT_SCHEDULES: Schedules = {
  matmul: DEFAULT_MATMUL,
  conv: { gemm: DEFAULT_MATMUL, blockBytes: 256 * 1024, depthwiseVectors: 2, winogradTiles: WINOGRAD_TILES },
  gpu: { matmul: DEFAULT_GPU_MATMUL, conv: DEFAULT_GPU_MATMUL },
};

/** Overrides of one op kind's schedules (or one node's). */
export interface KindOverrides {
  matmul?: Partial<MatmulSchedule>;
  conv?: Partial<Omit<ConvSchedule, 'gemm'>> & { gemm?: Partial<MatmulSchedule> };
  gpu?: { matmul?: Partial<GpuMatmulSchedule>; conv?: Partial<GpuMatmulSchedule> };
}

export interface ScheduleOverrides extends KindOverrides {
  /** Per node name, on top of the per-kind overrides. */
  nodes?: Record<string, KindOverrides>;
}

function checkMatmul(s: MatmulSchedule): MatmulSchedule {
  const ok = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!ok(s.tileM, 1, 8) || !ok(s.tileN, 1, 4) || s.vector !== 4 || !ok(s.unrollK, 1, 8) || !ok(s.rowBlockBytes, 1, 2 ** 30)) {
    throw new DlcError(`invalid matmul schedule ${JSON.stringify(s)} (tileM 1..8, tileN 1..4 vectors, vector 4, unrollK 1..8, rowBlockBytes ≥ 1)`);
  }
  return s;
}

/**
 * Every conv algorithm a schedule may name (the tuner's candidates for `conv.kind` come from this list); which
 * ones a given conv can use is convKindsFor's (codegen/wasm/kernels/conv-algorithm.ts).
 */
export const CONV_KINDS: readonly ConvAlgorithm[] = ['im2col-gemm', 'implicit-gemm', 'direct', 'depthwise', 'pointwise', 'winograd'];

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
  const winogradTiles = own.conv?.winogradTiles ?? overrides.conv?.winogradTiles ?? DEFAULT_SCHEDULES.conv.winogradTiles;
  if (!Number.isInteger(winogradTiles) || winogradTiles < 4 || winogradTiles > 4096 || winogradTiles % 4 !== 0) {
    throw new DlcError(`invalid conv schedule winogradTiles ${winogradTiles} (a multiple of 4, 4..4096)`);
  }
  const gpu = {
    matmul: checkGpuMatmulSchedule({ ...DEFAULT_GPU_MATMUL, ...overrides.gpu?.matmul, ...own.gpu?.matmul }),
    conv: checkGpuMatmulSchedule({ ...DEFAULT_GPU_MATMUL, ...overrides.gpu?.conv, ...own.gpu?.conv }),
  };
  return { matmul, conv: { kind, gemm, blockBytes, depthwiseVectors, winogradTiles }, gpu };
}

/** The fields a schedule file may set, per section (kind.field paths), for checking a file before it is used. */
const FIELDS: Record<string, readonly string[]> = {
  matmul: Object.keys(DEFAULT_MATMUL),
  conv: ['kind', 'gemm', 'blockBytes', 'depthwiseVectors', 'winogradTiles'],
  'conv.gemm': Object.keys(DEFAULT_MATMUL),
  gpu: ['matmul', 'conv'],
  'gpu.matmul': Object.keys(DEFAULT_GPU_MATMUL),
  'gpu.conv': Object.keys(DEFAULT_GPU_MATMUL),
};

/** A JSON object (not null, not an array). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A schedule file's parsed JSON as overrides, with every section and field checked (a misspelt field is an
 * error, not a silent default); `where` names the file in errors. Values are range-checked when used.
 */
export function parseScheduleOverrides(json: unknown, where: string): ScheduleOverrides {
  if (!isObject(json)) throw new DlcError(`${where}: a schedule file holds one JSON object`);
  for (const [key, value] of Object.entries(json)) {
    if (key === 'nodes') {
      if (!isObject(value)) throw new DlcError(`${where}: 'nodes' must map node names to schedules`);
      for (const [name, own] of Object.entries(value)) {
        if (!isObject(own)) throw new DlcError(`${where}: 'nodes.${name}' must be an object`);
        for (const [kind, section] of Object.entries(own)) {
          if (!['matmul', 'conv', 'gpu'].includes(kind)) throw new DlcError(`${where}: unknown schedule kind 'nodes.${name}.${kind}' (known: matmul, conv, gpu)`);
          checkKindSection(section, kind, `nodes.${name}.${kind}`, where);
        }
      }
    } else if (['matmul', 'conv', 'gpu'].includes(key)) checkKindSection(value, key, key, where);
    else throw new DlcError(`${where}: unknown schedule kind '${key}' (known: matmul, conv, gpu, nodes)`);
  }
  return json as ScheduleOverrides;
}

function checkKindSection(value: unknown, kind: string, path: string, where: string): void {
  if (!isObject(value)) throw new DlcError(`${where}: '${path}' must be an object`);
  for (const [key, v] of Object.entries(value)) {
    const fields = FIELDS[kind];
    if (!fields.includes(key)) throw new DlcError(`${where}: unknown schedule field '${path}.${key}' (known: ${fields.join(', ')})`);
    const sub = `${kind}.${key}`;
    if (sub in FIELDS) checkKindSection(v, sub, `${path}.${key}`, where);
    else if (key === 'kind' ? typeof v !== 'string' : typeof v !== 'number') throw new DlcError(`${where}: schedule field '${path}.${key}' must be a ${key === 'kind' ? 'string' : 'number'}`);
  }
}

/**
 * What the manifest records of the schedules a compilation used: each kind's schedule after the per-kind
 * overrides, and the per-node overrides as given (a node's schedule is its kind's with those on top).
 */
export function scheduleRecord(overrides: ScheduleOverrides = {}): { matmul: MatmulSchedule; conv: ConvSchedule; gpu: GpuSchedules; nodes: Record<string, KindOverrides> } {
  const kinds = schedulesFor({ op: '', name: '', inputs: [], outputs: [], attrs: {} }, { ...overrides, nodes: undefined });
  return { ...kinds, nodes: overrides.nodes ?? {} };
}
