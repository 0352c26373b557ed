//! A bit-packed ring window: the last `32·WORDS` outcomes of a Bernoulli stream.

/// The most recent `32·WORDS` bits pushed, with their count of ones kept up to date so that
/// the window's rate costs nothing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitWindow<const WORDS: usize> {
    words: [u32; WORDS],
    /// Position of the next bit to write, `0..32·WORDS`.
    head: u16,
    /// Bits held, up to the capacity.
    len: u16,
    /// Ones among the bits held.
    ones: u16,
}

impl<const WORDS: usize> Default for BitWindow<WORDS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const WORDS: usize> BitWindow<WORDS> {
    /// Capacity in bits.
    pub const CAPACITY: usize = 32 * WORDS;

    /// An empty window.
    pub const fn new() -> Self {
        BitWindow {
            words: [0; WORDS],
            head: 0,
            len: 0,
            ones: 0,
        }
    }

    /// Appends a bit, dropping the oldest when full.
    pub fn push(&mut self, bit: bool) {
        if WORDS == 0 {
            return;
        }
        let head = usize::from(self.head);
        let (word, shift) = (head / 32, head % 32);
        let Some(slot) = self.words.get_mut(word) else {
            return;
        };
        let mask = 1u32 << shift;
        if usize::from(self.len) == Self::CAPACITY {
            // Overwriting the oldest bit, which sits where the head is.
            if *slot & mask != 0 {
                self.ones -= 1;
            }
        } else {
            self.len += 1;
        }
        if bit {
            *slot |= mask;
            self.ones += 1;
        } else {
            *slot &= !mask;
        }
        self.head = if head + 1 == Self::CAPACITY {
            0
        } else {
            self.head + 1
        };
    }

    /// Bits held.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether no bit was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Ones among the bits held.
    pub fn ones(&self) -> usize {
        usize::from(self.ones)
    }

    /// Empties the window.
    pub fn clear(&mut self) {
        *self = Self::new();
    }
}

#[cfg(test)]
mod tests {
    use super::BitWindow;

    #[test]
    fn counts_the_last_capacity_bits() {
        let mut w = BitWindow::<2>::new();
        assert_eq!(BitWindow::<2>::CAPACITY, 64);
        for i in 0..64 {
            w.push(i % 4 == 0);
        }
        assert_eq!((w.len(), w.ones()), (64, 16));
        for _ in 0..32 {
            w.push(true);
        }
        // Window now: bits 32..64 of the pattern (8 ones) then 32 ones.
        assert_eq!((w.len(), w.ones()), (64, 40));
        for _ in 0..64 {
            w.push(false);
        }
        assert_eq!((w.len(), w.ones()), (64, 0));
    }

    #[test]
    fn matches_a_naive_window() {
        let mut w = BitWindow::<1>::new();
        let mut naive = std::collections::VecDeque::new();
        let mut state = 12345u32;
        for _ in 0..1000 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let bit = state >> 31 == 1;
            w.push(bit);
            naive.push_back(bit);
            if naive.len() > 32 {
                naive.pop_front();
            }
            assert_eq!(w.len(), naive.len());
            assert_eq!(w.ones(), naive.iter().filter(|b| **b).count());
        }
    }
}
