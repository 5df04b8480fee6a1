/**
 * The Fourier tools of Nanda et al. 2023, as their code computes them (shared/spec/papers/progress-measures/
 * claims.md §2): the 1D basis F, the Fourier component norms of W_E and of the neuron-logit map W_L, per-frequency
 * norms, and three key-frequency rules (§2.4): `neuron-argmax` (each neuron's frequency from the 2D transform of
 * its grid activations), `wl-nontrivial` and `we-quarter` (the frequencies whose norm is at least a quarter of the
 * largest). Core tools: any paper may use them. Pure; float64.
 *
 * Layouts are ours (model.md "Parameters": every weight [in, out]): W_E [vocab, d_model], W_U [d_model, classes],
 * W_out [d_mlp, d_model]. Their W_E is ours transposed; their W_L = W_U[:, :p]^T W_out (theirs) is
 * W_L[c, j] = sum_m W_U[m, c] W_out[j, m] (ours), [p, d_mlp].
 */

/**
 * F (claims.md §2.1): p x p, row-major, orthonormal. Row 0 = 1/sqrt(p); for k = 1..(p-1)/2, row 2k-1 =
 * cos(2 pi k x / p) and row 2k = sin(2 pi k x / p), x = 0..p-1, each divided by its own norm. Odd p only (the
 * basis is then square).
 */
export function nandaBasis(p: number): Float64Array {
  if (!Number.isInteger(p) || p < 3 || p % 2 === 0) throw new RangeError(`Nanda et al.'s Fourier basis needs an odd p >= 3, got ${p}`);
  const F = new Float64Array(p * p);
  const normalise = (row: number) => {
    let ss = 0;
    for (let x = 0; x < p; x++) ss += F[row * p + x] ** 2;
    const norm = Math.sqrt(ss);
    for (let x = 0; x < p; x++) F[row * p + x] /= norm;
  };
  for (let x = 0; x < p; x++) F[x] = 1;
  normalise(0);
  for (let k = 1; k <= (p - 1) / 2; k++) {
    for (let x = 0; x < p; x++) {
      const angle = (2 * Math.PI * ((k * x) % p)) / p;
      F[(2 * k - 1) * p + x] = Math.cos(angle);
      F[2 * k * p + x] = Math.sin(angle);
    }
    normalise(2 * k - 1);
    normalise(2 * k);
  }
  return F;
}

/**
 * The norms of the rows of F X for X [p, n] (row-major: the token or class axis first): l_j = |(F X)_{j,:}|,
 * j = 0..p-1 (claims.md §2.7: the W_E norms e_j with X = W_E itself, whose first p rows are the number tokens;
 * the W_L norms l_j with X = W_L).
 */
export function fourierComponentNorms(X: ArrayLike<number>, p: number, n: number, F: Float64Array = nandaBasis(p)): Float64Array {
  if (X.length < p * n) throw new RangeError(`expected at least ${p} x ${n} values, got ${X.length}`);
  const norms = new Float64Array(p);
  const row = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    row.fill(0);
    for (let x = 0; x < p; x++) {
      const f = F[j * p + x];
      for (let c = 0; c < n; c++) row[c] += f * X[x * n + c];
    }
    let ss = 0;
    for (let c = 0; c < n; c++) ss += row[c] * row[c];
    norms[j] = Math.sqrt(ss);
  }
  return norms;
}

/** Per-frequency norms n_k = sqrt(l_{2k-1}^2 + l_{2k}^2), k = 1..(p-1)/2, from component norms (index k-1). */
export function frequencyNorms(componentNorms: ArrayLike<number>): Float64Array {
  const K = (componentNorms.length - 1) / 2;
  const out = new Float64Array(K);
  for (let k = 1; k <= K; k++) out[k - 1] = Math.hypot(componentNorms[2 * k - 1], componentNorms[2 * k]);
  return out;
}

/**
 * The neuron-logit map W_L [p, d_mlp]: W_L[c, j] = sum_m W_U[m, c] W_out[j, m] over the first p classes (the
 * separator's logit column dropped, as their analysis does).
 */
export function neuronLogitMap(WU: ArrayLike<number>, Wout: ArrayLike<number>, p: number, dModel: number, dMlp: number, classes: number): Float64Array {
  if (WU.length !== dModel * classes || Wout.length !== dMlp * dModel) throw new RangeError('W_U must be [d_model, classes] and W_out [d_mlp, d_model]');
  const WL = new Float64Array(p * dMlp);
  for (let c = 0; c < p; c++)
    for (let j = 0; j < dMlp; j++) {
      let sum = 0;
      for (let m = 0; m < dModel; m++) sum += WU[m * classes + c] * Wout[j * dModel + m];
      WL[c * dMlp + j] = sum;
    }
  return WL;
}

