/** Row selection of row-major arrays (a split's rows of a grid evaluation). */

/** Rows `rows` of a row-major [N, width] array, in that order. */
export function gatherRows(values: Float32Array | Int32Array, width: number, rows: Int32Array): Float32Array | Int32Array {
  const out = values instanceof Float32Array ? new Float32Array(rows.length * width) : new Int32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(values.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  return out;
}
