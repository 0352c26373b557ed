/*
 * insn_count: a QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts the guest
 * instructions executed between two marker functions.
 *
 *   qemu-system-arm ... -plugin ./libinsn_count.so,start=0xADDR,stop=0xADDR[,out=FILE][,profile=FILE]
 *
 * `start` and `stop` are the entry addresses of two `#[inline(never)]` functions in the
 * firmware (from llvm-nm; the Thumb bit, bit 0, is ignored). Each time the start marker's
 * first instruction executes a region opens; when the stop marker's first instruction
 * executes the region closes and one line is written:
 *
 *   region N: INSNS
 *
 * INSNS counts every instruction executed from the start marker's entry (included) up to the
 * stop marker's entry (excluded): the start marker's own body, the code under test, and the
 * call to the stop marker. A region with nothing in between measures that fixed overhead, so
 * the firmware subtracts it. QEMU counts instructions, not cycles.
 *
 * With `profile=FILE`, it also writes at exit how often each instruction address executed
 * inside regions (all regions together), one `0xADDR COUNT` line per address, for finding
 * where the instructions go (map the addresses with llvm-objdump or llvm-nm).
 *
 * Debian ships no qemu-plugin.h, so the few declarations used are written out below from the
 * QEMU 7.2 header (include/qemu/qemu-plugin.h, QEMU_PLUGIN_VERSION 1).
 *
 * Build: gcc -O2 -shared -fPIC -o libinsn_count.so insn_count.c
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU 7.2 plugin API (version 1), the parts this plugin uses ---- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;

typedef struct qemu_info_t {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;

enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS,
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_op {
    QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
                                    void *userdata);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;
/* ---- end of the API declarations ---- */

/* Instructions executed since the start, all of them: every instruction but the two marker
 * entries adds 1 inline; the marker entries add their 1 in their own callbacks, so no callback
 * ordering question arises. One vCPU (Cortex-M), so no atomics are needed. */
static uint64_t executed;
static uint64_t region_start;
static bool in_region;
static unsigned regions;
static uint64_t start_addr = UINT64_MAX, stop_addr = UINT64_MAX;
static FILE *out;
/* Profile: executions inside regions per halfword address below PROFILE_LIMIT. */
#define PROFILE_LIMIT (1u << 22)
static uint64_t *profile;
static FILE *profile_out;

static void emit(const char *line)
{
    if (out) {
        fputs(line, out);
        fflush(out);
    } else {
        qemu_plugin_outs(line);
    }
}

static void on_start(unsigned int vcpu, void *userdata)
{
    (void)vcpu;
    (void)userdata;
    if (in_region) {
        emit("insn_count: start marker inside an open region; restarting it\n");
    }
    in_region = true;
    region_start = executed;
    executed += 1;
}

static void on_stop(unsigned int vcpu, void *userdata)
{
    (void)vcpu;
    (void)userdata;
    char line[64];
    if (in_region) {
        snprintf(line, sizeof line, "region %u: %" PRIu64 "\n", regions, executed - region_start);
        emit(line);
        regions += 1;
    } else {
        emit("insn_count: stop marker without a start; ignored\n");
    }
    in_region = false;
    executed += 1;
}

static void on_profiled_insn(unsigned int vcpu, void *userdata)
{
    (void)vcpu;
    if (in_region) {
        profile[(uintptr_t)userdata] += 1;
    }
}

static void on_tb_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
        if (profile && vaddr < PROFILE_LIMIT && vaddr != start_addr && vaddr != stop_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_profiled_insn, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)(vaddr >> 1));
        }
        if (vaddr == start_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
        } else if (vaddr == stop_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
        } else {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed,
                                                       1);
        }
    }
}

static void on_plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    char line[96];
    snprintf(line, sizeof line, "insn_count: %u regions, %" PRIu64 " instructions in total%s\n",
             regions, executed, in_region ? " (a region was left open)" : "");
    emit(line);
    if (profile_out) {
        for (uint64_t i = 0; i < PROFILE_LIMIT / 2; i++) {
            if (profile[i]) {
                fprintf(profile_out, "0x%08" PRIx64 " %" PRIu64 "\n", i << 1, profile[i]);
            }
        }
        fclose(profile_out);
        profile_out = NULL;
    }
    if (out) {
        fclose(out);
        out = NULL;
    }
}

static bool parse_addr(const char *text, uint64_t *addr)
{
    char *end;
    unsigned long long value = strtoull(text, &end, 0);
    if (end == text || *end != '\0') {
        return false;
    }
    *addr = value & ~1ULL; /* Thumb function symbols carry bit 0 */
    return true;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
                                                               const qemu_info_t *info, int argc,
                                                               char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        bool ok = true;
        if (strncmp(arg, "start=", 6) == 0) {
            ok = parse_addr(arg + 6, &start_addr);
        } else if (strncmp(arg, "stop=", 5) == 0) {
            ok = parse_addr(arg + 5, &stop_addr);
        } else if (strncmp(arg, "profile=", 8) == 0) {
            profile_out = fopen(arg + 8, "w");
            profile = calloc(PROFILE_LIMIT / 2, sizeof *profile);
            ok = profile_out != NULL && profile != NULL;
        } else if (strncmp(arg, "out=", 4) == 0) {
            out = fopen(arg + 4, "w");
            ok = out != NULL;
        } else {
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "insn_count: bad argument '%s' (want start=ADDR, stop=ADDR, out=FILE, profile=FILE)\n",
                    arg);
            return -1;
        }
    }
    if (start_addr == UINT64_MAX || stop_addr == UINT64_MAX || start_addr == stop_addr) {
        fprintf(stderr, "insn_count: need two different marker addresses: start=ADDR stop=ADDR\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_translate);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
