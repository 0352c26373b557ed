//! What every firmware binary of this project shares: the embedded model and golden vectors,
//! a pseudo-random generator for the kernel cross-check, the semihosting exit and a panic
//! handler that fails the run instead of hanging QEMU.

#![no_std]

use cortex_m_semihosting::debug;

/// A byte table aligned to a 4-byte word, as the model file contract asks of `include_bytes!`.
#[repr(C, align(4))]
pub struct Aligned<T: ?Sized>(pub T);

/// The seeded reference model 30-32-16-1 (regenerate with
/// `cargo run -p rarewatch-trainer --example reference_model -- examples/firmware/models`).
pub static MODEL: &Aligned<[u8]> = &Aligned(*include_bytes!("../models/model.rwm"));

/// Golden vectors for [`MODEL`]: rows with the score and alert the host computed.
pub static GOLDEN: &[u8] = include_bytes!("../models/golden.bin");

/// A monitor replay for [`MODEL`]: predictions and labels with the health the host's monitor
/// reached on them (postcard).
pub static REPLAY: &[u8] = include_bytes!("../models/monitor.bin");

/// Ends the QEMU run through semihosting: exit code 0 on success, 1 on failure.
pub fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached when no debugger or emulator handles semihosting.
    loop {
        cortex_m::asm::bkpt();
    }
}

/// Marsaglia's xorshift32: deterministic, seedable, a few instructions per number.
pub struct Xorshift(u32);

impl Xorshift {
    /// A generator from a non-zero seed (0 is replaced, since it is a fixed point).
    pub const fn new(seed: u32) -> Self {
        Xorshift(if seed == 0 { 0x9E37_79B9 } else { seed })
    }

    /// The next 32 pseudo-random bits.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// A value in `0..n` (`n > 0`; slightly biased, which a cross-check does not mind).
    pub fn below(&mut self, n: u32) -> u32 {
        self.next_u32() % n
    }
}

/// Reads the `index`-th little-endian f32 of a byte table (0.0 past its end).
pub fn f32_at(bytes: &[u8], index: usize) -> f32 {
    match bytes.get(4 * index..4 * index + 4) {
        Some(&[a, b, c, d]) => f32::from_le_bytes([a, b, c, d]),
        _ => 0.0,
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    exit(false)
}
