//! Predictions waiting for a label: 2 bits each (alert, labelled) in a ring.

use crate::error::{Error, Result};

/// The last `16·WORDS` predictions' decisions, so a label arriving later (by sequence number)
/// can be routed to the right stream: a positive label feeds the recall stream, a label on an
/// alert feeds the precision stream. `WORDS` must be a power of two (checked at compile time),
/// so a prediction's slot is its sequence number's low bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLabels<const WORDS: usize> {
    /// Two bits per prediction: bit 0 alert, bit 1 already labelled.
    words: [u32; WORDS],
    /// Sequence number the next prediction gets (wraps after 2³² predictions).
    next_seq: u32,
    /// Whether the ring has been filled once (every slot holds a prediction).
    full: bool,
}

impl<const WORDS: usize> Default for PendingLabels<WORDS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const WORDS: usize> PendingLabels<WORDS> {
    /// Predictions held for labelling.
    pub const CAPACITY: usize = 16 * WORDS;

    /// Empty.
    pub const fn new() -> Self {
        const {
            assert!(
                WORDS.is_power_of_two(),
                "PendingLabels needs a power-of-two word count"
            )
        };
        PendingLabels {
            words: [0; WORDS],
            next_seq: 0,
            full: false,
        }
    }

    /// The word and bit shift of a sequence number's slot.
    #[inline(always)]
    fn slot(seq: u32) -> (usize, u32) {
        let slot = seq as usize & (Self::CAPACITY - 1);
        (slot / 16, 2 * (slot % 16) as u32)
    }

    /// Records a prediction's decision and returns its sequence number.
    #[inline]
    pub fn record(&mut self, alert: bool) -> u32 {
        let seq = self.next_seq;
        let (word, shift) = Self::slot(seq);
        if let Some(word) = self.words.get_mut(word) {
            *word = (*word & !(0b11 << shift)) | (u32::from(alert) << shift);
        }
        self.next_seq = seq.wrapping_add(1);
        if self.next_seq as usize == Self::CAPACITY {
            self.full = true;
        }
        seq
    }

    /// Sequence number the next prediction will get.
    pub fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// Predictions currently held.
    fn held(&self) -> u32 {
        if self.full {
            Self::CAPACITY as u32
        } else {
            self.next_seq
        }
    }

    /// Marks prediction `seq` labelled and returns whether it alerted.
    ///
    /// Errors: `seq` not issued yet ([`Error::LabelUnknown`]), older than the last
    /// [`CAPACITY`](Self::CAPACITY) predictions ([`Error::LabelTooOld`]), or labelled before
    /// ([`Error::LabelDuplicate`]).
    pub fn take(&mut self, seq: u32) -> Result<bool> {
        // Age 1 is the latest prediction; ages past 2³¹ are sequence numbers from the future.
        let age = self.next_seq.wrapping_sub(seq);
        if age == 0 || age > u32::MAX / 2 {
            return Err(Error::LabelUnknown { seq });
        }
        let held = self.held();
        if age > held {
            return Err(Error::LabelTooOld {
                seq,
                oldest: self.next_seq.wrapping_sub(held),
            });
        }
        let (word, shift) = Self::slot(seq);
        let word = self
            .words
            .get_mut(word)
            .ok_or(Error::LabelUnknown { seq })?;
        if *word & (0b10 << shift) != 0 {
            return Err(Error::LabelDuplicate { seq });
        }
        *word |= 0b10 << shift;
        Ok(*word & (1 << shift) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_labels_and_rejects_bad_sequence_numbers() {
        let mut p = PendingLabels::<1>::new(); // 16 predictions
        assert_eq!(p.take(0), Err(Error::LabelUnknown { seq: 0 }));
        for i in 0..20u32 {
            assert_eq!(p.record(i % 3 == 0), i);
        }
        // Held: 4..20.
        assert_eq!(p.take(19), Ok(false));
        assert_eq!(p.take(18), Ok(true));
        assert_eq!(p.take(4), Ok(false));
        assert_eq!(p.take(18), Err(Error::LabelDuplicate { seq: 18 }));
        assert_eq!(p.take(3), Err(Error::LabelTooOld { seq: 3, oldest: 4 }));
        assert_eq!(p.take(20), Err(Error::LabelUnknown { seq: 20 }));
        assert_eq!(p.take(1000), Err(Error::LabelUnknown { seq: 1000 }));
        // 2³² predictions back is indistinguishable from 22 back: too old.
        assert_eq!(
            p.take(u32::MAX),
            Err(Error::LabelTooOld {
                seq: u32::MAX,
                oldest: 4
            })
        );
        // A slot reused by a new prediction forgets the old label.
        p.record(true); // seq 20 takes the slot of 4
        assert_eq!(p.take(20), Ok(true));
    }
}
