/**
 * The Gaussian-process model behind the Bayesian search (issue 20), on points of the unit cube.
 *
 * - Kernel: Matérn 5/2 with one lengthscale per coordinate (ARD): k(x, y) = s² (1 + √5 r + 5r²/3) e^(−√5 r), r the
 *   distance with each coordinate divided by its lengthscale, plus a nugget g·s² on the diagonal (objectives of
 *   backtests are deterministic but jagged; the nugget lets the model smooth over a cliff instead of ringing).
 * - The targets are standardised (mean 0, sd 1) and the amplitude s² is profiled out of the likelihood: for a
 *   correlation matrix R + gI = LLᵀ, s² = yᵀ(R + gI)⁻¹y / n and the log marginal likelihood is, up to a constant,
 *   −(n/2) log s² − Σ log Lᵢᵢ.
 * - Hyperparameters are fitted by maximising that likelihood with a coordinate search over log-lengthscales in
 *   [MIN_LS, MAX_LS] and the nugget in [1e-6, 1e-1]: factors of 2, then of √2, from the previous fit (or from the
 *   best shared lengthscale of a coarse grid the first time); a quick refit takes one pass of √2 steps from the
 *   previous fit. No gradients: a fit is a few dozen Cholesky factorisations of at most a few hundred points.
 */

export const MIN_LS = 0.01;
export const MAX_LS = 20;
const MIN_NUGGET = 1e-6;
const MAX_NUGGET = 0.1;
const SQRT5 = Math.sqrt(5);

export interface GpHyper {
  lengthscales: Float64Array;
  nugget: number;
}

export interface GpFit {
  hyper: GpHyper;
  /** Points, row after row (n × d). */
  x: Float64Array;
  n: number;
  d: number;
  /** Cholesky factor of R + gI, lower triangle, row-major n × n. */
  chol: Float64Array;
  /** (R + gI)⁻¹ y (standardised y). */
  alpha: Float64Array;
  /** Profiled amplitude s². */
  amplitude: number;
  yMean: number;
  ySd: number;
  logLikelihood: number;
}

function matern(r2: number): number {
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

function correlation(x: Float64Array, n: number, d: number, inv: Float64Array, nugget: number): Float64Array {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = 1 + nugget;
    for (let j = 0; j < i; j++) {
      let r2 = 0;
      for (let c = 0; c < d; c++) {
        const t = (x[i * d + c]! - x[j * d + c]!) * inv[c]!;
        r2 += t * t;
      }
      const v = matern(r2);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  return k;
}

/** In-place Cholesky of a symmetric positive-definite matrix (lower triangle); false when it is not. */
function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j]!;
    for (let k = 0; k < j; k++) s -= a[j * n + k]! * a[j * n + k]!;
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j]!;
      for (let k = 0; k < j; k++) t -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = t / l;
    }
  }
  return true;
}

/** Solves L v = b (forward) into `out`. */
export function forward(l: Float64Array, n: number, b: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * out[k]!;
    out[i] = s / l[i * n + i]!;
  }
  return out;
}

function backward(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * out[k]!;
    out[i] = s / l[i * n + i]!;
  }
  return out;
}

