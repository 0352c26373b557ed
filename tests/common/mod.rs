//! Test support: small models built directly as owned tables (independently of the host
//! trainer), a deterministic generator, and an exact reference of the integer arithmetic.
#![allow(dead_code)]

use rarewatch::format::CHANNEL_RECORD_LEN;
use rarewatch::schema::{BaselineRepr, DecisionRepr, InputRepr, LayerRepr, ModelRepr};

/// SplitMix64: deterministic test data without dependencies (xorshift64* showed correlated
/// consecutive draws in the monitor tests).
pub struct TestRng(pub u64);

impl TestRng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// One layer as a plain row-major matrix plus per-channel parameters.
#[derive(Clone, Debug)]
pub struct PlainLayer {
    pub inputs: usize,
    pub outputs: usize,
    /// Row-major `outputs × inputs`.
    pub weights: Vec<i8>,
    pub bias: Vec<i32>,
    pub multiplier: Vec<i32>,
    pub shift: Vec<i8>,
    pub zero_point: i8,
    pub relu: bool,
}

/// A whole model as plain tables.
#[derive(Clone, Debug)]
pub struct PlainModel {
    pub affine: Vec<(f32, f32)>,
    pub layers: Vec<PlainLayer>,
    pub threshold: i32,
    pub names: String,
}

/// One layer's `(inputs, outputs, weights, channels, zero point, relu)`.
pub type LayerBytes = (u16, u16, Vec<u8>, Vec<u8>, i8, bool);

/// Owned byte tables a `ModelRepr` borrows.
pub struct OwnedTables {
    pub features: u16,
    pub affine: Vec<u8>,
    pub names: String,
    pub layers: Vec<LayerBytes>,
    pub decision: DecisionRepr,
    pub edges: Vec<u8>,
    pub counts: Vec<u8>,
    pub ranges: Vec<u8>,
    pub rows: u32,
}

pub fn padded(width: usize) -> usize {
    width.div_ceil(4) * 4
}

/// The documented blocked layout, written from its index formula.
pub fn blocked(layer: &PlainLayer) -> Vec<u8> {
    let stride = padded(layer.inputs);
    let mut out = vec![0u8; layer.outputs * stride];
    for c in 0..layer.outputs {
        let block = c / 4;
        let k = (layer.outputs - block * 4).min(4);
        for i in 0..layer.inputs {
            let at = block * 4 * stride + (i / 4) * 4 * k + (c % 4) * 4 + i % 4;
            out[at] = layer.weights[c * layer.inputs + i] as u8;
        }
    }
    out
}

impl PlainModel {
    pub fn tables(&self) -> OwnedTables {
        let layers = self
            .layers
            .iter()
            .map(|l| {
                let mut channels = Vec::with_capacity(l.outputs * CHANNEL_RECORD_LEN);
                for c in 0..l.outputs {
                    channels.extend_from_slice(&l.bias[c].to_le_bytes());
                    channels.extend_from_slice(&l.multiplier[c].to_le_bytes());
                    channels.push(l.shift[c] as u8);
                }
                (
                    l.inputs as u16,
                    l.outputs as u16,
                    blocked(l),
                    channels,
                    l.zero_point,
                    l.relu,
                )
            })
            .collect();
        let features = self.affine.len();
        OwnedTables {
            features: features as u16,
            affine: self
                .affine
                .iter()
                .flat_map(|(m, a)| [m.to_le_bytes(), a.to_le_bytes()])
                .flatten()
                .collect(),
            names: self.names.clone(),
            layers,
            decision: DecisionRepr {
                threshold: self.threshold,
                logit_scale: 0.01,
                platt_a: 1.0,
                platt_b: -0.5,
            },
            edges: [-100i32, 0, 100]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            counts: [1u32, 2, 3, 4]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            ranges: (0..features)
                .flat_map(|_| [(-1.0f32).to_le_bytes(), 1.0f32.to_le_bytes()])
                .flatten()
                .collect(),
            rows: 10,
        }
    }

