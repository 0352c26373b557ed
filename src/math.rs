//! The few float functions the crate needs, from `micromath` (small, approximate) when that
//! feature is on, else from `libm` (exact to an ulp; the default).

#[cfg(not(any(feature = "libm", feature = "micromath")))]
compile_error!("rarewatch needs one of the features `libm` (default) or `micromath`");

#[cfg(feature = "micromath")]
mod imp {
    use micromath::F32Ext;
    pub fn exp(x: f32) -> f32 {
        x.exp()
    }
    pub fn ln(x: f32) -> f32 {
        x.ln()
    }
    pub fn sqrt(x: f32) -> f32 {
        x.sqrt()
    }
}

#[cfg(all(feature = "libm", not(feature = "micromath")))]
mod imp {
    pub fn exp(x: f32) -> f32 {
        libm::expf(x)
    }
    pub fn ln(x: f32) -> f32 {
        libm::logf(x)
    }
    pub fn sqrt(x: f32) -> f32 {
        libm::sqrtf(x)
    }
}

/// `e^x`.
pub fn exp(x: f32) -> f32 {
    imp::exp(x)
}

/// Natural logarithm.
pub fn ln(x: f32) -> f32 {
    imp::ln(x)
}

/// Square root.
pub fn sqrt(x: f32) -> f32 {
    imp::sqrt(x)
}
