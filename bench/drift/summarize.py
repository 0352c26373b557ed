#!/usr/bin/env python3
"""Summary tables of the drift bench: rarewatch's monitor (out/ours.json) next to River's
detectors (out/river.json) on the same streams. Prints Markdown.

    python summarize.py [--ours out/ours.json] [--river out/river.json] > out/summary.md

Definitions (the same on both sides):
  delay         first drift at or after the change point; rows = arrival row + 1 − change;
                positives = labelled positives that occurred after the change and had arrived
                by then. Median and p90 are nearest-rank over seeds, undetected seeds ranking
                last ("—" when the rank lands on one).
  false drifts  drifts signalled before the change; per 10 M stable rows on the stable
                scenario (50 seeds × 10 M rows at the default seed count, run one after
                another through the same detectors as one long stream; for the all-rows
                error stream, the pre-change rows of the seeds it ran on).
"""

from __future__ import annotations

import argparse
import json
import math

RECALL_SCENARIOS = ["recall_abrupt_0.5", "recall_abrupt_0.3", "recall_gradual_0.5"]
SHORT = {
    "recall_abrupt_0.5": "0.8→0.5 abrupt",
    "recall_abrupt_0.3": "0.8→0.3 abrupt",
    "recall_gradual_0.5": "0.8→0.5 gradual (500k rows)",
}
STREAM_NAMES = {
    "recall": "recall stream (1 bit / labelled positive)",
    "precision": "precision stream (1 bit / labelled alert)",
    "error_labelled": "error stream (1 bit / labelled row)",
    "error_all": "error stream (1 bit / row, all rows labelled)",
}


def pct(values, q):
    v = sorted(math.inf if x is None else x for x in values)
    if not v:
        return None
    rank = min(max(math.ceil(q * len(v)), 1), len(v))
    x = v[rank - 1]
    return None if x == math.inf else x


def fmt(x):
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:,.2f}"
    return f"{x:,}"


def rate(false, rows):
    return None if rows == 0 else false / rows * 1e7


def fmt_rate(false, rows):
    r = rate(false, rows)
    return "—" if r is None else f"{r:.2f} ({false})"


def delays(firsts, k):
    return [None if f is None else f[k] for f in firsts]


def stats(firsts):
    n = len(firsts)
    det = sum(f is not None for f in firsts)
    return {
        "detected": f"{det}/{n}",
        "rows": pct(delays(firsts, 0), 0.5),
        "pos": pct(delays(firsts, 1), 0.5),
        "pos90": pct(delays(firsts, 1), 0.9),
        "labels": pct(delays(firsts, 2), 0.5),
        "mean_pos": (sum(x[1] for x in firsts) / n) if det == n and n else None,
    }


