// How an operand of a fused group's epilogue walks the output, which decides how each target loads a vector
// of it. The groups themselves are defined once in compiler/kernel-groups.ts.
/**
 * How an epilogue operand with element `strides` (0 along broadcast dims) walks the output's `dims` at its
 * innermost end: `broadcastBlock` consecutive output elements read one operand element, `contiguousBlock`
 * consecutive output elements read consecutive operand elements (each the product of the innermost dims where
 * that holds). A target loads a vector of consecutive outputs' operands as one splat or one vector load when
 * the vector stays within such a block.
 */
export function operandBlocks(dims: readonly number[], strides: readonly number[]): { broadcastBlock: number; contiguousBlock: number } {
  const inner = (holds: (stride: number, block: number) => boolean) => {
    let block = 1;
    for (let k = dims.length - 1; k >= 0 && (dims[k] === 1 || holds(strides[k], block)); k--) block *= dims[k];
    return block;
  };
  return { broadcastBlock: inner((s) => s === 0), contiguousBlock: inner((s, block) => s === block) };
}
