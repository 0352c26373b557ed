//! Writing model files: the symmetric twin of [`Model::from_bytes`](crate::Model::from_bytes).
//!
//! The host trainer builds a [`ModelRepr`] (borrowing its own tables) and encodes it here; the
//! device never needs this code, and the linker drops it from firmware that does not call it.

use crate::error::{Error, Result};
use crate::format::{Header, HEADER_LEN};
use crate::schema::ModelRepr;
use crate::validate;

impl ModelRepr<'_> {
    /// Bytes of the model file this description encodes to (header included).
    pub fn encoded_len(&self) -> Result<usize> {
        let payload = postcard::serialize_with_flavor(self, postcard::ser_flavors::Size::default())
            .map_err(|_| Error::Malformed)?;
        Ok(HEADER_LEN + payload)
    }

    /// Validates the description, then writes the model file into `out` and returns its
    /// length. A description that [`Model::from_bytes`](crate::Model::from_bytes) would reject
    /// is never written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize> {
        validate::check(self)?;
        let needed = self.encoded_len()?;
        let capacity = out.len();
        let (head, body) = out
            .split_at_mut_checked(HEADER_LEN)
            .ok_or(Error::CapacityExceeded { needed, capacity })?;
        let payload = postcard::to_slice(self, body)
            .map_err(|_| Error::CapacityExceeded { needed, capacity })?;
        let header = Header::for_payload(payload)?;
        let payload_len = payload.len();
        head.copy_from_slice(&header.to_bytes());
        Ok(HEADER_LEN + payload_len)
    }
}