class Data:
    def __init__(self, ours, river):
        self.ours = ours
        self.columns = ours["columns"]
        self.river_doc = river
        self.o = {(s["scenario"], s["policy"]): s for s in ours["scenarios"]}
        self.r = {}
        for x in river["results"] if river else []:
            self.r[(x["scenario"], x["policy"], x["stream"], x["detector"])] = x
        self.families = ["ADWIN δ=0.002", "DDM 2σ/3σ", "HDDM_A", "HDDM_W", "PageHinkley λ=50", "FHDDM"]

    def ours_firsts(self, scenario, policy, column, kind="columns"):
        s = self.o.get((scenario, policy))
        if s is None:
            return None
        c = self.columns.index(column)
        return [seed[kind][c]["first"] for seed in s["seeds"]]

    def ours_false(self, scenario, policy, column, kind="columns"):
        s = self.o.get((scenario, policy))
        c = self.columns.index(column)
        false = sum(seed[kind][c]["false"] for seed in s["seeds"])
        rows = s["change_at"] * len(s["seeds"])
        return false, rows

    def river(self, scenario, policy, stream, detector):
        return self.r.get((scenario, policy, stream, detector))

    def river_false(self, policy, stream, detector):
        if stream == "error_all":
            xs = [x for (sc, p, st, d), x in self.r.items() if p == policy and st == stream and d == detector]
            return sum(sum(s["false"] for s in x["seeds"]) for x in xs), sum(x["stable_rows"] for x in xs)
        x = self.river("stable", policy, stream, detector)
        if x is None:
            return 0, 0
        return sum(s["false"] for s in x["seeds"]), x["stable_rows"]

    def river_configs(self, stream="recall", policy="all"):
        names = sorted({d for (sc, p, st, d) in self.r if sc == "stable" and st == stream and p == policy})
        return names


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def recall_tables(d: Data):
    out = []
    for policy in ("all", "half_delayed"):
        rows = []
        for sc in RECALL_SCENARIOS:
            f = d.ours_firsts(sc, policy, "recall")
            if f is None:
                continue
            st = stats(f)
            mean = "" if st["mean_pos"] is None else f" (mean {st['mean_pos']:.1f})"
            rows.append([SHORT[sc], "**rarewatch recall test** (default)", "recall", st["detected"], fmt(st["rows"]),
                         f"**{fmt(st['pos'])}**{mean}", fmt(st["pos90"]), fmt_rate(*d.ours_false("stable", policy, "recall"))])
            for stream in ("recall", "error_labelled", "error_all"):
                for det in d.families:
                    x = d.river(sc, policy, stream, det)
                    if x is None:
                        continue
                    st = stats([s["first"] for s in x["seeds"]])
                    rows.append([SHORT[sc], f"River {det}", stream, st["detected"], fmt(st["rows"]), fmt(st["pos"]),
                                 fmt(st["pos90"]), fmt_rate(*d.river_false(policy, stream, det))])
        desc = d.o[("stable", policy)]["policy_description"]
        out.append(f"#### Recall drops, labels: {desc}\n\n" + table(
            ["scenario", "detector", "stream", "detected", "median delay, rows", "median delay, positives",
             "p90, positives", "false drifts / 10 M stable rows (count)"], rows))
    return "\n\n".join(out)


def stable_table(d: Data):
    rows = []
    for policy in ("all", "half_delayed"):
        s = d.o.get(("stable", policy))
        if s is None:
            continue
        total = s["change_at"] * len(s["seeds"])
        cells = [fmt_rate(*d.ours_false("stable", policy, c)) for c in d.columns]
        rows.append([f"rarewatch, labels: {policy}", f"{total / 1e6:,.0f} M"] + cells)
    a = table(["", "stable rows", *d.columns], rows)
    rows = []
    for policy in ("all", "half_delayed"):
        for det in d.families:
            cells = []
            for stream in ("recall", "precision", "error_labelled", "error_all"):
                false, n = d.river_false(policy, stream, det)
                cells.append("—" if n == 0 else f"{fmt_rate(false, n)} in {n / 1e6:,.0f} M")
            rows.append([f"River {det}, labels: {policy}"] + cells)
    b = table(["", "recall stream", "precision stream", "error stream (labelled rows)", "error stream (all rows)"], rows)
    return a + "\n\nRiver, false drifts per 10 M stable rows (count) on each stream:\n\n" + b


# The default drop-test tuning before the current one, kept in the bench's sweep.
PREVIOUS_DEFAULT = "0.275+0.7x1.3"

KINDS = {
    "recall": {"scenarios": RECALL_SCENARIOS, "streams": ("recall", "error_labelled"), "unit": 1,
               "unit_name": "labelled positives", "column": "recall", "drop": "recall_drop"},
    "precision": {"scenarios": ["alert_rate_x3", "score_shift_2iqr"], "streams": ("precision", "error_labelled"),
                  "unit": 2, "unit_name": "labelled events", "column": "precision", "drop": "precision_drop"},
}
SHORT.update({"alert_rate_x3": "alert rate ×3 (false alerts)", "score_shift_2iqr": "key feature +2 IQR"})


def median_unit(firsts, unit):
    return pct(delays(firsts, unit), 0.5)


