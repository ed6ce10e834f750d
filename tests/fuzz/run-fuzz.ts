// Runs seeded mutants of real models through import, verification and (for small models) the reference
// interpreter. A mutant must end in a DlcError or a valid result; anything else is a crash.
import * as fs from 'node:fs';
import { DlcError } from '../../compiler/errors.js';
import { interpret } from '../../compiler/interpreter.js';
import { importOnnx } from '../../compiler/onnx/frontend.js';
import { decodeModel } from '../../compiler/onnx/proto.js';
import { seededRandom } from '../../compiler/random.js';
import { randomInputs } from '../util/random-inputs.js';
import { mutate } from './mutations.js';

export interface FuzzModel {
  name: string;
  file: string;
  inputShapes: Record<string, number[]>;
  /** Run the interpreter on mutants that import (only for models small enough to run in milliseconds). */
  run: boolean;
}

export interface FuzzCrash {
  model: string;
  kind: string;
  caseIndex: number;
  error: string;
}

export interface FuzzReport {
  cases: number;
  rejected: number;
  accepted: number;
  crashes: FuzzCrash[];
  slowestMs: number;
}

export function runFuzz(models: FuzzModel[], count: number, seed: number, onProgress?: (done: number) => void): FuzzReport {
  const rand = seededRandom(seed);
  const sources = models.map((m) => ({ m, bytes: new Uint8Array(fs.readFileSync(m.file)) }));
  const report: FuzzReport = { cases: 0, rejected: 0, accepted: 0, crashes: [], slowestMs: 0 };
  for (let i = 0; i < count; i++) {
    const { m, bytes } = sources[i % sources.length];
    const mutant = mutate(bytes, () => decodeModel(bytes, m.file), rand);
    const start = performance.now();
    try {
      const { graph } = importOnnx(mutant.bytes, { file: `${m.name}#${i}`, inputShapes: m.inputShapes });
      if (m.run) interpret(graph, randomInputs(graph, i));
      report.accepted++;
    } catch (e) {
      if (e instanceof DlcError) report.rejected++;
      else report.crashes.push({ model: m.name, kind: mutant.kind, caseIndex: i, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
    report.slowestMs = Math.max(report.slowestMs, performance.now() - start);
    report.cases++;
    onProgress?.(i + 1);
  }
  return report;
}