function evaluate(x: Float64Array, n: number, d: number, ys: Float64Array, hyper: GpHyper): Omit<GpFit, "yMean" | "ySd"> | null {
  const inv = hyper.lengthscales.map((l) => 1 / l);
  const chol = correlation(x, n, d, inv, hyper.nugget);
  if (!cholesky(chol, n)) return null;
  const z = forward(chol, n, ys, new Float64Array(n));
  const alpha = backward(chol, n, z);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += z[i]! * z[i]!;
  const amplitude = Math.max(quad / n, 1e-12);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(chol[i * n + i]!);
  return { hyper, x, n, d, chol, alpha, amplitude, logLikelihood: -(n / 2) * Math.log(amplitude) - logDet };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Fits the model to points `x` (n × d, row-major) with values `y`, starting the hyperparameter search from `start`
 * (a previous fit's) when given.
 */
export function fitGp(x: Float64Array, y: ArrayLike<number>, d: number, start?: GpHyper, thorough = true): GpFit {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (y[i]! - mean) ** 2;
  const sd = n > 1 && v > 0 ? Math.sqrt(v / (n - 1)) : 1;
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = (y[i]! - mean) / sd;

  let best: Omit<GpFit, "yMean" | "ySd"> | null = null;
  const consider = (h: GpHyper) => {
    const f = evaluate(x, n, d, ys, h);
    if (f && (!best || f.logLikelihood > best.logLikelihood)) {
      best = f;
      return true;
    }
    return false;
  };
  if (start && start.lengthscales.length === d) consider({ lengthscales: start.lengthscales.slice(), nugget: start.nugget });
  if (!best) {
    for (const l of [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2]) {
      for (const g of [1e-6, 1e-3, 1e-2]) consider({ lengthscales: new Float64Array(d).fill(l), nugget: g });
    }
  }
  if (!best) throw new Error("The Gaussian process could not be fitted (the points are degenerate)");
  // From a previous fit, one pass of small steps follows the data as it grows; a thorough fit searches wider.
  const schedule = thorough || !start ? [2, Math.SQRT2] : [Math.SQRT2];
  for (const factor of schedule) {
    for (let pass = 0; pass < (thorough ? 3 : 1); pass++) {
      let improved = false;
      for (let c = 0; c <= d; c++) {
        for (const f of [factor, 1 / factor]) {
          const cur: GpHyper = (best as GpFit).hyper;
          if (c < d) {
            const ls = cur.lengthscales.slice();
            const nv = clamp(ls[c]! * f, MIN_LS, MAX_LS);
            if (nv === ls[c]) continue;
            ls[c] = nv;
            if (consider({ lengthscales: ls, nugget: cur.nugget })) improved = true;
          } else {
            const g = clamp(cur.nugget * f ** 4, MIN_NUGGET, MAX_NUGGET);
            if (g !== cur.nugget && consider({ lengthscales: cur.lengthscales, nugget: g })) improved = true;
          }
        }
      }
      if (!improved) break;
    }
  }
  return { ...(best as Omit<GpFit, "yMean" | "ySd">), yMean: mean, ySd: sd };
}

/** Predictive mean at `q` (d coordinates), leaving the correlations to the fitted points in `k` (length n). */
export function predictMean(fit: GpFit, q: ArrayLike<number>, k: Float64Array): number {
  const { n, d, x, hyper } = fit;
  const ls = hyper.lengthscales;
  let m = 0;
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    for (let c = 0; c < d; c++) {
      const t = (x[i * d + c]! - q[c]!) / ls[c]!;
      r2 += t * t;
    }
    const kv = matern(r2);
    k[i] = kv;
    m += kv * fit.alpha[i]!;
  }
  return fit.yMean + fit.ySd * m;
}

/** Predictive standard deviation from the correlations `predictMean` left in `k` (`v`: scratch of length n). */
export function predictSd(fit: GpFit, k: Float64Array, v: Float64Array): number {
  forward(fit.chol, fit.n, k, v);
  let vv = 0;
  for (let i = 0; i < fit.n; i++) vv += v[i]! * v[i]!;
  return fit.ySd * Math.sqrt(Math.max(fit.amplitude * (1 - vv), 1e-12));
}

/** The largest standard deviation any prediction can have (the prior's). */
export const priorSd = (fit: GpFit) => fit.ySd * Math.sqrt(fit.amplitude);

/** Predictive mean and standard deviation (in the targets' units) at `q`; `scratch` holds two arrays of length n. */
export function predict(fit: GpFit, q: ArrayLike<number>, scratch: { k: Float64Array; v: Float64Array }): { mean: number; sd: number } {
  const mean = predictMean(fit, q, scratch.k);
  return { mean, sd: predictSd(fit, scratch.k, scratch.v) };
}
