//! The one matrix-product micro-kernel every pass of the MLP runs on, sized for these small
//! layers: `C[m][n] = epilogue(init[n] + Σₖ A(m, k)·B[k][n])` over `MR × NR` register tiles.
//!
//! `A` is read through strides, so the same kernel computes `x·Wᵀ` (forward), `xᵀ·δ`
//! (weight gradients, reducing over rows) and `δ·W` (input gradients) without packing.
//! `B` rows are contiguous, `NR` wide. Written as plain array loops that LLVM vectorises; the
//! `FMA` flavour uses fused multiply-adds and is compiled inside a function with the
//! `avx2,fma` target features (see `kernels`).

/// Rows per register tile (a multiple of which `m` must be).
pub(crate) const MR: usize = 4;
/// Columns per register tile (a multiple of which `n` and every padded width must be).
pub(crate) const NR: usize = 16;

/// `a·b + c`, fused when `FMA`.
#[inline(always)]
pub(crate) fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// Operand `A(m, k) = data[m·row_stride + k·col_stride]`.
#[derive(Clone, Copy)]
pub(crate) struct Strided<'a> {
    pub data: &'a [f32],
    pub row_stride: usize,
    pub col_stride: usize,
}

/// Runs the product for `m` rows (multiple of [`MR`]), `k` terms and `n` columns (multiple
/// of [`NR`]); `b` has row stride `n`, `c` row stride `n`. `init` is `n` starting values
/// (or empty for zeros); `epilogue(row, first_column, tile_row)` edits each finished tile row
/// before it is stored.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn product<const FMA: bool>(
    (m, k, n): (usize, usize, usize),
    a: Strided<'_>,
    b: &[f32],
    init: &[f32],
    c: &mut [f32],
    mut epilogue: impl FnMut(usize, usize, &mut [f32; NR]),
) {
    debug_assert!(m % MR == 0 && n % NR == 0);
    let b = &b[..k * n];
    for m0 in (0..m).step_by(MR) {
        for n0 in (0..n).step_by(NR) {
            let mut acc = [[0.0f32; NR]; MR];
            if !init.is_empty() {
                let start: &[f32; NR] = init[n0..n0 + NR].try_into().unwrap_or(&[0.0; NR]);
                acc = [*start; MR];
            }
            for kk in 0..k {
                let row: &[f32; NR] = b[kk * n + n0..kk * n + n0 + NR]
                    .try_into()
                    .unwrap_or(&[0.0; NR]);
                for (j, acc_row) in acc.iter_mut().enumerate() {
                    let av = a.data[(m0 + j) * a.row_stride + kk * a.col_stride];
                    for (t, slot) in acc_row.iter_mut().enumerate() {
                        *slot = madd::<FMA>(av, row[t], *slot);
                    }
                }
            }
            for (j, acc_row) in acc.iter_mut().enumerate() {
                epilogue(m0 + j, n0, acc_row);
                c[(m0 + j) * n + n0..(m0 + j) * n + n0 + NR].copy_from_slice(acc_row);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_naive_product_with_strides_and_epilogue() {
        let (m, k, n) = (8, 5, 32);
        let a: Vec<f32> = (0..m * k).map(|v| (v % 7) as f32 - 3.0).collect();
        let b: Vec<f32> = (0..k * n).map(|v| (v % 5) as f32 * 0.5).collect();
        let init: Vec<f32> = (0..n).map(|v| v as f32).collect();
        for transposed in [false, true] {
            // A stored row-major (m × k) or column-major (k × m).
            let (data, rs, cs) = if transposed {
                let mut t = vec![0.0; m * k];
                for i in 0..m {
                    for j in 0..k {
                        t[j * m + i] = a[i * k + j];
                    }
                }
                (t, 1, m)
            } else {
                (a.clone(), k, 1)
            };
            let mut c = vec![f32::NAN; m * n];
            let strided = Strided {
                data: &data,
                row_stride: rs,
                col_stride: cs,
            };
            product::<false>((m, k, n), strided, &b, &init, &mut c, |_, _, row| {
                row.iter_mut().for_each(|v| *v = v.max(10.0))
            });
            for i in 0..m {
                for j in 0..n {
                    let expected = (init[j]
                        + (0..k).map(|t| a[i * k + t] * b[t * n + j]).sum::<f32>())
                    .max(10.0);
                    assert_eq!(c[i * n + j], expected, "{i} {j}");
                }
            }
        }
    }
}
