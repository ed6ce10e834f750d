// What a compiled artifact holds, from its manifest: target, files and their sizes, how the weights are
// stored, and for a compressed model each layer's compression with the bytes its weights pack into (what
// `dlc inspect DIR` prints), and the integrity that pins it. Only the manifest is read: its sha-256 list
// vouches for the other files.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import type { CompressedLayer, CompressionReport } from '../compress/compress-graph.js';
import type { EncodedRangeReport } from '../codegen/weights/encode-weights.js';
import { DlcRuntimeError } from '../runtime/errors.js';
import type { DimRange } from '../runtime/symbolic-dims.js';
import { parseManifest, WEIGHTS_FILE } from '../runtime/manifest.js';

export interface ArtifactLayer extends CompressedLayer {
  /** Bytes of the layer's weight constants in the image the kernels read, and in weights.bin. */
  bytes: number;
  encodedBytes: number;
}

export interface ArtifactReport {
  artifact: string;
  target: 'wasm' | 'webgpu';
  dlcVersion: string;
  kernels: number;
  /** manifest.json's subresource-integrity digest, which loadModel(dir, {integrity}) pins the artifact with. */
  integrity: string;
  /** Bytes of each file. */
  files: Record<string, number>;
  weights: { imageBytes: number; fileBytes: number; encoding: 'image' | 'packed' };
  /** The compiled model's file name and sha-256. */
  model?: unknown;
  compression?: Omit<CompressionReport, 'layers'> & { layers: ArtifactLayer[] };
  /** Every packed constant: its encoding and bytes. */
  packedWeights?: EncodedRangeReport[];
  /** A shape-generic artifact's dims and their ranges. */
  dims?: DimRange[];
}

export function describeArtifact(dir: string): ArtifactReport {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(dir, 'manifest.json'));
  } catch (e) {
    throw new DlcError(`${dir}: cannot read manifest.json: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let manifest;
  try {
    manifest = parseManifest(bytes.toString('utf8'), dir);
  } catch (e) {
    throw e instanceof DlcRuntimeError ? new DlcError(e.message) : e;
  }
  const imageBytes = manifest.target === 'wasm' ? manifest.memory.weightsBytes : (manifest.weights?.bytes ?? 0);
  const packed = manifest.options.packedWeights as EncodedRangeReport[] | undefined;
  const compression = manifest.options.compression as CompressionReport | undefined;
  const layerBytes = (layer: CompressedLayer) => {
    // A kernel may repack a weight into constants named after its node (`<node>/const0`).
    const ranges = (packed ?? []).filter((r) => r.name === layer.weight || r.name.startsWith(`${layer.node}/`));
    return { bytes: ranges.reduce((a, r) => a + r.bytes, 0), encodedBytes: ranges.reduce((a, r) => a + r.encodedBytes, 0) };
  };
  return {
    artifact: dir,
    target: manifest.target,
    dlcVersion: manifest.dlcVersion,
    kernels: manifest.kernels,
    integrity: `sha256-${createHash('sha256').update(bytes).digest('base64')}`,
    files: Object.fromEntries(Object.entries(manifest.files).map(([name, f]) => [name, f.bytes])),
    weights: { imageBytes, fileBytes: manifest.files[WEIGHTS_FILE].bytes, encoding: manifest.weightsEncoding ?? 'image' },
    ...(manifest.options.model ? { model: manifest.options.model } : {}),
    ...(compression ? { compression: { ...compression, layers: compression.layers.map((l) => ({ ...l, ...layerBytes(l) })) } } : {}),
    ...(packed ? { packedWeights: packed } : {}),
    ...(manifest.target === 'wasm' && manifest.dims ? { dims: manifest.dims } : {}),
  };
}
