//! Golden vectors on the host: rows scored through the `rarewatch` crate, written in the
//! format `rarewatch::golden` reads on the device.

use rarewatch::golden::{record_len, GoldenVectors};
use rarewatch::Model;

/// Scores each row (f32 features) with `model` and encodes the rows with their predictions.
pub fn golden_vectors(model: &Model<'_>, rows: &[Vec<f32>]) -> Result<Vec<u8>, rarewatch::Error> {
    let features = model.features();
    let mut out = GoldenVectors::header(features as u16, rows.len() as u32).to_vec();
    let mut scratch = vec![0i8; model.scratch_bytes()];
    let mut record = vec![0u8; record_len(features)];
    for row in rows {
        let prediction = model.predict(row, &mut scratch)?;
        GoldenVectors::write_record(row, prediction, &mut record)?;
        out.extend_from_slice(&record);
    }
    Ok(out)
}
