/**
 * The von Neumann entropy proxy: -Tr(rho ln rho) with rho = K / N for the linear
 * kernel of unit-length document embeddings. The non-zero eigenvalues of K / N
 * equal those of the d x d matrix V^T V / N, so no N x N matrix is formed.
 */
import { loadAddon } from '../engine/native.js';

/**
 * Eigenvalues of a symmetric d x d matrix: Householder reduction to tridiagonal
 * form, then implicit QL iterations. O(d^3) with a small constant.
 */
export function tridiagonalEigenvalues(a: Float64Array, n: number): number[] {
  const m = Float64Array.from(a);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += m[i * n + k]! * m[i * n + k]!;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const x0 = m[(k + 1) * n + k]!;
    const alpha = x0 > 0 ? -norm : norm;
    let vnorm = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = m[i * n + k]! - (i === k + 1 ? alpha : 0);
      vnorm += v[i]! * v[i]!;
    }
    vnorm = Math.sqrt(vnorm);
    if (vnorm === 0) continue;
    for (let i = k + 1; i < n; i++) v[i]! /= vnorm;
    // Trailing block B <- B - 2 v w^T - 2 w v^T with w = p - (v^T p) v, p = B v.
    let vp = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += m[i * n + j]! * v[j]!;
      p[i] = s;
      vp += v[i]! * s;
    }
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - vp * v[i]!;
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) m[i * n + j] = m[i * n + j]! - 2 * v[i]! * p[j]! - 2 * p[i]! * v[j]!;
    }
    m[(k + 1) * n + k] = alpha;
    m[k * n + k + 1] = alpha;
    for (let i = k + 2; i < n; i++) {
      m[i * n + k] = 0;
      m[k * n + i] = 0;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = m[i * n + i]!;
  for (let i = 0; i < n - 1; i++) e[i] = m[(i + 1) * n + i]!;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let mm: number;
    do {
      for (mm = l; mm < n - 1; mm++) {
        const dd = Math.abs(d[mm]!) + Math.abs(d[mm + 1]!);
        if (Math.abs(e[mm]!) <= Number.EPSILON * dd) break;
      }
      if (mm !== l) {
        if (iter++ === 60) break;
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.hypot(g, 1);
        g = d[mm]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let pp = 0;
        let i: number;
        let underflow = false;
        for (i = mm - 1; i >= l; i--) {
          const f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] = d[i + 1]! - pp;
            e[mm] = 0;
            underflow = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - pp;
          r = (d[i]! - g) * s + 2 * c * b;
          pp = s * r;
          d[i + 1] = g + pp;
          g = c * r - b;
        }
        if (underflow) continue;
        d[l] = d[l]! - pp;
        e[l] = g;
        e[mm] = 0;
      }
    } while (mm !== l);
  }
  return Array.from(d);
}

/** VNE (nats) of `rows` embeddings of dimension `dims` (row-major); rows are L2-normalised first. */
export function vneFromVectors(vectors: Float64Array | Float32Array, rows: number, dims: number): number {
  if (rows === 0) return 0;
  const g = new Float64Array(dims * dims);
  const v = new Float64Array(dims);
  let used = 0;
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let j = 0; j < dims; j++) {
      v[j] = vectors[r * dims + j]!;
      norm += v[j]! * v[j]!;
    }
    if (!(norm > 0) || !Number.isFinite(norm)) continue;
    norm = Math.sqrt(norm);
    for (let j = 0; j < dims; j++) v[j]! /= norm;
    for (let i = 0; i < dims; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      for (let j = i; j < dims; j++) g[i * dims + j] += vi * v[j]!;
    }
    used++;
  }
  if (used === 0) return 0;
  for (let i = 0; i < dims; i++) {
    for (let j = i; j < dims; j++) {
      g[i * dims + j] = g[i * dims + j]! / used;
      g[j * dims + i] = g[i * dims + j]!;
    }
  }
  let h = 0;
  for (const l of tridiagonalEigenvalues(g, dims)) if (l > 1e-15) h -= l * Math.log(l);
  return h;
}

/**
 * Reads float32 N x d embeddings from a real .npy file (little-endian, C order). The native .npy
 * header parser (the one the token reader uses) checks the header, that the file has exactly the
 * size it implies, and that every value is finite.
 */
export function readEmbeddingsNpy(file: string): { vectors: Float32Array; rows: number; dims: number } {
  return loadAddon().readEmbeddings(file);
}
