//! The score histogram over chunks of rows and its PSI against the baseline histogram.

use crate::format::MAX_SCORE_BINS;
use crate::math::ln;
use crate::monitor::health::{ScoreHealth, SignalState};
use crate::tables::u32_values;

/// Counts scores into the model's bins for a chunk of rows; at the end of each chunk computes
/// the population stability index `Σ (a − e)·ln(a/e)` against the baseline shares.
///
/// Per row: a 4-step binary search over the edges (read in place from the model file) and one
/// increment. The PSI (a few float logs per bin) runs once per chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreHistogram<'a> {
    /// Bin edges, i32 LE (borrowed from the model file).
    edges: &'a [u8],
    /// Baseline rows per bin (borrowed from the model file).
    reference: &'a [u8],
    bins: u8,
    /// This chunk's rows per bin.
    counts: [u16; MAX_SCORE_BINS],
    rows: u16,
    chunk_rows: u16,
    psi: f32,
    chunks: u32,
    levels: (f32, f32),
    state: SignalState,
}

impl<'a> ScoreHistogram<'a> {
    /// A histogram over the model's bins; `Unknown` state if the model carries none.
    pub fn new(edges: &'a [u8], reference: &'a [u8], chunk_rows: u16, levels: (f32, f32)) -> Self {
        let bins = (reference.len() / 4).min(MAX_SCORE_BINS) as u8;
        let reference_total = u32_values(reference).fold(0u32, u32::saturating_add);
        let usable = bins >= 2 && reference_total > 0 && chunk_rows > 0;
        ScoreHistogram {
            edges,
            reference,
            bins,
            counts: [0; MAX_SCORE_BINS],
            rows: 0,
            chunk_rows,
            psi: 0.0,
            chunks: 0,
            levels,
            state: if usable {
                SignalState::Ok
            } else {
                SignalState::Unknown
            },
        }
    }

    /// Edge `i`, or `i32::MAX` past the last (so the search needs no bound).
    #[inline(always)]
    fn edge(&self, i: usize) -> i32 {
        let (edges, _) = self.edges.as_chunks::<4>();
        edges.get(i).map_or(i32::MAX, |b| i32::from_le_bytes(*b))
    }

    /// The bin of a score: the number of edges at or below it (`0..bins`). Past the last edge
    /// `edge` reads `i32::MAX`, which no clamped score reaches, so the search cannot leave the
    /// model's bins.
    #[inline]
    pub fn bin(&self, score: i32) -> usize {
        let score = score.min(i32::MAX - 1);
        let mut bin = 0;
        for step in [8, 4, 2, 1] {
            if self.edge(bin + step - 1) <= score {
                bin += step;
            }
        }
        bin
    }

    /// Counts one score; closes the chunk (and updates the PSI) when it is full.
    #[inline]
    pub fn observe(&mut self, score: i32) {
        // Without a reference (state Unknown) the counts are kept but never compared.
        let bin = self.bin(score);
        if let Some(count) = self.counts.get_mut(bin) {
            *count = count.saturating_add(1);
        }
        self.rows += 1;
    }

    /// Whether the chunk is full: the caller then calls [`close_chunk`](Self::close_chunk).
    #[inline(always)]
    pub fn chunk_full(&self) -> bool {
        self.rows >= self.chunk_rows
    }

    /// Ends the chunk: PSI against the reference, state, and a fresh count. Out of line and
    /// cold: it runs once per chunk and its float work would otherwise weigh on every call.
    #[cold]
    #[inline(never)]
    pub fn close_chunk(&mut self) {
        let rows = f32::from(self.rows);
        self.chunks = self.chunks.saturating_add(1);
        self.rows = 0;
        if self.state == SignalState::Unknown {
            return;
        }
        let bins = usize::from(self.bins);
        let half_bins = 0.5 * bins as f32;
        let rows = rows + half_bins;
        let reference_total = u32_values(self.reference).fold(0u32, u32::saturating_add);
        let total = reference_total as f32 + half_bins;
        // Half a row added to every bin keeps empty bins finite (Laplace smoothing).
        self.psi = self
            .counts
            .iter()
            .zip(u32_values(self.reference))
            .take(bins)
            .map(|(&count, reference)| {
                let actual = (f32::from(count) + 0.5) / rows;
                let expected = (reference as f32 + 0.5) / total;
                (actual - expected) * ln(actual / expected)
            })
            .sum();
        let (warning, drift) = self.levels;
        self.state = self.state.step(self.psi, warning / 2.0, warning, drift);
        self.counts = [0; MAX_SCORE_BINS];
    }

