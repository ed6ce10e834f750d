// Softmax cross-entropy over a batch of logits, averaged over the batch:
//   loss = −(1/B) Σ_b log softmax(z_b)[y_b],   ∂loss/∂z_b = (softmax(z_b) − onehot(y_b)) / B.

export function softmaxCrossEntropy(logits: Float32Array, labels: ArrayLike<number>, batch: number, classes: number): { loss: number; grad: Float32Array } {
  const grad = new Float32Array(batch * classes);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    const z = b * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[z + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[z + k] - max);
    const label = labels[b];
    loss += Math.log(sum) - (logits[z + label] - max);
    for (let k = 0; k < classes; k++) grad[z + k] = (Math.exp(logits[z + k] - max) / sum - (k === label ? 1 : 0)) / batch;
  }
  return { loss: loss / batch, grad };
}
