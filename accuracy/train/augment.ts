// Training-time augmentation of 28×28 digits: a random translation by up to `maxShift` pixels each way,
// zeros shifted in. A shifted digit is still the same digit, and small nets overfit the 8,000 training
// digits without it.

/** Writes `src` (side×side) shifted by (dx, dy) into `dst`: dst[y, x] = src[y − dy, x − dx], 0 outside. */
export function shiftImage(src: Float32Array, dst: Float32Array, side: number, dx: number, dy: number): void {
  for (let y = 0; y < side; y++) {
    const sy = y - dy;
    for (let x = 0; x < side; x++) {
      const sx = x - dx;
      dst[y * side + x] = sy >= 0 && sy < side && sx >= 0 && sx < side ? src[sy * side + sx] : 0;
    }
  }
}

/** A uniform integer shift in [−maxShift, maxShift] from a [−1, 1) random stream. */
export function randomShift(random: () => number, maxShift: number): number {
  return Math.min(maxShift, Math.floor(((random() + 1) / 2) * (2 * maxShift + 1)) - maxShift);
}
