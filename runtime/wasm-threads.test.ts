// The worker pool of a threaded wasm artifact in Node: the thread count a session may ask for, and workers
// that neither outlive release() nor keep the process alive.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, writeArtifact } from '../api/compile.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { DlcRuntimeError, loadModel } from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-threads-'));
const threaded = path.join(tmp, 'threaded');
const single = path.join(tmp, 'single');
const MODEL = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

beforeAll(async () => {
  writeArtifact(await compile(MODEL, { target: 'wasm', threads: 2 }), threaded);
  writeArtifact(await compile(MODEL, { target: 'wasm' }), single);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a session runs a threaded artifact on 1 up to its own thread count, and no more', async () => {
  await expect(loadModel(threaded, { threads: 3 })).rejects.toThrow(new DlcRuntimeError(`${threaded}: threads must be an integer from 1 to 2 (model.wasm was compiled for 2), got 3`));
  await expect(loadModel(threaded, { threads: 0 })).rejects.toThrow(DlcRuntimeError);
  await expect(loadModel(single, { threads: 2 })).rejects.toThrow(new DlcRuntimeError(`${single}: threads must be an integer from 1 to 1 (model.wasm was compiled for 1), got 2`));
  const session = await loadModel(threaded, { threads: 1 });
  const x = new Float32Array(3 * 32 * 32).fill(0.5);
  const name = session.inputs[0].name;
  const want = await (await loadModel(single)).run({ [name]: x });
  expect(await session.run({ [name]: x })).toEqual(want);
  await session.release();
});

/** Runs `body` (module code, with loadModel imported) in a fresh Node process; returns its exit status and output. */
function inNode(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = path.join(tmp, `child-${Math.random().toString(36).slice(2)}.mts`);
  fs.writeFileSync(script, `import { loadModel } from ${JSON.stringify(path.join(REPO_ROOT, 'runtime', 'index.ts'))};\n${body}\n`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

test('workers stop at release() and never keep Node alive', () => {
  const run = `
const session = await loadModel(${JSON.stringify(threaded)});
const out = await session.run({ [session.inputs[0].name]: new Float32Array(3 * 32 * 32).fill(0.5) });
console.log(Object.values(out)[0].length);`;
  // Released: the process ends at the end of its script.
  expect(inNode(`${run}\nawait session.release();\nawait session.run({}).catch((e) => console.log(e.message));`)).toMatchObject({
    status: 0,
    stdout: '10\nthis session was released\n',
  });
  // Not released: the idle workers (unref'd) do not hold the process either (spawnSync's timeout would).
  expect(inNode(run)).toMatchObject({ status: 0, stdout: '10\n' });
});