    /// Exact reference of the documented arithmetic, written independently of the crate:
    /// i128 products and floor division instead of i64 shifts.
    pub fn reference_score(&self, features: &[f32]) -> i32 {
        let mut x: Vec<i64> = features
            .iter()
            .zip(&self.affine)
            .map(|(&v, &(mul, add))| {
                let u: f32 = v * mul + add;
                (u.floor() as f64).clamp(0.0, 255.0) as i64 - 128
            })
            .collect();
        let (last, hidden) = self.layers.split_last().unwrap();
        for l in hidden {
            x = (0..l.outputs)
                .map(|c| {
                    let acc = dot(l, c, &x);
                    let n = 31 - i32::from(l.shift[c]);
                    let num = i128::from(acc) * i128::from(l.multiplier[c]) + (1i128 << (n - 1));
                    let y = num.div_euclid(1i128 << n) + i128::from(l.zero_point);
                    let min = if l.relu {
                        i128::from(l.zero_point)
                    } else {
                        -128
                    };
                    y.clamp(min, 127) as i64
                })
                .collect();
        }
        dot(last, 0, &x) as i32
    }
}

fn dot(l: &PlainLayer, c: usize, x: &[i64]) -> i64 {
    i64::from(l.bias[c])
        + (0..l.inputs)
            .map(|i| i64::from(l.weights[c * l.inputs + i]) * x[i])
            .sum::<i64>()
}

impl OwnedTables {
    pub fn repr(&self) -> ModelRepr<'_> {
        let mut layers = heapless::Vec::new();
        for (inputs, outputs, weights, channels, zp, relu) in &self.layers {
            layers
                .push(LayerRepr {
                    inputs: *inputs,
                    outputs: *outputs,
                    weights,
                    channels,
                    output_zero_point: *zp,
                    relu: *relu,
                })
                .unwrap();
        }
        ModelRepr {
            input: InputRepr {
                features: self.features,
                affine: &self.affine,
                names: self.names.as_bytes(),
            },
            layers,
            decision: self.decision,
            baseline: BaselineRepr {
                rows: self.rows,
                positives: 3,
                alerts: 4,
                true_alerts: 2,
                score_edges: &self.edges,
                score_counts: &self.counts,
                feature_ranges: &self.ranges,
            },
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        self.encode_with(|_| {})
    }

    /// Encodes after editing the description (e.g. the baseline counts).
    pub fn encode_with(&self, edit: impl FnOnce(&mut ModelRepr<'_>)) -> Vec<u8> {
        let mut repr = self.repr();
        edit(&mut repr);
        let mut out = vec![0u8; repr.encoded_len().unwrap()];
        let n = repr.encode(&mut out).unwrap();
        assert_eq!(n, out.len());
        out
    }
}

/// A model whose baseline is a realistic rare-event validation set: 100,000 rows, 200
/// positives, 200 alerts, 160 true alerts (recall 0.8, precision 0.8, alert rate 0.2 %);
/// score edges −100, 0, 100 with 10 %, 20 %, 30 %, 40 % of the rows per bin; 4 features.
pub fn rare_event_model_bytes() -> Vec<u8> {
    let mut tables = random_model(&mut TestRng(3), 4, &[4]).tables();
    tables.rows = 100_000;
    tables.counts = [10_000u32, 20_000, 30_000, 40_000]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    tables.encode_with(|r| {
        r.baseline.positives = 200;
        r.baseline.alerts = 200;
        r.baseline.true_alerts = 160;
    })
}

/// A random model `features → hidden… → 1` with parameters inside the validated ranges.
pub fn random_model(rng: &mut TestRng, features: usize, hidden: &[usize]) -> PlainModel {
    let mut widths = vec![features];
    widths.extend_from_slice(hidden);
    widths.push(1);
    let count = widths.len() - 1;
    let layers = (0..count)
        .map(|index| {
            let (inputs, outputs) = (widths[index], widths[index + 1]);
            let output = index + 1 == count;
            PlainLayer {
                inputs,
                outputs,
                weights: (0..inputs * outputs)
                    .map(|_| rng.range(-127, 127) as i8)
                    .collect(),
                bias: (0..outputs)
                    .map(|_| rng.range(-50_000, 50_000) as i32)
                    .collect(),
                multiplier: (0..outputs)
                    .map(|_| {
                        if output {
                            0
                        } else {
                            rng.range(1 << 30, i32::MAX as i64) as i32
                        }
                    })
                    .collect(),
                shift: (0..outputs)
                    .map(|_| if output { 0 } else { rng.range(-14, 2) as i8 })
                    .collect(),
                zero_point: if output {
                    0
                } else {
                    rng.range(-128, 127) as i8
                },
                relu: !output && rng.next().is_multiple_of(2),
            }
        })
        .collect();
    PlainModel {
        affine: (0..features)
            .map(|_| (0.5 + rng.unit() * 40.0, 128.0 + (rng.unit() - 0.5) * 100.0))
            .collect(),
        layers,
        threshold: rng.range(-1000, 1000) as i32,
        names: (0..features)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}
