// Loads an artifact for the CLI: a webgpu artifact runs on the process's Dawn device (nodeGpuDevice), which
// is created only when the manifest asks for WebGPU, so that wasm commands never start Dawn.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, type Session } from '../runtime/index.js';
import { withRuntimeErrors } from '../api/session.js';
import { nodeGpuDevice, nodeWgslLanguageFeatures } from './webgpu-node.js';

export function targetOf(dir: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).target;
  } catch {
    // loadModel reports an unreadable or malformed manifest with the runtime's own message.
    return undefined;
  }
}

/** `threads`: how many threads a threaded wasm artifact runs on (its own count by default). */
export async function loadArtifact(dir: string, threads?: number): Promise<Session> {
  const webgpu = targetOf(dir) === 'webgpu';
  const device = webgpu ? await nodeGpuDevice() : undefined;
  const wgslLanguageFeatures = webgpu ? await nodeWgslLanguageFeatures() : undefined;
  return withRuntimeErrors(() => loadModel(dir, { device, wgslLanguageFeatures, ...(threads === undefined ? {} : { threads }) }));
}
