//! The few float functions the crate needs, from `micromath` (small, approximate) when that
//! feature is on, else from `libm` (exact to an ulp; the default).

#[cfg(not(any(feature = "libm", feature = "micromath")))]
compile_error!("rarewatch needs one of the features `libm` (default) or `micromath`");

/// `e^x`.
#[cfg(feature = "micromath")]
pub fn exp(x: f32) -> f32 {
    micromath::F32Ext::exp(x)
}

/// `e^x`.
#[cfg(all(feature = "libm", not(feature = "micromath")))]
pub fn exp(x: f32) -> f32 {
    libm::expf(x)
}