/**
 * `wl-nontrivial` and `we-quarter` (claims.md §2.4 rules 2 and 3): the frequencies k (1-based, ascending) whose
 * norm is at least `fraction` (a quarter) of the largest.
 */
export function keysAboveFraction(normsByFrequency: ArrayLike<number>, fraction = 0.25): number[] {
  let max = 0;
  for (let i = 0; i < normsByFrequency.length; i++) max = Math.max(max, normsByFrequency[i]);
  const keys: number[] = [];
  if (max === 0) return keys;
  for (let i = 0; i < normsByFrequency.length; i++) if (normsByFrequency[i] >= max * fraction) keys.push(i + 1);
  return keys;
}

export interface NeuronFrequencies {
  /** Each neuron's frequency k (argmax of its explained fraction; 0 for a neuron that is constant on the grid). */
  frequency: Int32Array;
  /** Each neuron's explained fraction at that frequency (0..1). */
  fraction: Float64Array;
  /** The key frequencies: the distinct neuron frequencies (no threshold), or those at least `minShare` of neurons pick. */
  keys: number[];
}

/**
 * `neuron-argmax` (claims.md §2.4 rule 1): for each neuron of `hidden` ([p*p, units], grid rows r = a*p + b),
 * centre it over the grid and take its 2D transform C = F H F^T (H[a, b] its activation); its explained fraction
 * at frequency k is the sum of the squared coefficients on (0,c_k), (0,s_k), (c_k,0), (s_k,0), (c_k,c_k), (c_k,s_k),
 * (s_k,c_k), (s_k,s_k) over its total sum of squares; its frequency is the argmax over k (the smaller k on ties).
 * K = the distinct frequencies, with no threshold (`minShare` 0), or only those picked by at least `minShare` of
 * the neurons (the `neuron-argmax:min1%` option: minShare 0.01). Neurons that are constant on the grid pick none.
 */
export function neuronFrequencies(hidden: ArrayLike<number>, p: number, units: number, minShare = 0, F: Float64Array = nandaBasis(p)): NeuronFrequencies {
  const rows = p * p;
  if (hidden.length !== rows * units) throw new RangeError(`hidden must be [${rows}, ${units}] (the full grid), got ${hidden.length} values`);
  const K = (p - 1) / 2;
  const frequency = new Int32Array(units);
  const fraction = new Float64Array(units);
  const H = new Float64Array(rows);
  const A = new Float64Array(rows); // A = F H: A[i, b] = sum_a F[i, a] H[a, b]
  const c = (i: number, j: number) => {
    let sum = 0;
    for (let b = 0; b < p; b++) sum += A[i * p + b] * F[j * p + b];
    return sum;
  };
  for (let u = 0; u < units; u++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += hidden[r * units + u];
    mean /= rows;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      H[r] = hidden[r * units + u] - mean;
      total += H[r] * H[r];
    }
    if (total === 0) continue;
    A.fill(0);
    for (let i = 0; i < p; i++)
      for (let a = 0; a < p; a++) {
        const f = F[i * p + a];
        if (f === 0) continue;
        for (let b = 0; b < p; b++) A[i * p + b] += f * H[a * p + b];
      }
    // The transform is orthonormal, so the squared coefficients sum to `total`.
    let best = 0;
    let bestK = 0;
    for (let k = 1; k <= K; k++) {
      const ck = 2 * k - 1;
      const sk = 2 * k;
      const explained = c(0, ck) ** 2 + c(0, sk) ** 2 + c(ck, 0) ** 2 + c(sk, 0) ** 2 + c(ck, ck) ** 2 + c(ck, sk) ** 2 + c(sk, ck) ** 2 + c(sk, sk) ** 2;
      if (explained > best) {
        best = explained;
        bestK = k;
      }
    }
    frequency[u] = bestK;
    fraction[u] = best / total;
  }
  const counts = new Map<number, number>();
  for (const k of frequency) if (k > 0) counts.set(k, (counts.get(k) ?? 0) + 1);
  const keys = [...counts.entries()].filter(([, n]) => n >= minShare * units).map(([k]) => k).sort((x, y) => x - y);
  return { frequency, fraction, keys };
}

/**
 * The W_L residual (claims.md §2.7): the squared norm of the rows of F W_L outside the constant and the key
 * frequencies' cos/sin rows, over the squared norm of F W_L. From component norms l_j (fourierComponentNorms).
 */
export function residualOutsideKeys(componentNorms: ArrayLike<number>, keys: readonly number[]): number {
  const kept = new Set([0, ...keys.flatMap((k) => [2 * k - 1, 2 * k])]);
  let all = 0;
  let outside = 0;
  for (let j = 0; j < componentNorms.length; j++) {
    const sq = componentNorms[j] ** 2;
    all += sq;
    if (!kept.has(j)) outside += sq;
  }
  return all === 0 ? 0 : outside / all;
}
