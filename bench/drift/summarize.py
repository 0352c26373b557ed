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
                scenario (20 seeds × 10 M rows; for the all-rows error stream, the pre-change
                rows of the seeds it ran on).
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

    def sweep(self, scenario, policy):
        s = self.o.get((scenario, policy))
        return {(c["drop"], c["level"]): c for c in s["sweep"]} if s and s["sweep"] else {}

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
            rows.append([SHORT[sc], "**rarewatch recall CUSUM** (default)", "recall", st["detected"], fmt(st["rows"]),
                         f"**{fmt(st['pos'])}**", fmt(st["pos90"]), fmt_rate(*d.ours_false("stable", policy, "recall"))])
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


def sweep_table(d: Data):
    """Our recall CUSUM at each drift level on the same streams (policy all)."""
    stable = d.sweep("stable", "all")
    drops = sorted({k[0] for k in stable})
    levels = sorted({k[1] for k in stable})
    rows = []
    for drop in drops:
        for h in levels:
            c = stable[(drop, h)]
            n = d.o[("stable", "all")]["change_at"] * len(d.o[("stable", "all")]["seeds"])
            cells = [f"{drop:g}", f"{h / 2:g} / {h:g}", fmt_rate(c["false"], n)]
            for sc in RECALL_SCENARIOS:
                f = d.sweep(sc, "all")[(drop, h)]["first"]
                st = stats(f)
                cells.append(f"{fmt(st['pos'])} ({st['detected']})")
            rows.append(cells)
    return table(["tuned recall drop", "warning / drift level, nats", "false drifts / 10 M rows (count)",
                  *[f"median positives, {SHORT[s]} (detected)" for s in RECALL_SCENARIOS]], rows)


def ours_cells(d: Data):
    """(drop, level) -> (false, rows, {scenario: median positives})."""
    stable = d.sweep("stable", "all")
    n = d.o[("stable", "all")]["change_at"] * len(d.o[("stable", "all")]["seeds"])
    cells = {}
    for key, c in stable.items():
        med = {}
        for sc in RECALL_SCENARIOS:
            med[sc] = stats(d.sweep(sc, "all")[key]["first"])
        cells[key] = (c["false"], n, med)
    return cells


def river_cells(d: Data, stream="recall"):
    cells = {}
    for det in d.river_configs(stream):
        false, n = d.river_false("all", stream, det)
        med = {}
        for sc in RECALL_SCENARIOS:
            x = d.river(sc, "all", stream, det)
            med[sc] = stats([s["first"] for s in x["seeds"]]) if x else None
        cells[det] = (false, n, med)
    return cells


def key_pos(st):
    return math.inf if st is None or st["pos"] is None else st["pos"]