class Cell:
    """One detector setting: measured false drifts on the stable streams and its delays."""

    def __init__(self, name, false, rows, firsts):
        self.name, self.false, self.rows, self.firsts = name, false, rows, firsts

    @property
    def rate(self):
        return rate(self.false, self.rows)

    def median(self, scenario, unit):
        f = self.firsts.get(scenario)
        return None if f is None else median_unit(f, unit)

    def mean(self, scenario, unit):
        """Mean delay over the seeds detected (None if none)."""
        d = [x for x in delays(self.firsts.get(scenario) or [], unit) if x is not None]
        return sum(d) / len(d) if d else None

    def detected(self, scenario):
        f = self.firsts.get(scenario)
        return "—" if f is None else f"{sum(x is not None for x in f)}/{len(f)}"


def tuning_label(t):
    """`0.25+0.7x1.2` → "erosion 0.25 + collapse SR 0.7 (×1.2)"; `0.375` → "one CUSUM 0.375"; a
    `/z0` suffix (reference z standard errors below the baseline instead of one) → ", z = 0"."""
    t, _, z = t.partition("/z")
    suffix = f", z = {z}" if z else ""
    if "+" not in t:
        return f"one CUSUM {t}{suffix}"
    erosion, rest = t.split("+")
    collapse, factor = rest.split("x")
    return f"erosion {erosion} + collapse SR {collapse} (×{factor}){suffix}"


def ours_cells(d: Data, kind):
    spec = KINDS[kind]
    stable = d.o[("stable", "all")]
    n = stable["change_at"] * len(stable["seeds"])
    cells = {}
    for c in stable["sweep"][kind]:
        key = (c["drop"], c["level"])
        firsts = {}
        for sc in spec["scenarios"]:
            s = d.o.get((sc, "all"))
            if s and s["sweep"]:
                firsts[sc] = next(x for x in s["sweep"][kind] if (x["drop"], x["level"]) == key)["first"]
        cells[key] = Cell(f"{tuning_label(c['drop'])}, levels {c['level'] / 2:g}/{c['level']:g}", c["false"], n, firsts)
    return cells


def river_cells(d: Data, kind):
    spec = KINDS[kind]
    cells = {}
    for stream in spec["streams"]:
        for det in d.river_configs(stream):
            false, n = d.river_false("all", stream, det)
            firsts = {}
            for sc in spec["scenarios"]:
                x = d.river(sc, "all", stream, det)
                if x:
                    firsts[sc] = [q["first"] for q in x["seeds"]]
            if firsts:
                cells[(stream, det)] = Cell(f"{det} / {stream}", false, n, firsts)
    return cells


def ours_at(ours, max_rate, drop):
    """Our most sensitive level (tuned drop fixed) whose measured rate is ≤ max_rate."""
    ok = [(k, c) for k, c in ours.items() if k[0] == drop and c.rate <= max_rate + 1e-12]
    return min(ok, key=lambda kc: kc[0][1])[1] if ok else None


def verdict(o, c, scenario, unit):
    """rarewatch's cell `o` against River's `c` by median delay on `scenario`; a tie shows
    both means over the seeds each detected."""
    ours = o.median(scenario, unit) if o else None
    river = c.median(scenario, unit)
    if ours is None:
        return "—"
    if river is None:
        return "**faster** (River: not detected)"
    if ours < river:
        return "**faster**"
    if ours > river:
        return "slower"
    return f"tie (means {o.mean(scenario, unit):.1f} vs {c.mean(scenario, unit):.1f})"


