//! Replay files: a recorded sequence of predictions and labels, with the health snapshot the
//! host computed for it, so firmware can prove its monitor reaches the same counts, states and
//! estimates (`examples/firmware` checks one under QEMU).
//!
//! ```text
//! offset  size  field
//!      0     4  magic b"RWMR"
//!      4     4  events, u32 LE
//!      8     4  bytes of the expected health, u32 LE (at most HEALTH_MAX_BYTES)
//!     12     8  events × 8 bytes: tag u8 (0 observe, 1 label), flag u8 (alert / positive),
//!               2 zero bytes, value i32 LE (score) or u32 LE (sequence number)
//!      …        the expected `Health`, postcard
//! ```

use crate::error::{Error, Result};
use crate::infer::Prediction;
use crate::monitor::{Health, Monitor, HEALTH_MAX_BYTES};

/// First four bytes of a replay file.
pub const REPLAY_MAGIC: [u8; 4] = *b"RWMR";
/// Bytes of the replay header.
pub const REPLAY_HEADER_LEN: usize = 12;
/// Bytes of one event.
pub const EVENT_LEN: usize = 8;

/// One recorded event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A prediction to observe.
    Observe(Prediction),
    /// A label for an earlier prediction.
    Label {
        /// The prediction's sequence number.
        seq: u32,
        /// Its true class.
        positive: bool,
    },
}

impl Event {
    /// The event's 8 bytes.
    pub fn to_bytes(&self) -> [u8; EVENT_LEN] {
        let (tag, flag, value) = match *self {
            Event::Observe(p) => (0, p.alert, p.score.to_le_bytes()),
            Event::Label { seq, positive } => (1, positive, seq.to_le_bytes()),
        };
        let [v0, v1, v2, v3] = value;
        [tag, u8::from(flag), 0, 0, v0, v1, v2, v3]
    }

    fn from_bytes(b: &[u8; EVENT_LEN]) -> Option<Event> {
        let value = [b[4], b[5], b[6], b[7]];
        let flag = match b[1] {
            0 => false,
            1 => true,
            _ => return None,
        };
        match b[0] {
            0 => Some(Event::Observe(Prediction {
                score: i32::from_le_bytes(value),
                alert: flag,
            })),
            1 => Some(Event::Label {
                seq: u32::from_le_bytes(value),
                positive: flag,
            }),
            _ => None,
        }
    }
}

/// A checked view of a replay file.
#[derive(Debug, Clone, Copy)]
pub struct Replay<'a> {
    events: &'a [u8],
    expected: &'a [u8],
}

impl<'a> Replay<'a> {
    /// Checks the header and lengths.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self> {
        let (head, rest) =
            bytes
                .split_first_chunk::<REPLAY_HEADER_LEN>()
                .ok_or(Error::Truncated {
                    needed: REPLAY_HEADER_LEN,
                    available: bytes.len(),
                })?;
        if head[..4] != REPLAY_MAGIC {
            return Err(Error::BadMagic);
        }
        let events = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let expected = u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize;
        let needed = events.saturating_mul(EVENT_LEN).saturating_add(expected);
        if rest.len() != needed || expected > HEALTH_MAX_BYTES {
            return Err(Error::Truncated {
                needed: REPLAY_HEADER_LEN.saturating_add(needed),
                available: bytes.len(),
            });
        }
        let (events, expected) = rest.split_at(events * EVENT_LEN);
        Ok(Replay { events, expected })
    }

    /// The events in order; an event with an unknown tag or flag ends the iteration.
    pub fn events(&self) -> impl Iterator<Item = Event> + 'a {
        self.events
            .as_chunks::<EVENT_LEN>()
            .0
            .iter()
            .map_while(Event::from_bytes)
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len() / EVENT_LEN
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The expected final health, postcard-encoded.
    pub fn expected_bytes(&self) -> &'a [u8] {
        self.expected
    }

    /// Writes a header for `events` events and `expected` health bytes.
    pub fn header(events: u32, expected: u32) -> [u8; REPLAY_HEADER_LEN] {
        let [m0, m1, m2, m3] = REPLAY_MAGIC;
        let [e0, e1, e2, e3] = events.to_le_bytes();
        let [h0, h1, h2, h3] = expected.to_le_bytes();
        [m0, m1, m2, m3, e0, e1, e2, e3, h0, h1, h2, h3]
    }
}

/// Applies every event to `monitor` and returns its health. Labels the monitor rejects (too
/// old, unknown, duplicate) are counted in the second value.
pub fn replay<const P: usize, const W: usize>(
    monitor: &mut Monitor<'_, P, W>,
    events: impl Iterator<Item = Event>,
) -> (Health, u32) {
    let mut rejected = 0u32;
    for event in events {
        match event {
            Event::Observe(prediction) => {
                monitor.observe(&prediction);
            }
            Event::Label { seq, positive } => {
                if monitor.label(seq, positive).is_err() {
                    rejected = rejected.saturating_add(1);
                }
            }
        }
    }
    (monitor.health(), rejected)
}