def matched_tables(d: Data, default_drop):
    ours = ours_cells(d)
    river = river_cells(d)
    # River sweep table.
    rows = []
    for det, (false, n, med) in sorted(river.items(), key=lambda kv: (kv[0].split()[0], rate(kv[1][0], kv[1][1]))):
        rows.append([det, fmt_rate(false, n)] + [f"{fmt(med[s]['pos'])} ({med[s]['detected']})" if med[s] else "—"
                                                 for s in RECALL_SCENARIOS])
    river_sweep = table(["River detector (recall stream)", "false drifts / 10 M rows (count)",
                         *[f"median positives, {SHORT[s]} (detected)" for s in RECALL_SCENARIOS]], rows)

    def best_ours(max_rate, drop=None):
        ok = [(k, v) for k, v in ours.items() if rate(v[0], v[1]) <= max_rate + 1e-12 and (drop is None or k[0] == drop)]
        if not ok:
            return None
        return min(ok, key=lambda kv: (key_pos(kv[1][2][RECALL_SCENARIOS[0]]), -kv[0][1]))

    def best_river(max_rate):
        ok = [(k, v) for k, v in river.items() if rate(v[0], v[1]) <= max_rate + 1e-12 and v[2][RECALL_SCENARIOS[0]]]
        if not ok:
            return None
        return min(ok, key=lambda kv: key_pos(kv[1][2][RECALL_SCENARIOS[0]]))

    # Ours matched to each River default's measured false-alarm rate.
    rows = []
    for det in d.families:
        if det not in river:
            continue
        false, n, med = river[det]
        r = rate(false, n)
        o = best_ours(r, default_drop)
        ob = best_ours(r)
        row = [f"River {det}", fmt_rate(false, n)] + [fmt(med[s]["pos"]) if med[s] else "—" for s in RECALL_SCENARIOS]
        rows.append(row)
        for label, cell in (("rarewatch, drift level set to ≤ that rate", o), ("rarewatch, level and tuned drop set to ≤ that rate", ob)):
            if cell is None:
                rows.append([label, "no level that low", "", "", ""])
                continue
            (drop, h), (of, on, omed) = cell
            rows.append([f"{label} (drop {drop:g}, levels {h / 2:g}/{h:g})", fmt_rate(of, on)] +
                        [fmt(omed[s]["pos"]) for s in RECALL_SCENARIOS])
    at_river = table(["detector (recall stream, labels: all)", "false drifts / 10 M rows (count)",
                      *[f"median positives, {SHORT[s]}" for s in RECALL_SCENARIOS]], rows)

    # River tuned to our default's false-alarm rate, per family; and the strongest River setup.
    default_key = (default_drop, d.ours["config"]["labelled_levels"][1])
    of, on, omed = ours[default_key]
    our_rate = rate(of, on)
    rows = [["**rarewatch recall CUSUM (default)**", fmt_rate(of, on)] + [fmt(omed[s]["pos"]) for s in RECALL_SCENARIOS]]
    for family in sorted({k.split()[0] for k in river}):
        fam = {k: v for k, v in river.items() if k.split()[0] == family}
        ok = [(k, v) for k, v in fam.items() if rate(v[0], v[1]) <= our_rate + 1e-12 and v[2][RECALL_SCENARIOS[0]]]
        if not ok:
            rows.append([f"River {family}: no tested setting at that rate", "", "", "", ""])
            continue
        k, (false, n, med) = min(ok, key=lambda kv: key_pos(kv[1][2][RECALL_SCENARIOS[0]]))
        rows.append([f"River {k}", fmt_rate(false, n)] + [fmt(med[s]["pos"]) if med[s] else "—" for s in RECALL_SCENARIOS])
    at_ours = table(["detector (recall stream, labels: all)", "false drifts / 10 M rows (count)",
                     *[f"median positives, {SHORT[s]}" for s in RECALL_SCENARIOS]], rows)

    # Strongest River setup at the bar's rate (≤ 1 per 10 M rows), against ours at its rate.
    strongest = best_river(1.0)
    lines = []
    if strongest:
        k, (false, n, med) = strongest
        o = best_ours(rate(false, n), default_drop)
        lines.append(f"Strongest River setup at ≤ 1 false drift per 10 M rows (lowest median delay on 0.8→0.5): "
                     f"**{k}** on the recall stream, {fmt_rate(false, n)} false drifts per 10 M rows; median positives "
                     + ", ".join(f"{SHORT[s]} {fmt(med[s]['pos'])}" for s in RECALL_SCENARIOS) + ".")
        if o:
            (drop, h), (of2, on2, omed2) = o
            lines.append(f"rarewatch at ≤ that rate (levels {h / 2:g}/{h:g}, {fmt_rate(of2, on2)}): "
                         + ", ".join(f"{SHORT[s]} {fmt(omed2[s]['pos'])}" for s in RECALL_SCENARIOS) + ".")
    return river_sweep, at_river, at_ours, "\n".join(f"- {l}" for l in lines)


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
        rs, ar, ao, strongest = matched_tables(d, ours["config"]["recall_drop"])
        print("\n### At the same false-alarm rate (recall stream, labels: all)\n")
        print("rarewatch's drift level set to each River default's measured rate:\n")
        print(ar)
        print("\nEach River family at its most sensitive tested setting whose measured rate is ≤ rarewatch's default:\n")
        print(ao)
        print()
        print(strongest)
        print("\nRiver sensitivity grid:\n")
        print(rs)
    print("\nrarewatch recall-CUSUM sweep (same streams):\n")
    print(sweep_table(d))
    print("\n### Other labelled scenarios (labels: all)\n")
    print(other_labelled(d))
    print("\n### Label-free (no labels at all)\n")
    print(label_free(d))


if __name__ == "__main__":
    main()