def matched(d: Data, kind):
    spec = KINDS[kind]
    unit, scen = spec["unit"], spec["scenarios"]
    drop = d.ours["config"][spec["drop"]]
    level = d.ours["config"]["labelled_levels"][1]
    ours = ours_cells(d, kind)
    river = river_cells(d, kind)
    default = ours[(drop, level)]
    out = []
    hdr = ["scenario", "strongest River setting (stream)", "its false drifts / 10 M rows", "River median",
           "rarewatch at ≤ that rate", "its false drifts / 10 M rows", "rarewatch median", ""]
    for label, cap in (("≤ 1 false drift per 10 M rows (the bar)", 1.0),
                       (f"≤ rarewatch's default rate ({fmt_rate(default.false, default.rows)})", default.rate)):
        rows = []
        for sc in scen:
            ok = [c for c in river.values() if c.rate <= cap + 1e-12 and sc in c.firsts]
            if not ok:
                continue
            best = min(ok, key=lambda c: (c.median(sc, unit) is None, c.median(sc, unit) or 0, c.rate))
            o = ours_at(ours, best.rate, drop)
            rm, om = best.median(sc, unit), o.median(sc, unit) if o else None
            rows.append([SHORT[sc], best.name, fmt_rate(best.false, best.rows), f"{fmt(rm)} ({best.detected(sc)})",
                         o.name if o else "no level that low", fmt_rate(o.false, o.rows) if o else "",
                         f"{fmt(om)} ({o.detected(sc)})" if o else "", verdict(o, best, sc, unit)])
        out.append(f"Strongest River setting per scenario at {label}, median delay in {spec['unit_name']}; "
                   f"rarewatch's {kind} test ({tuning_label(drop)}) at its lowest drift level whose measured rate "
                   f"is no higher:\n\n" + table(hdr, rows))
    # Each River default, ours matched to it.
    rows = []
    for (stream, det), c in sorted(river.items()):
        if det not in d.families:
            continue
        o = ours_at(ours, c.rate, drop)
        rows.append([c.name, fmt_rate(c.false, c.rows)] + [f"{fmt(c.median(sc, unit))}" for sc in scen] +
                    [o.name if o else "no level that low", fmt_rate(o.false, o.rows) if o else ""] +
                    [fmt(o.median(sc, unit)) if o else "" for sc in scen])
    out.append(f"River defaults and rarewatch's {kind} test at the same or lower measured rate (median {spec['unit_name']}):\n\n" +
               table(["River default / stream", "false drifts / 10 M rows", *[SHORT[s] for s in scen],
                      "rarewatch level", "false drifts / 10 M rows", *[SHORT[s] for s in scen]], rows))
    # Each River family tuned to our default's rate.
    rows = [[f"**rarewatch {kind} test, default** ({default.name})", fmt_rate(default.false, default.rows)] +
            [f"{fmt(default.median(sc, unit))} ({default.detected(sc)})" for sc in scen]]
    for family in sorted({det.split()[0] for (_, det) in river}):
        for stream in spec["streams"]:
            ok = [c for (st, det), c in river.items() if st == stream and det.split()[0] == family
                  and c.rate <= default.rate + 1e-12]
            if not ok:
                rows.append([f"River {family} / {stream}: no tested setting that low", "", *["" for _ in scen]])
                continue
            best = min(ok, key=lambda c: (c.median(scen[0], unit) is None, c.median(scen[0], unit) or 0))
            rows.append([f"River {best.name}", fmt_rate(best.false, best.rows)] +
                        [f"{fmt(best.median(sc, unit))} ({best.detected(sc)})" for sc in scen])
    out.append(f"Each River family at its fastest tested setting (on {SHORT[scen[0]]}) whose measured rate is no higher "
               f"than rarewatch's default (median {spec['unit_name']}, detected):\n\n" +
               table(["detector / stream", "false drifts / 10 M rows", *[SHORT[s] for s in scen]], rows))
    return "\n\n".join(out)


def per_setting(d: Data, kind, family="HDDM_W", drop=None):
    """Each River `family` setting on the class-conditional stream against rarewatch's
    `drop` tuning (default: the monitor's) at its lowest level whose measured rate is no
    higher, on every scenario."""
    spec = KINDS[kind]
    unit, scen = spec["unit"], spec["scenarios"]
    default = drop is None
    drop = d.ours["config"][spec["drop"]] if default else drop
    ours = ours_cells(d, kind)
    river = river_cells(d, kind)
    rows, wins = [], 0
    cells = [c for (stream, det), c in river.items() if stream == kind and det.split()[0] == family]
    for c in sorted(cells, key=lambda c: c.rate):
        o = ours_at(ours, c.rate, drop)
        if o is None:
            rows.append([c.name, fmt_rate(c.false, c.rows)] + [fmt(c.median(sc, unit)) for sc in scen] +
                        ["no level that low", ""] + ["" for _ in scen] + [""])
            continue
        verdicts = [verdict(o, c, sc, unit) for sc in scen]
        faster = all(v.startswith("**faster") for v in verdicts)
        wins += faster
        not_faster = [f"{v} on {SHORT[sc]}" for v, sc in zip(verdicts, scen) if not v.startswith("**faster")]
        rows.append([c.name, fmt_rate(c.false, c.rows)] + [fmt(c.median(sc, unit)) for sc in scen] +
                    [o.name, fmt_rate(o.false, o.rows)] + [fmt(o.median(sc, unit)) for sc in scen] +
                    ["**faster on all**" if faster else "; ".join(not_faster)])
    hdr = [f"River {family} setting / stream", "false drifts / 10 M rows", *[SHORT[s] for s in scen],
           "rarewatch level at ≤ that rate", "its false drifts / 10 M rows", *[SHORT[s] for s in scen], ""]
    which = f"default {kind} test" if default else f"{kind} test tuned {tuning_label(drop)}"
    return (f"Every {family} setting fed the {kind} stream, against rarewatch's {which} at its lowest "
            f"level whose measured rate is no higher (median {spec['unit_name']}): faster on every scenario against "
            f"{wins} of {len(cells)} settings.\n\n" + table(hdr, rows))


