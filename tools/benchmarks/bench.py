"""Sayso kiosk benchmarks: cold start, memory, frame times, commit latency, idle CPU.

Run through tools/bench. Aims (issue 2): first frame within 300 ms, idle CPU
under 1% of a core, answer commit p99 within 2x a bare fdatasync.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p * (len(v) - 1)))]


def kiosk(build, root, tmp, script, size="1920x1200", name="run"):
    script_file = os.path.join(tmp, name + ".txt")
    with open(script_file, "w") as f:
        f.write(script)
    timings = os.path.join(tmp, name + ".json")
    db = os.path.join(tmp, name + ".db")
    t0 = time.monotonic()
    proc = subprocess.Popen([os.path.join(build, "kiosk", "sayso"), "--headless", "--size", size,
                             "--packs", os.path.join(root, "surveys"), "--assets", os.path.join(root, "assets"),
                             "--db", db, "--replay", script_file, "--shots", os.path.join(tmp, "shots"),
                             "--timings", timings])
    # wait4 gives this one child's own peak memory (ru_maxrss, KiB).
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = (time.monotonic() - t0) * 1000
    if proc.returncode != 0:
        raise SystemExit("sayso exited with %d on %s" % (proc.returncode, name))
    with open(timings) as f:
        t = json.load(f)
    return t, wall, usage.ru_maxrss


def survey_script(root):
    with open(os.path.join(root, "surveys", "after-my-visit", "pack.json")) as f:
        pack = json.load(f)
    band = next(b for b in pack["bands"] if b["id"] == "12-17")
    lines = ["tap band:12-17", "tap visit:visit", "tap handover", "tap start"]
    for q in band["questions"]:
        if q["kind"] == "text":
            lines += ["type thank you", "tap next"]
        elif q["kind"] == "pick_many":
            lines += ["tap answer:%s:%s" % (q["id"], q["options"][0]["id"]), "tap next"]
        else:
            first = {"faces": "happy", "yes_no": "yes"}.get(q["kind"]) or q["options"][0]["id"]
            lines += ["tap answer:%s:%s" % (q["id"], first), "wait 800"]
    lines += ["expect thanks", "wait 9000", "expect practitioner"]
    return "\n".join(lines) + "\n"


def idle_cpu(build, root, tmp, seconds):
    proc = subprocess.Popen([os.path.join(build, "kiosk", "sayso"), "--headless", "--size", "1920x1200",
                             "--packs", os.path.join(root, "surveys"), "--assets", os.path.join(root, "assets"),
                             "--db", os.path.join(tmp, "idle.db")])
    try:
        time.sleep(2)  # startup and first frames
        tick = os.sysconf("SC_CLK_TCK")

        def cpu():
            with open("/proc/%d/stat" % proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick  # utime + stime, s

        c0, t0 = cpu(), time.monotonic()
        time.sleep(seconds)
        c1, t1 = cpu(), time.monotonic()
        return 100.0 * (c1 - c0) / (t1 - t0)
    finally:
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--commits", type=int, default=500)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
        starts = []
        for i in range(5):
            t, wall, _ = kiosk(args.build, args.root, tmp, "expect practitioner\n", name="start%d" % i)
            starts.append((t["first_frame_ms"], wall))
        first = sorted(s[0] for s in starts)[len(starts) // 2]
        whole = sorted(s[1] for s in starts)[len(starts) // 2]

        t, _, rss_kib = kiosk(args.build, args.root, tmp, survey_script(args.root), name="survey")
        frames = t["frame_ms"]

        out = subprocess.run([os.path.join(args.build, "tools", "sayso-bench-storage"),
                              os.path.join(tmp, "storage"), str(args.commits)],
                             check=True, capture_output=True, text=True).stdout
        storage = json.loads(out)

        cpu = idle_cpu(args.build, args.root, tmp, args.idle_seconds)

    print("Sayso kiosk benchmark (headless, dummy video driver, software renderer, 1920x1200)")
    print("  cold start to first frame:  %7.1f ms (median of 5; whole run of a one-frame replay %.0f ms)" % (first, whole))
    print("  peak RSS (survey replay):   %7.1f MB" % (rss_kib / 1024))
    print("  frame time, 12-17 survey:   %7.1f ms mean, %.1f ms p99 over %d frames" %
          (sum(frames) / len(frames), percentile(frames, 0.99), len(frames)))
    print("  answer commit, steady:      %7.3f ms p50, %.3f ms p99 over %d commits" %
          (storage["commit_p50_ms"], storage["commit_p99_ms"], storage["count"]))
    print("  answer commit, fresh file:  %7.3f ms p50, %.3f ms p99 (the WAL still growing)" %
          (storage["fresh_commit_p50_ms"], storage["fresh_commit_p99_ms"]))
    print("  bare fdatasync, same disk:  %7.3f ms p50, %.3f ms p99" %
          (storage["fdatasync_p50_ms"], storage["fdatasync_p99_ms"]))
    print("  commit p99 / fdatasync p99: %7.2f x (aim: within 2x)" %
          (storage["commit_p99_ms"] / max(storage["fdatasync_p99_ms"], 1e-6)))
    print("  idle CPU over %.0f s:         %7.2f %% of a core (aim: under 1%%)" % (args.idle_seconds, cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
