//! The portable kernel: the definition every other kernel must match bit for bit.

/// Accumulates a block of `acc.len()` rows; see [`super::block_dot`].
///
/// Walks the blocked layout with `chunks_exact`: for each group of 4 inputs, each row's 4
/// weights. Sums are exact because validation bounds every accumulator below 2³¹.
#[inline]
pub fn block_dot(block: &[u8], input: &[i8], acc: &mut [i32]) {
    let rows = acc.len();
    if rows == 0 {
        return;
    }
    for (group, x) in block.chunks_exact(4 * rows).zip(input.chunks_exact(4)) {
        for (sum, w) in acc.iter_mut().zip(group.chunks_exact(4)) {
            *sum += dot4(w, x);
        }
    }
}

/// Dot product of 4 int8 weights (as bytes) and 4 int8 activations.
#[inline(always)]
fn dot4(w: &[u8], x: &[i8]) -> i32 {
    w.iter()
        .zip(x)
        .map(|(&w, &x)| i32::from(w as i8) * i32::from(x))
        .sum()
}