def grids(d: Data, kind):
    spec = KINDS[kind]
    unit, scen = spec["unit"], spec["scenarios"]
    ours = ours_cells(d, kind)
    rows = []
    for (drop, level), c in sorted(ours.items()):
        if level not in (5, 6, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 12, 14, 16):
            continue
        rows.append([tuning_label(drop), f"{level / 2:g} / {level:g}", fmt_rate(c.false, c.rows)] +
                    [f"{fmt(c.median(sc, unit))} ({c.detected(sc)})" for sc in scen])
    a = table(["tuning", "warning / drift level, nats", "false drifts / 10 M rows", *[SHORT[s] for s in scen]], rows)
    rows = []
    river = river_cells(d, kind)
    for (stream, det), c in sorted(river.items(), key=lambda kv: (kv[0][0], kv[0][1].split()[0], kv[1].rate)):
        rows.append([c.name, fmt_rate(c.false, c.rows)] + [f"{fmt(c.median(sc, unit))} ({c.detected(sc)})" for sc in scen])
    b = table(["River setting / stream", "false drifts / 10 M rows", *[SHORT[s] for s in scen]], rows)
    return (f"rarewatch {kind} CUSUM, median {spec['unit_name']} (detected):\n\n{a}\n\n"
            f"River, median {spec['unit_name']} (detected):\n\n{b}")


def other_labelled(d: Data):
    rows = []
    for sc, cols in (("positives_x6", ["recall", "precision", "alert_rate"]),
                     ("alert_rate_x3", ["recall", "precision", "alert_rate"]),
                     ("score_shift_2iqr", ["recall", "precision", "alert_rate", "score_distribution", "feature_range"])):
        s = d.o.get((sc, "all"))
        if s is None:
            continue
        for c in cols:
            st = stats(d.ours_firsts(sc, "all", c))
            rows.append([s["title"], f"rarewatch {c}", st["detected"], fmt(st["rows"]), fmt(st["labels"]), fmt(st["pos"])])
        for stream in ("recall", "precision", "error_labelled"):
            for det in d.families:
                x = d.river(sc, "all", stream, det)
                if x is None:
                    continue
                st = stats([q["first"] for q in x["seeds"]])
                rows.append([s["title"], f"River {det} / {stream}", st["detected"], fmt(st["rows"]), fmt(st["labels"]),
                             fmt(st["pos"])])
    return table(["scenario", "detector / stream", "detected", "median delay, rows", "median labelled events",
                  "median labelled positives"], rows)


