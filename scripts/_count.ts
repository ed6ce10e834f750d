import { inspect } from '../api/inspect.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { cascadeModel } from '../models/cascade.js';
import { vadStyle } from '../models/vad-style.js';
for (const [name, m] of [['cascade', cascadeModel()], ['vad', vadStyle()]] as const) {
  for (const target of ['wasm', 'webgpu'] as const) {
    const list = inspect(encodeOnnxModel(m), { target }).kernelList;
    const per = new Map<string, number>();
    for (const k of list) per.set(k.branch ?? 'main', (per.get(k.branch ?? 'main') ?? 0) + 1);
    console.log(name, target, list.length, JSON.stringify([...per]));
    if (target==='wasm') for (const k of list) console.log('  ', k.branch ?? 'main', k.name, k.ops.join(','));
  }
}
