//! Predictions waiting for a label: 2 bits each (alert, labelled) in a ring.

use crate::error::{Error, Result};

/// The last `16·WORDS` predictions' decisions, so a label arriving later (by sequence number)
/// can be routed to the right stream: a positive label feeds the recall stream, a label on an
/// alert feeds the precision stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLabels<const WORDS: usize> {
    /// Two bits per prediction: bit 0 alert, bit 1 already labelled.
    words: [u32; WORDS],
    /// Slot of the next prediction, `0..16·WORDS`.
    head: u16,
    /// Sequence number the next prediction gets (wraps after 2³² predictions).
    next_seq: u32,
    /// Predictions recorded, saturating at the capacity.
    held: u16,
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
        PendingLabels {
            words: [0; WORDS],
            head: 0,
            next_seq: 0,
            held: 0,
        }
    }

    /// Records a prediction's decision and returns its sequence number.
    #[inline]
    pub fn record(&mut self, alert: bool) -> u32 {
        let seq = self.next_seq;
        if WORDS > 0 {
            let head = usize::from(self.head);
            if let Some(word) = self.words.get_mut(head / 16) {
                let shift = 2 * (head % 16);
                *word = (*word & !(0b11 << shift)) | (u32::from(alert) << shift);
            }
            self.head = if head + 1 == Self::CAPACITY {
                0
            } else {
                self.head + 1
            };
            if usize::from(self.held) < Self::CAPACITY {
                self.held += 1;
            }
        }
        self.next_seq = seq.wrapping_add(1);
        seq
    }

    /// Sequence number the next prediction will get.
    pub fn next_seq(&self) -> u32 {
        self.next_seq
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
        if age > u32::from(self.held) {
            return Err(Error::LabelTooOld {
                seq,
                oldest: self.next_seq.wrapping_sub(u32::from(self.held)),
            });
        }
        let age = age as usize;
        let head = usize::from(self.head);
        let slot = if age <= head {
            head - age
        } else {
            head + Self::CAPACITY - age
        };
        let word = self
            .words
            .get_mut(slot / 16)
            .ok_or(Error::LabelUnknown { seq })?;
        let shift = 2 * (slot % 16);
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
