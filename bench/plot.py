"""PNG plots for BENCHMARKS.md from one bench/results/<date>.json (run by bench/run.sh in its venv).

usage: plot.py RESULTS_JSON OUT_DIR
"""
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {
    "direct": "#555555",
    "nginx": "#2b8a3e",
    "node-http": "#1971c2",
    "http-proxy-3": "#e67700",
    "sidecar-bearer": "#c92a2a",
    "direct-sigv4": "#868e96",
    "sidecar-sigv4": "#862e9c",
    "sidecar-node-bearer": "#f08c8c",
    "iron-proxy": "#5c940d",
    "aws-sigv4-proxy": "#0b7285",
}


def finite(v):
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def latency(r, out):
    lat = r.get("latency")
    if not lat:
        return
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharey=True)
    for ax, p in zip(axes, ["p50", "p90", "p99"]):
        for vid, v in lat["variants"].items():
            if not v["available"]:
                continue
            xs, ys, lo, hi = [], [], [], []
            for rate in lat["rates"]:
                c = v["byRate"].get(str(rate))
                if not c or not finite(c[p]["median"]):
                    continue
                xs.append(rate)
                ys.append(c[p]["median"])
                lo.append(c[p]["median"] - c[p]["min"])
                hi.append(c[p]["max"] - c[p]["median"])
            ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=v["label"], color=COLORS.get(vid))
        ax.set_title(f"{p} latency (median of rounds, min–max)")
        ax.set_xlabel("fixed rate (requests/s)")
        ax.set_yscale("log")
        ax.set_xticks(lat["rates"])
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ms (log scale)")
    axes[2].legend(fontsize=8)
    fig.suptitle("Latency at fixed rates (vegeta, open loop, 1 KiB)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latency.png"), dpi=110)
    plt.close(fig)


def throughput(r, out):
    tp = r.get("throughput")
    if not tp:
        return
    ids = [vid for vid, v in tp["variants"].items() if v["available"]]
    sizes = ["1KiB", "16KiB"]
    fig, ax = plt.subplots(figsize=(max(11, 1.3 * len(ids)), 4.5))
    width = 0.38
    for i, size in enumerate(sizes):
        meds, los, his = [], [], []
        for vid in ids:
            s = tp["variants"][vid]["bySize"][size]["rps"]
            meds.append(s["median"])
            los.append(s["median"] - s["min"])
            his.append(s["max"] - s["median"])
        xs = [j + (i - 0.5) * width for j in range(len(ids))]
        bars = ax.bar(xs, meds, width, yerr=[los, his], capsize=3, label=size, color=["#a5d8ff", "#1c7ed6"][i])
        for b, vid in zip(bars, ids):
            ratio = tp["variants"][vid]["bySize"][size]["vsNginx"]["median"]
            if finite(ratio):
                ax.annotate(f"{ratio:.2f}×", (b.get_x() + b.get_width() / 2, b.get_height()), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(ids)))
    ax.set_xticklabels([tp["variants"][v]["label"] for v in ids], rotation=15, ha="right", fontsize=8)
    ax.set_ylabel("requests/s (median, min–max)")
    ax.set_title("Max throughput, proxy pinned to one core (labels: ÷ nginx)")
    ax.legend()
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "throughput.png"), dpi=110)
    plt.close(fig)


def streaming(r, out):
    s = r.get("streaming")
    if not s:
        return
    runs = {k: v for k, v in s["runs"].items() if v["available"]}
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(max(12, 1.2 * len(runs)), 4.2), gridspec_kw={"width_ratios": [3, 2]})
    names = list(runs)
    a1.bar(range(len(names)), [runs[n]["mibPerSecond"]["median"] for n in names], color="#1c7ed6")
    a1.set_xticks(range(len(names)))
    a1.set_xticklabels([runs[n]["label"] for n in names], rotation=20, ha="right", fontsize=7)
    a1.set_ylabel("MiB/s")
    a1.set_title(f"{s['mib']} MiB PUT throughput")
    side = [n for n in names if "idleRssMiB" in runs[n]]
    xs = range(len(side))
    a2.bar([x - 0.2 for x in xs], [runs[n]["idleRssMiB"]["median"] for n in side], 0.4, label="idle before", color="#a5d8ff")
    a2.bar([x + 0.2 for x in xs], [runs[n]["peakRssMiB"]["max"] for n in side], 0.4, label="peak during (worst round)", color="#c92a2a")
    a2.set_xticks(list(xs))
    a2.set_xticklabels([runs[n]["label"] for n in side], rotation=20, ha="right", fontsize=7)
    a2.set_ylabel("proxy RSS (MiB)")
    a2.set_title("Proxy memory during the upload (fresh processes)")
    a2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "streaming.png"), dpi=110)
    plt.close(fig)


def decision(r, out):
    d = r.get("decision")
    if not d:
        return
    cases = d["cases"]
    fig, ax = plt.subplots(figsize=(10, 4))
    xs = range(len(cases))
    ax.bar([x - 0.2 for x in xs], [c["p50Us"] for c in cases], 0.4, label="p50", color="#a5d8ff")
    ax.bar([x + 0.2 for x in xs], [c["p99Us"] for c in cases], 0.4, label="p99", color="#1c7ed6")
    ax.axhline(10, color="#c92a2a", linestyle="--", label="target p99 10 µs")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([f"{c['name']}\n({c['rules']} rules)" for c in cases], fontsize=8)
    ax.set_ylabel("µs per decision (log scale)")
    ax.set_yscale("log")
    ax.set_title("Policy decision time")
    ax.legend()
    ax.grid(True, axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "decision.png"), dpi=110)
    plt.close(fig)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as fh:
        results = json.load(fh)
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for plot in (latency, throughput, streaming, decision):
        plot(results, out)
    print(f"bench: plots in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
