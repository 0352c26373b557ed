/*
 * Peer harness: emlearn's float MLP (eml_net.h) for the 30-32-16-1 shape, measured exactly as
 * rarewatch is by bench/mcu.sh: QEMU mps2-an386 (Cortex-M4F), the insn_count plugin counting
 * instructions between rw_bench_start and rw_bench_stop, an empty region subtracted, stack
 * painting for the peak stack of one call. Bare metal, no vendor code: vectors, reset and
 * semihosting are below. Built with -DWITH_MODEL (the measured firmware) and without it (the
 * flash twin: identical except that it never calls the model).
 */
#include <stdint.h>

#ifdef WITH_MODEL
#include "peer_model.h"
#endif

#define FEATURES 30
#define ROWS 8

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void put(const char *s) { semihost(0x04, s); /* SYS_WRITE0 */ }

static void put_u32(uint32_t v)
{
    char buf[12];
    char *p = buf + sizeof buf - 1;
    *p = 0;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(p);
}

static void __attribute__((noreturn)) finish(int ok)
{
    /* SYS_EXIT: ADP_Stopped_ApplicationExit (exit 0) or RunTimeErrorUnknown (exit 1). */
    semihost(0x18, (const void *)(uintptr_t)(ok ? 0x20026 : 0x20023));
    for (;;) {
    }
}

void reset_handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) {
        *dst++ = *src++;
    }
    for (dst = &_sbss; dst < &_ebss; dst++) {
        *dst = 0;
    }
    /* Enable CP10/CP11 (the FPU) before any float instruction. */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    finish(main() == 0);
}

static void fault_handler(void) { finish(0); }

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &_estack, reset_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    fault_handler,
};

/* Markers: distinct bodies so the linker cannot fold them. */
__attribute__((noinline, used)) void rw_bench_start(void) { __asm__ volatile("nop" ::: "memory"); }
__attribute__((noinline, used)) void rw_bench_stop(void) { __asm__ volatile("nop\n nop" ::: "memory"); }

static float rows[ROWS][FEATURES];
volatile int32_t sink;

#ifdef WITH_MODEL
/* One inference through emlearn's API: f32 features in, class out (logistic + threshold). */
__attribute__((noinline)) static int32_t run_predict(const float *features)
{
    return peer_predict(features, FEATURES);
}
#endif

static uint32_t region;
static void label(const char *what, uint32_t index)
{
    put("region ");
    put_u32(region++);
    put(" ");
    put(what);
    put(" ");
    put_u32(index);
    put("\n");
}

#define PAINT 0xC5ACCE55u

int main(void)
{
    uint32_t seed = 0x2545F491u;
    for (int r = 0; r < ROWS; r++) {
        for (int i = 0; i < FEATURES; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            rows[r][i] = (float)(int32_t)(seed >> 8) * (1.0f / 4194304.0f); /* about ±2 */
        }
    }
    rw_bench_start();
    rw_bench_stop();
    label("empty", 0);
#ifdef WITH_MODEL
    for (int r = 0; r < ROWS; r++) {
        rw_bench_start();
        sink = run_predict(rows[r]);
        rw_bench_stop();
        label("predict", (uint32_t)r);
    }
    /* Peak stack of one call: paint the free stack below this frame, call, find the lowest
     * overwritten word. */
    uint32_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    uint32_t *low = &_ebss, *top = (uint32_t *)(sp - 64);
    for (volatile uint32_t *p = low; p < top; p++) {
        *p = PAINT;
    }
    sink = run_predict(rows[0]);
    uint32_t *lowest = low;
    while (lowest < top && *(volatile uint32_t *)lowest == PAINT) {
        lowest++;
    }
    put("bench: stack_predict ");
    put_u32(sp - (uint32_t)(uintptr_t)lowest);
    put("\n");
    put("bench: weights_bytes ");
    put_u32((uint32_t)(sizeof peer_layer_0_weights + sizeof peer_layer_0_biases +
                       sizeof peer_layer_1_weights + sizeof peer_layer_1_biases +
                       sizeof peer_layer_2_weights + sizeof peer_layer_2_biases));
    put("\n");
#else
    sink = (int32_t)rows[0][0];
#endif
    return 0;
}
