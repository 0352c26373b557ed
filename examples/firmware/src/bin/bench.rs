//! MCU cost benchmark firmware, run by `bench/mcu.sh` under QEMU with the `insn_count` plugin
//! (`bench/qemu-plugin`). Every measured region sits between calls to the two marker functions
//! [`rw_bench_start`] and [`rw_bench_stop`]; the plugin prints each region's instruction count,
//! and this firmware prints, for the same region index, what the region ran:
//!
//! ```text
//! region 0 empty                 markers only: the fixed overhead the script subtracts
//! region 1 loop 1000             a 2-instruction asm loop, 1000 times (checks the plugin)
//! region 2 loop 2000             ... 2000 times: must cost exactly 2000 instructions more
//! region 3 load                  Model::from_bytes (header, CRC-32, postcard, validation)
//! region 4.. predict K           Model::predict on golden row K (f32 features in, score out)
//! region .. predict_quantized K  Model::predict_quantized on golden row K, pre-quantized
//! ```
//!
//! It also paints the free stack and reports the peak stack of one `predict`, one
//! `predict_quantized` and one `from_bytes` call, and checks every score against the golden
//! vectors (exit 1 on a mismatch, so a broken build cannot produce figures).

#![no_std]
#![no_main]

use core::arch::asm;
use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use rarewatch::monitor::{Monitor, MonitorConfig};
use rarewatch::{GoldenVectors, Model, Prediction, Scratch};
use rarewatch_firmware::{exit, GOLDEN, MODEL, REPLAY};

/// Golden rows measured one by one (instruction counts vary a little with the data).
const ROWS: usize = 8;
/// Features of the reference model.
const FEATURES: usize = 30;
/// Scratch bytes the reference model needs (`Model::scratch_bytes`).
const SCRATCH_BYTES: usize = 64;
/// Predictions observed in one measured region by the monitor benchmark.
const OBSERVE_BATCH: usize = 1024;
/// Word written over the free stack before a call; words still holding it were not touched.
const PAINT: u32 = 0xC5AC_CE55;

/// Opens a measured region (its entry address is passed to the plugin as `start=`).
#[inline(never)]
#[no_mangle]
pub extern "C" fn rw_bench_start() {
    // SAFETY: a no-op; the asm (no `nomem`) keeps the call from being moved or merged.
    unsafe { asm!("nop") }
}

/// Closes a measured region (`stop=`). A different body from [`rw_bench_start`], so that LTO
/// cannot merge the two into one address.
#[inline(never)]
#[no_mangle]
pub extern "C" fn rw_bench_stop() {
    // SAFETY: as above.
    unsafe { asm!("nop", "nop") }
}

/// A measured region around a loop of exactly `2·n` instructions (`subs` + `bne`, `n ≥ 1`),
/// to check the plugin. Not inlined, so every call runs the same code around the loop and two
/// calls differ by exactly the extra iterations.
#[inline(never)]
fn measure_known_loop(n: u32) {
    rw_bench_start();
    // SAFETY: register-only arithmetic and a backward branch; ends when `n` reaches 0.
    unsafe {
        asm!("2:", "subs {n}, #1", "bne 2b", n = inout(reg) n => _, options(nomem, nostack));
    }
    rw_bench_stop();
}

#[inline(never)]
fn run_predict(model: &Model<'_>, features: &[f32], scratch: &mut [i8]) -> Option<Prediction> {
    model.predict(features, scratch).ok()
}

#[inline(never)]
fn run_predict_quantized(
    model: &Model<'_>,
    features: &[i8],
    scratch: &mut [i8],
) -> Option<Prediction> {
    model.predict_quantized(features, scratch).ok()
}

#[inline(never)]
fn run_observe(monitor: &mut Monitor<'_>, prediction: &Prediction) -> u32 {
    monitor.observe(prediction)
}

#[inline(never)]
fn run_observe_batch(monitor: &mut Monitor<'_>, predictions: &[Prediction]) -> u32 {
    let mut last = 0;
    for prediction in predictions {
        last = monitor.observe(prediction);
    }
    last
}

#[inline(never)]
fn run_label(monitor: &mut Monitor<'_>, seq: u32, positive: bool) -> bool {
    monitor.label(seq, positive).is_ok()
}

