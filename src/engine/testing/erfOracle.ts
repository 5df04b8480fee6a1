/** Test oracle: erf in float64, independent of both engines (used to check their exact-erf GELU). */

/** erf by its Maclaurin series (|x| < 3) or its continued fraction, to ~1e-15. */
export function erf64(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let sum = 0;
    let term = a;
    for (let n = 0; n < 200 && Math.abs(term) > 1e-17; n++) {
      sum += term / (2 * n + 1);
      term *= (-a * a) / (n + 1);
    }
    return (Math.sign(x) * 2 * sum) / Math.sqrt(Math.PI);
  }
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (a + f);
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f));
}

/** GELU(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (model.md: exact erf GELU), in float64. */
export function exactGelu(x: number): number {
  return 0.5 * x * (1 + erf64(x / Math.SQRT2));
}