    /// Rows observed: whole chunks plus the open chunk (saturating at `u32::MAX`).
    pub fn rows_seen(&self) -> u32 {
        let total = u64::from(self.chunks) * u64::from(self.chunk_rows) + u64::from(self.rows);
        u32::try_from(total).unwrap_or(u32::MAX)
    }

    /// Rows per chunk.
    pub fn chunk_rows(&self) -> u16 {
        self.chunk_rows
    }

    /// The snapshot.
    pub fn health(&self) -> ScoreHealth {
        ScoreHealth {
            state: self.state,
            psi: self.psi,
            chunks: self.chunks,
        }
    }

    /// The current state.
    pub fn state(&self) -> SignalState {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_i32(v: &[i32]) -> std::vec::Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn bytes_u32(v: &[u32]) -> std::vec::Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn rows_seen_and_chunks_saturate() {
        let edges = bytes_i32(&[-10, 0, 10]);
        let reference = bytes_u32(&[25, 25, 25, 25]);
        let mut h = ScoreHistogram::new(&edges, &reference, 2048, (0.1, 0.25));
        h.chunks = u32::MAX / 2048; // whole chunks worth u32::MAX − 2,047 rows
        for _ in 0..2047 {
            h.observe(0);
        }
        assert_eq!(h.rows_seen(), u32::MAX);
        h.observe(0);
        assert!(h.chunk_full());
        assert_eq!(h.rows_seen(), u32::MAX, "one row past u32::MAX");
        h.close_chunk();
        assert_eq!(h.rows_seen(), u32::MAX);
        h.chunks = u32::MAX;
        h.observe(0);
        h.close_chunk();
        assert_eq!((h.chunks, h.rows_seen()), (u32::MAX, u32::MAX));
    }

    #[test]
    fn bins_follow_the_edges() {
        let edges = bytes_i32(&[-10, 0, 10]);
        let reference = bytes_u32(&[25, 25, 25, 25]);
        let h = ScoreHistogram::new(&edges, &reference, 100, (0.1, 0.25));
        let bins: std::vec::Vec<usize> = [-100, -10, -9, 0, 9, 10, i32::MAX]
            .iter()
            .map(|&s| h.bin(s))
            .collect();
        assert_eq!(bins, [0, 1, 1, 2, 2, 3, 3]);
    }

    #[test]
    fn psi_matches_the_formula_and_flags_a_shift() {
        let edges = bytes_i32(&[-10, 0, 10]);
        let reference = bytes_u32(&[250, 250, 250, 250]);
        let mut h = ScoreHistogram::new(&edges, &reference, 100, (0.1, 0.25));
        // Same shares: PSI ≈ 0.
        for i in 0..100 {
            h.observe([-20, -5, 5, 20][i % 4]);
        }
        assert!(h.chunk_full());
        h.close_chunk();
        assert!(h.health().psi < 1e-6, "{:?}", h.health());
        assert_eq!(h.state(), SignalState::Ok);
        // All in the top bin: a = (100.5/102, 0.5/102 ×3), e = (250.5/1002) ×4.
        for _ in 0..100 {
            h.observe(50);
        }
        h.close_chunk();
        let e = 250.5f32 / 1002.0;
        let top = 100.5f32 / 102.0;
        let low = 0.5f32 / 102.0;
        let expected = (top - e) * (top / e).ln() + 3.0 * (low - e) * (low / e).ln();
        assert!(
            (h.health().psi - expected).abs() < 1e-4,
            "{} vs {expected}",
            h.health().psi
        );
        assert_eq!(h.state(), SignalState::Drift);
        assert_eq!(h.health().chunks, 2);
    }

    #[test]
    fn no_reference_means_unknown() {
        let mut h = ScoreHistogram::new(&[], &[], 100, (0.1, 0.25));
        h.observe(3);
        h.close_chunk();
        assert_eq!(h.state(), SignalState::Unknown);
    }
}