#[inline(never)]
fn run_load(bytes: &'static [u8]) -> Option<Model<'static>> {
    Model::from_bytes(bytes).ok()
}

extern "C" {
    /// End of .bss/.uninit (cortex-m-rt): the lowest address the stack may grow to.
    static mut __sheap: u32;
}

/// Runs `f` over a painted stack and returns the bytes of stack it used below the caller's
/// stack pointer (return address and frames of every callee included).
#[inline(never)]
fn peak_stack(f: &mut dyn FnMut()) -> u32 {
    let low = core::ptr::addr_of_mut!(__sheap) as usize;
    let sp = cortex_m::register::msp::read() as usize;
    let mut word = (low + 3) & !3;
    while word + 4 <= sp - 64 {
        // SAFETY: `low..sp−64` lies between the end of static RAM and this frame: memory that
        // nothing uses until the call below, word-aligned.
        unsafe { core::ptr::write_volatile(word as *mut u32, PAINT) };
        word += 4;
    }
    f();
    let mut lowest = (low + 3) & !3;
    // SAFETY: the same painted range, read back.
    while lowest + 4 <= sp - 64
        && unsafe { core::ptr::read_volatile(lowest as *const u32) } == PAINT
    {
        lowest += 4;
    }
    (sp - lowest) as u32
}

#[entry]
fn main() -> ! {
    let golden = match GoldenVectors::from_bytes(GOLDEN) {
        Ok(g) if g.features() == FEATURES && g.len() >= ROWS => g,
        _ => {
            hprintln!("bench: golden vectors unusable");
            exit(false)
        }
    };
    let mut rows = [[0f32; FEATURES]; ROWS];
    let mut expected = [Prediction {
        score: 0,
        alert: false,
    }; ROWS];
    for ((row, want), vector) in rows.iter_mut().zip(expected.iter_mut()).zip(golden.iter()) {
        vector.copy_features(row);
        *want = vector.expected;
    }

    let mut region = 0;
    let mut label = |what: &str, index: u32| {
        hprintln!("region {} {} {}", region, what, index);
        region += 1;
    };

    rw_bench_start();
    rw_bench_stop();
    label("empty", 0);
    for n in [1000, 2000] {
        measure_known_loop(black_box(n));
        label("loop", n);
    }

    rw_bench_start();
    let loaded = run_load(black_box(&MODEL.0));
    rw_bench_stop();
    label("load", 0);
    let Some(model) = loaded else {
        hprintln!("bench: model load failed");
        exit(false)
    };
    if model.features() != FEATURES || model.scratch_bytes() > SCRATCH_BYTES {
        hprintln!("bench: model shape differs from the reference model");
        exit(false)
    }

    let mut scratch = Scratch::<SCRATCH_BYTES>::new();
    let mut ok = true;
    for (index, (row, want)) in rows.iter().zip(expected.iter()).enumerate() {
        rw_bench_start();
        let got = run_predict(&model, black_box(row), &mut scratch);
        rw_bench_stop();
        label("predict", index as u32);
        ok &= got == Some(*want);
    }
    let mut quantized = [[0i8; FEATURES]; ROWS];
    for (row, q) in rows.iter().zip(quantized.iter_mut()) {
        ok &= model.quantize_features(row, q).is_ok();
    }
    for (index, (row, want)) in quantized.iter().zip(expected.iter()).enumerate() {
        rw_bench_start();
        let got = run_predict_quantized(&model, black_box(row), &mut scratch);
        rw_bench_stop();
        label("predict_quantized", index as u32);
        ok &= got == Some(*want);
    }

    // Monitor: the per-prediction update one call at a time (typical calls), the call that
    // ends a chunk of 2,048 rows (PSI and estimates), and 1,024 calls in one region (the mean
    // of typical calls, loop included). Predictions come from the monitor replay file.
    let replay = match rarewatch::monitor::replay::Replay::from_bytes(REPLAY) {
        Ok(r) => r,
        Err(_) => {
            hprintln!("bench: monitor replay unusable");
            exit(false)
        }
    };
    let mut predictions = [Prediction {
        score: 0,
        alert: false,
    }; OBSERVE_BATCH];
    let observed = replay
        .events()
        .filter_map(|e| match e {
            rarewatch::monitor::replay::Event::Observe(p) => Some(p),
            _ => None,
        })
        .zip(predictions.iter_mut())
        .map(|(p, slot)| *slot = p)
        .count();
    ok &= observed == OBSERVE_BATCH;
    let mut monitor: Monitor = Monitor::new(&model, &MonitorConfig::default());
    for (index, prediction) in predictions.iter().take(ROWS).enumerate() {
        rw_bench_start();
        black_box(run_observe(&mut monitor, black_box(prediction)));
        rw_bench_stop();
        label("observe", index as u32);
    }
    let chunk = usize::from(MonitorConfig::default().chunk_rows);
    for prediction in predictions.iter().cycle().skip(ROWS).take(chunk - ROWS - 1) {
        black_box(run_observe(&mut monitor, black_box(prediction)));
    }
    rw_bench_start();
    black_box(run_observe(&mut monitor, black_box(&predictions[0])));
    rw_bench_stop();
    label("observe_chunk_end", 0);
    ok &= monitor.health().score.chunks == 1;
    rw_bench_start();
    let last = run_observe_batch(&mut monitor, black_box(&predictions));
    rw_bench_stop();
    label("observe_batch", OBSERVE_BATCH as u32);
    for (index, seq) in (last - 8..last).enumerate() {
        rw_bench_start();
        ok &= run_label(&mut monitor, black_box(seq), index % 2 == 0);
        rw_bench_stop();
        label("label", index as u32);
    }
    hprintln!("bench: monitor_bytes {}", core::mem::size_of::<Monitor>());

    let stack_predict = peak_stack(&mut || {
        black_box(run_predict(&model, black_box(&rows[0]), &mut scratch));
    });
    let stack_quantized = peak_stack(&mut || {
        black_box(run_predict_quantized(
            &model,
            black_box(&quantized[0]),
            &mut scratch,
        ));
    });
    let stack_load = peak_stack(&mut || {
        black_box(run_load(black_box(&MODEL.0)));
    });

    hprintln!("bench: macs {}", model.macs());
    hprintln!("bench: scratch_bytes {}", model.scratch_bytes());
    hprintln!(
        "bench: model_struct_bytes {}",
        core::mem::size_of::<Model<'_>>()
    );
    hprintln!("bench: model_file_bytes {}", MODEL.0.len());
    hprintln!("bench: stack_predict {}", stack_predict);
    hprintln!("bench: stack_predict_quantized {}", stack_quantized);
    hprintln!("bench: stack_load {}", stack_load);
    hprintln!(
        "bench: {}",
        if ok {
            "scores match the golden vectors"
        } else {
            "SCORE MISMATCH"
        }
    );
    exit(ok)
}
