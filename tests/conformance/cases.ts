// The ONNX backend conformance cases: found beside the repo (../shared/onnx-backend-tests) or unpacked from
// the archive vendored here, so that a fresh clone without ../shared runs them too.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeTensorProto } from '../../compiler/onnx/proto.js';
import { tensorFromProto } from '../../compiler/onnx/tensor.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { REPO_ROOT } from '../util/repo.js';

const SHARED = path.resolve(REPO_ROOT, '..', 'shared', 'onnx-backend-tests');
const ARCHIVE = path.join(REPO_ROOT, 'tests', 'conformance', 'onnx-backend-tests.tar.gz');
const UNPACKED = path.join(REPO_ROOT, '.cache', 'onnx-backend-tests');

/** The folder holding `node/` and `simple/`. */
export function casesRoot(): string {
  if (fs.existsSync(path.join(SHARED, 'node'))) return SHARED;
  if (!fs.existsSync(path.join(UNPACKED, 'node'))) {
    const tmp = `${UNPACKED}.tmp-${process.pid}`;
    fs.mkdirSync(tmp, { recursive: true });
    execFileSync('tar', ['-xzf', ARCHIVE, '-C', tmp]);
    fs.rmSync(UNPACKED, { recursive: true, force: true });
    fs.renameSync(tmp, UNPACKED);
  }
  return UNPACKED;
}

export interface ConformanceCase {
  name: string;
  dir: string;
  model: string;
}

export function listCases(suite: 'node' | 'simple' = 'node'): ConformanceCase[] {
  const root = path.join(casesRoot(), suite);
  return fs
    .readdirSync(root)
    .filter((d) => d.startsWith('test_'))
    .sort()
    .map((d) => ({ name: d.slice('test_'.length), dir: path.join(root, d), model: path.join(root, d, 'model.onnx') }));
}

/** Inputs and expected outputs of data set 0, in order. */
export function loadDataSet(c: ConformanceCase): { inputs: Tensor[]; outputs: Tensor[] } {
  const ds = path.join(c.dir, 'test_data_set_0');
  const read = (prefix: string) =>
    fs
      .readdirSync(ds)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
      .sort((a, b) => indexOf(a) - indexOf(b))
      .map((f) => tensorFromProto(decodeTensorProto(fs.readFileSync(path.join(ds, f)), f)));
  return { inputs: read('input_'), outputs: read('output_') };
}

function indexOf(file: string): number {
  return Number(/_(\d+)\.pb$/.exec(file)?.[1] ?? 0);
}
