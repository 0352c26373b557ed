//! Chooses the dot-product kernel for the target: the Cortex-M DSP (SMLAD) kernels on
//! ARMv7E-M (Cortex-M4/M7) and, on request, on ARMv8-M Mainline with the DSP extension.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rarewatch_dsp)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    let v8m_dsp = std::env::var_os("CARGO_FEATURE_ARMV8M_DSP").is_some();
    if target.starts_with("thumbv7em") || (v8m_dsp && target.starts_with("thumbv8m.main")) {
        println!("cargo::rustc-cfg=rarewatch_dsp");
    }
}
