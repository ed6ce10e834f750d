// A trained Sequential as the ONNX model PyTorch's torch.onnx.export would write for it: input `input`
// f32 [1,1,28,28], nn.Flatten before the first Linear, Linear as Gemm(x, W, b) with transB=1, Conv with its
// bias, Relu, MaxPool, output `logits`; initializers and node names follow PyTorch's (`fc1.weight`,
// `/fc1/Gemm`, `/fc1/Gemm_output_0`).
import { Tensor } from '../../compiler/ir/tensor.js';
import type { OnnxModelSpec, OnnxNodeSpec } from '../../compiler/onnx/writer.js';
import { Conv2d } from './conv2d.js';
import { Dense } from './dense.js';
import { Relu, type Layer } from './layer.js';
import { MaxPool2d } from './max-pool.js';
import type { Sequential } from './network.js';

export interface ExportOptions {
  /** The graph's name. */
  name: string;
  producer: string;
  inputShape: number[];
}

export function exportOnnx(net: Sequential, options: ExportOptions): OnnxModelSpec {
  const nodes: OnnxNodeSpec[] = [];
  const initializers: { name: string; tensor: Tensor }[] = [];
  let current = 'input';
  let flat = options.inputShape.length === 2;
  const add = (layer: Layer, op: string, inputs: string[], attrs?: OnnxNodeSpec['attrs']) => {
    const output = `/${layer.name}/${op}_output_0`;
    nodes.push({ name: `/${layer.name}/${op}`, op, inputs: [current, ...inputs], outputs: [output], attrs });
    current = output;
  };
  for (const layer of net.layers) {
    for (const p of layer.params) initializers.push({ name: p.name, tensor: new Tensor('f32', p.shape, p.value) });
    const [weight, bias] = layer.params.map((p) => p.name);
    if (layer instanceof Dense) {
      if (!flat) {
        nodes.push({ name: '/flatten/Flatten', op: 'Flatten', inputs: [current], outputs: ['/flatten/Flatten_output_0'], attrs: { axis: 1 } });
        current = '/flatten/Flatten_output_0';
        flat = true;
      }
      add(layer, 'Gemm', [weight, bias], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
    } else if (layer instanceof Conv2d) {
      const { kernel, pad, stride = 1 } = layer.g;
      add(layer, 'Conv', [weight, bias], { dilations: [1, 1], group: 1, kernel_shape: [kernel, kernel], pads: [pad, pad, pad, pad], strides: [stride, stride] });
    } else if (layer instanceof MaxPool2d) {
      add(layer, 'MaxPool', [], { ceil_mode: 0, dilations: [1, 1], kernel_shape: [layer.size, layer.size], pads: [0, 0, 0, 0], strides: [layer.size, layer.size] });
    } else if (layer instanceof Relu) {
      add(layer, 'Relu', []);
    } else {
      throw new Error(`no ONNX export for layer ${layer.name}`);
    }
  }
  nodes[nodes.length - 1].outputs = ['logits'];
  return {
    name: options.name,
    producer: options.producer,
    opset: 17,
    inputs: [{ name: 'input', dtype: 'f32', shape: options.inputShape }],
    outputs: [{ name: 'logits', dtype: 'f32', shape: [options.inputShape[0], net.outSize] }],
    nodes,
    initializers,
  };
}