def label_free(d: Data):
    rows = []
    cols = ["alert_rate", "score_distribution", "estimated", "feature_range", "label_free_any"]
    for sc in ("positives_x6", "alert_rate_x3", "score_shift_1iqr", "score_shift_2iqr", "score_shift_3iqr"):
        s = d.o.get((sc, "none"))
        if s is None:
            continue
        cells = [s["title"]]
        for c in cols:
            st = stats(d.ours_firsts(sc, "none", c))
            w = stats(d.ours_firsts(sc, "none", c, "warnings"))
            p90 = pct(delays(d.ours_firsts(sc, "none", c), 0), 0.9)
            cells.append(f"{fmt(st['rows'])} / {fmt(p90)} ({st['detected']}); warning {fmt(w['rows'])}")
        t = [q["truth"] for q in s["seeds"]]
        m = [q["chunk_means"] for q in s["seeds"]]
        tp = sum(x["true_alerts"] for x in t) / max(1, sum(x["alerts"] for x in t))
        tr = sum(x["true_alerts"] for x in t) / max(1, sum(x["positives"] for x in t))
        cp = sum(x["cbpe_precision"] for x in m) / len(m)
        cr = sum(x["cbpe_recall"] for x in m) / len(m)
        psi = sum(x["psi"] for x in m) / len(m)
        cells.append(f"P {tp:.2f} vs CBPE {cp:.2f}; R {tr:.2f} vs CBPE {cr:.2f}; mean PSI {psi:.3f}")
        rows.append(cells)
    s = d.o.get(("stable", "all"))
    if s:
        m = [q["chunk_means"] for q in s["seeds"]]
        t = [q["truth"] for q in s["seeds"]]
        tp = sum(x["true_alerts"] for x in t) / max(1, sum(x["alerts"] for x in t))
        tr = sum(x["true_alerts"] for x in t) / max(1, sum(x["positives"] for x in t))
        rows.append(["(a) stable (false drifts / 10 M rows)"] +
                    [fmt_rate(*d.ours_false("stable", "all", c)) for c in cols] +
                    [f"P {tp:.2f} vs CBPE {sum(x['cbpe_precision'] for x in m) / len(m):.2f}; "
                     f"R {tr:.2f} vs CBPE {sum(x['cbpe_recall'] for x in m) / len(m):.2f}; "
                     f"mean PSI {sum(x['psi'] for x in m) / len(m):.3f}"])
    return table(["scenario (no labels)", "alert-rate CUSUM: median / p90 rows to drift (detected)",
                  "score PSI", "CBPE estimate", "feature range", "any label-free signal",
                  "after the change: true vs estimated precision / recall"], rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", default="out/ours.json")
    ap.add_argument("--river", default="out/river.json")
    args = ap.parse_args()
    ours = json.load(open(args.ours))
    try:
        river = json.load(open(args.river))
    except FileNotFoundError:
        river = None
    d = Data(ours, river)
    w = ours["world"]
    print(f"World: prevalence {w['prevalence']}, recall {w['recall']:.4f}, false-positive rate {w['fpr']:.6f}, "
          f"threshold {w['threshold']} (1/256 nat), {len(w['score_edges']) + 1} score bins; "
          f"monitor config {ours['config']}; bench {ours['seconds']:.0f} s"
          + (f"; River {river['river']}, {river['seconds']:.0f} s" if river else "") + ".\n")
    print("### Recall drops: detection delay and false drifts\n")
    print(recall_tables(d))
    print("\n### Stable streams: false drifts per 10 M rows, per signal (count in brackets)\n")
    print(stable_table(d))
    if river:
        for kind in KINDS:
            print(f"\n### At the same false-alarm rate: {kind} (labels: all)\n")
            print(matched(d, kind))
            print("\n" + per_setting(d, kind))
            erosion = d.ours["config"][KINDS[kind]["drop"]].split("+")[0]
            print(f"\nThe same with the default's erosion CUSUM alone (from the sweep: one CUSUM {erosion}), "
                  "to show what the collapse statistic adds:\n")
            print(per_setting(d, kind, drop=erosion))
            if PREVIOUS_DEFAULT in {c["drop"] for c in d.o[("stable", "all")]["sweep"][kind]}:
                print(f"\nThe same with the default before this one ({tuning_label(PREVIOUS_DEFAULT)}):\n")
                print(per_setting(d, kind, drop=PREVIOUS_DEFAULT))
    for kind in KINDS:
        print(f"\n### Sensitivity grids: {kind} (labels: all)\n")
        print(grids(d, kind))
    print("\n### Other labelled scenarios (labels: all)\n")
    print(other_labelled(d))
    print("\n### Label-free (no labels at all)\n")
    print(label_free(d))


if __name__ == "__main__":
    main()
