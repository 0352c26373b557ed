//! Flash twin without the runtime: the same boilerplate, model bytes and feature row as
//! [`flash_runtime`](../flash_runtime.rs), but no `Model::from_bytes` and no `predict`.

#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use rarewatch::Scratch;
use rarewatch_firmware::{exit, f32_at, GOLDEN, MODEL};

const FEATURES: usize = 30;

#[entry]
fn main() -> ! {
    let mut row = [0f32; FEATURES];
    for (index, x) in row.iter_mut().enumerate() {
        *x = f32_at(GOLDEN, 4 + index);
    }
    let bytes: &[u8] = black_box(&MODEL.0);
    let row = black_box(&row);
    let scratch = black_box(Scratch::<64>::new());
    let value = bytes.len() as i32 ^ row[0].to_bits() as i32 ^ i32::from(scratch.0[0]);
    hprintln!("{}", value);
    exit(true)
}
