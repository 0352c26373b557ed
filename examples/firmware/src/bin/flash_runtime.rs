//! Flash twin with the runtime: loads the model and scores one row with `Model::predict`.
//! `bench/mcu.sh` subtracts the size of [`flash_empty`](../flash_empty.rs), which is the same
//! firmware without those two calls, to get the runtime's own flash and static RAM.

#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use rarewatch::{Model, Scratch};
use rarewatch_firmware::{exit, f32_at, GOLDEN, MODEL};

const FEATURES: usize = 30;

#[entry]
fn main() -> ! {
    let mut row = [0f32; FEATURES];
    for (index, x) in row.iter_mut().enumerate() {
        *x = f32_at(GOLDEN, 4 + index); // golden row 0, after the 16-byte header
    }
    let bytes: &[u8] = black_box(&MODEL.0);
    let row = black_box(&row);
    let mut scratch = Scratch::<64>::new();
    let value = match Model::from_bytes(bytes) {
        Ok(model) => match model.predict(row, &mut scratch) {
            Ok(prediction) => prediction.score,
            Err(_) => -1,
        },
        Err(_) => -2,
    };
    hprintln!("{}", value);
    exit(true)
}
