"""Sayso benchmarks: the kiosk (spawn to question 1 and memory there against
Chromium showing a SurveyJS survey of the same questions, cold start, frame
times headless and in an X11 window, commit latency, idle CPU, the preview),
requests on a kept-alive connection against nginx, delivery (draining a
backlog to the collector), the collector and the reports under hostile
clients, the reports' pages, the report index at several sizes and the
reports serving while a backlog is indexed. Peers: tools/benchmarks/peer.py.

Run through tools/bench. Aims: first frame within 300 ms, idle CPU under 1%
of a core, answer commit p99 within 2x a bare fdatasync, a 10,000-response
backlog delivered in under 1 s with the SQLite store and 2 s with PostgreSQL.
"""
import argparse
import http.client
import json
import threading
import urllib.parse
import urllib.request
import os
import subprocess
import sys
import tempfile
import time

import peer


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p * (len(v) - 1)))]


def kiosk(build, root, tmp, script, size="1920x1200", name="run", extra=()):
    script_file = os.path.join(tmp, name + ".txt")
    with open(script_file, "w") as f:
        f.write(script)
    timings = os.path.join(tmp, name + ".json")
    db = os.path.join(tmp, name + ".db")
    t0 = time.monotonic()
    proc = subprocess.Popen([os.path.join(build, "kiosk", "sayso"), "--headless", "--allow-unsigned-packs", "--size", size,
                             "--packs", os.path.join(root, "surveys"), "--assets", os.path.join(root, "assets"),
                             "--db", db, "--replay", script_file, "--shots", os.path.join(tmp, "shots"),
                             "--timings", timings, *extra])
    # wait4 gives this one child's own peak memory (ru_maxrss, KiB).
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = (time.monotonic() - t0) * 1000
    if proc.returncode != 0:
        raise SystemExit("sayso exited with %d on %s" % (proc.returncode, name))
    with open(timings) as f:
        t = json.load(f)
    return t, wall, usage.ru_maxrss


def survey_script(root, lang=None):
    with open(os.path.join(root, "surveys", "after-my-visit", "pack.json")) as f:
        pack = json.load(f)
    band = next(b for b in pack["bands"] if b["id"] == "12-17")
    lines = ["tap band:12-17", "tap visit:visit", "tap handover"] + (["tap lang:" + lang] if lang else []) + ["tap start"]
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


FIRST_QUESTION = "tap band:12-17\ntap visit:visit\ntap handover\ntap start\nexpect question:listened\nshot q1\n"


def first_question_figures(args, size="1920x1200", runs=5):
    """Spawn to question 1 on the screen (written as a screenshot, the process gone), the kiosk and Chromium showing
    a SurveyJS survey of the same questions, interleaved; and the memory each holds at question 1."""
    with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
        sayso_ms, shown_ms, sayso_pss = [], [], []
        page, why_not = None, ""
        try:
            peer_dir = peer.install_surveyjs(args.build)
            with open(os.path.join(args.root, "surveys", "after-my-visit", "pack.json")) as f:
                page = peer.surveyjs_page(peer_dir, tmp, peer.surveyjs_json(json.load(f), "12-17"))
            peer.chromium()
        except Exception as e:  # noqa: BLE001 - say why and go on
            page, why_not = None, str(e)
        chromium_ms = []
        for i in range(runs):
            t0 = time.monotonic()
            t, _, _ = kiosk(args.build, args.root, tmp, FIRST_QUESTION, size=size, name="q1-%d" % i)
            sayso_ms.append((time.monotonic() - t0) * 1000)
            q1 = next(s for s in t["shown"] if s["screen"].startswith("question"))
            shown_ms.append(q1["ms"])
            sayso_pss.append(q1["pss_kib"])
            if page:
                try:
                    chromium_ms.append(peer.chromium_first_question(tmp, page, size))
                except Exception as e:  # noqa: BLE001
                    page, why_not = None, str(e)
        print("Question 1 on the screen, from spawn (headless, %s; median of %d, interleaved with the peer)" %
              (size, runs))
        print("  Sayso:    %6.0f ms spawn to screenshot and exit (question 1 drawn %.0f ms after main began)" %
              (peer.median(sayso_ms), peer.median(shown_ms)))
        if chromium_ms:
            print("  Chromium: %6.0f ms spawn to screenshot and exit, SurveyJS %s, one question a page" %
                  (peer.median(chromium_ms), "2.5.38"))
            print("  Chromium / Sayso: %.1fx (aim: 10x)" % (peer.median(chromium_ms) / peer.median(sayso_ms)))
        else:
            print("  Chromium peer: not measured (%s)" % why_not)
        print("  memory at question 1: Sayso %.1f MiB PSS (one process)" % (peer.median(sayso_pss) / 1024), end="")
        if page:
            try:
                kib, n = peer.chromium_pss_at_first_question(tmp, page, size)
                print("; Chromium %.1f MiB PSS over %d processes; Sayso / Chromium %.2f (aim: at most 0.10)" %
                      (kib / 1024, n, peer.median(sayso_pss) / kib))
            except Exception as e:  # noqa: BLE001
                print("; Chromium not measured (%s)" % e)
        else:
            print()


def window_figures(args):
    """The kiosk in a real X11 window (Xvfb): SDL's OpenGL renderer (Mesa's llvmpipe here) and its software one."""
    import shutil
    if not shutil.which("Xvfb"):
        print("In an X11 window: not measured (Xvfb is not installed)")
        return
    display = ":%d" % (90 + os.getpid() % 9)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1920x1200x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        print("In an X11 window (Xvfb, 1920x1200)")
        with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
            for driver, label in (("opengl", "OpenGL (llvmpipe)"), ("software", "software renderer")):
                env = dict(os.environ, DISPLAY=display, SDL_RENDER_DRIVER=driver, SDL_AUDIODRIVER="dummy")
                timings = os.path.join(tmp, driver + ".json")
                script = os.path.join(tmp, driver + ".txt")
                with open(script, "w") as f:
                    f.write(survey_script(args.root))
                subprocess.run([os.path.join(args.build, "kiosk", "sayso"), "--allow-unsigned-packs", "--size",
                                "1920x1200", "--packs", os.path.join(args.root, "surveys"), "--assets",
                                os.path.join(args.root, "assets"), "--db", os.path.join(tmp, driver + ".db"),
                                "--replay", script, "--timings", timings], env=env, check=True,
                               capture_output=True, timeout=300)
                with open(timings) as f:
                    t = json.load(f)
                frames = t["frame_ms"]
                q1 = next(s for s in t["shown"] if s["screen"].startswith("question"))
                print("  %-18s frame %.1f ms mean, %.1f ms p99 over %d frames (aim: p99 under 8 ms); question 1 drawn"
                      " %.0f ms after main began; PSS then %.1f MiB" %
                      (label + ":", sum(frames) / len(frames), percentile(frames, 0.99), len(frames), q1["ms"],
                       q1["pss_kib"] / 1024))
    except subprocess.CalledProcessError as e:
        print("  not measured: sayso exited %d (%s)" % (e.returncode, e.stderr.decode(errors="replace").strip()))
    finally:
        xvfb.terminate()
        xvfb.wait()


def idle_cpu(build, root, tmp, seconds):
    proc = subprocess.Popen([os.path.join(build, "kiosk", "sayso"), "--headless", "--allow-unsigned-packs", "--size", "1920x1200",
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


class Postgres:
    """A throwaway PostgreSQL cluster in a temporary folder (Unix socket only)."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "pg")
        os.makedirs(os.path.join(self.dir, "socket"))
        bins = sorted(d for d in os.listdir("/usr/lib/postgresql") if d.isdigit()) if os.path.isdir("/usr/lib/postgresql") else []
        if not bins:
            raise RuntimeError("PostgreSQL is not installed")
        self.bin = "/usr/lib/postgresql/%s/bin" % bins[-1]
        self.as_user = []
        if os.getuid() == 0:
            import pwd
            pw = pwd.getpwnam("postgres")
            os.chmod(tmp, 0o755)
            for root, dirs, files in os.walk(self.dir):
                os.chown(root, pw.pw_uid, pw.pw_gid)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["/usr/sbin/runuser", "-u", "postgres", "--"]
        data = os.path.join(self.dir, "data")
        subprocess.run(self.as_user + [self.bin + "/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
                       check=True, capture_output=True)
        subprocess.run(self.as_user + [self.bin + "/pg_ctl", "-D", data, "-w", "-l", os.path.join(self.dir, "log"),
                                       "-o", "-k %s -c listen_addresses= -p 5432" % os.path.join(self.dir, "socket"),
                                       "start"], check=True, capture_output=True)
        self.data = data

    def uri(self):
        return "postgresql:///postgres?host=%s&port=5432&user=postgres" % os.path.join(self.dir, "socket")

    def stop(self):
        subprocess.run(self.as_user + [self.bin + "/pg_ctl", "-D", self.data, "-m", "fast", "stop"], capture_output=True)


def delivery(build, tmp, store, devices, per_device, name, fill="fill"):
    """Fills one kiosk database per device (`fill`: plain answers, or fill-voice: a minute's recording each), then
    drains them all at once to one collector."""
    tool = os.path.join(build, "tools", "sayso-bench-delivery")
    collector_bin = os.path.join(build, "tools", "sayso-collector")
    dbs, tokens = [], []
    for d in range(devices):
        db = os.path.join(tmp, "%s-kiosk-%d.db" % (name, d))
        subprocess.run([tool, fill, db, str(per_device)], check=True, stdout=subprocess.DEVNULL)
        dbs.append(db)
        tokens.append(subprocess.run([collector_bin, "token", "add", "%s-%d" % (name, d), "--store", store],
                                     check=True, capture_output=True, text=True).stdout.strip())
    server = subprocess.Popen([collector_bin, "serve", "--listen", "127.0.0.1:0", "--store", store, "--rate", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip().split(" ")[-1]
        t0 = time.monotonic()
        procs = [subprocess.Popen([tool, "drain", db, url, tok], stdout=subprocess.PIPE, text=True)
                 for db, tok in zip(dbs, tokens)]
        results, peak_kib = [], 0
        for p in procs:
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            results.append(json.loads(p.stdout.read()))
            peak_kib = max(peak_kib, usage.ru_maxrss)
        wall = time.monotonic() - t0
        if any(p.returncode != 0 for p in procs):
            raise SystemExit("a delivery failed")
    finally:
        server.terminate()
        server.wait()
    total = sum(r["responses"] for r in results)
    delivery.peak_mb = peak_kib / 1024  # the largest sending process
    return total, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--commits", type=int, default=500)
    ap.add_argument("--backlog", type=int, default=10000)
    ap.add_argument("--skip-kiosk", action="store_true", help="only the delivery figures")
    ap.add_argument("--skip-delivery", action="store_true", help="no delivery figures")
    ap.add_argument("--skip-reports", action="store_true", help="no reports figures")
    ap.add_argument("--skip-hostile", action="store_true", help="no figures under hostile clients")
    ap.add_argument("--only-hostile", action="store_true", help="only the figures under hostile clients")
    ap.add_argument("--report-answers", type=int, default=1000000, help="answers in the reports data set")
    args = ap.parse_args()
    if args.only_hostile:
        args.skip_kiosk = args.skip_delivery = args.skip_reports = True
    if not args.skip_kiosk:
        first_question_figures(args)
        kiosk_figures(args)
        window_figures(args)
    if not args.skip_delivery:
        keepalive_figures(args)
        delivery_figures(args)
    if not args.skip_hostile:
        hostile_figures(args)
    if not args.skip_reports:
        reports_figures(args)
    return 0


def service_page_times(build, store, runs=5):
    """Serves the reports, signs in as an admin and a manager, and times whole service pages over HTTP."""
    collector_bin = os.path.join(build, "tools", "sayso-collector")
    password = "a long enough password\n" * 2
    for name, extra in (("ada", ["--role", "admin"]), ("meg", ["--role", "manager", "--service", "early-help"])):
        subprocess.run([collector_bin, "user", "add", name, "--store", store] + extra, input=password, text=True,
                       check=True, capture_output=True)
    server = subprocess.Popen([collector_bin, "reports", "--listen", "127.0.0.1:0", "--store", store],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = server.stdout.readline().strip().split(" ")[-1]
        times = {}
        for name, path in (("ada", "/service"), ("ada", "/service?by=practitioner_code"), ("meg", "/service")):
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            form = opener.open(url + "/login").read().decode()
            token = form.split('name="signin" value="', 1)[1][:32]  # the form's own token, as a browser sends it
            opener.open(url + "/login", urllib.parse.urlencode(
                {"name": name, "password": "a long enough password", "next": "/service", "signin": token}).encode()).read()
            ms = []
            for _ in range(runs):
                t0 = time.monotonic()
                page = opener.open(url + path).read()
                ms.append((time.monotonic() - t0) * 1000)
                if b"What children said" not in page:
                    raise SystemExit("the service page did not come back")
            times[(name, path)] = sorted(ms)
        return times
    finally:
        server.terminate()
        server.wait()


INDEX_TABLES = ("report_unopened", "report_comments", "report_sums", "report_response_sums", "report_answers",
                "report_responses", "report_children", "report_state", "report_recode")


def index_scaling(args, tmp):
    """The index built from nothing at a few sizes: seconds, and microseconds an answer (flat when linear)."""
    gen = os.path.join(args.build, "tools", "sayso-bench-reports")
    print("  index built from nothing (SQLite): ", end="")
    cells = []
    for n in (100000, 300000):
        db = os.path.join(tmp, "scale-%d.db" % n)
        made = json.loads(subprocess.run([gen, "sqlite:" + db, str(n)], check=True, capture_output=True,
                                         text=True).stdout)
        cells.append("%dk answers %.1f s (%.0f us an answer)" % (n // 1000, made["index_s"],
                                                                 made["index_s"] * 1e6 / made["answers"]))
        os.remove(db)
    print("; ".join(cells))


def backlog_while_serving(args, db):
    """The reports started on a store whose index is empty (a large backlog): how soon it serves, a sign-in and the
    service page while the backlog is indexed, and when it has caught up."""
    import shutil
    import sqlite3
    copy = db + ".backlog.db"
    shutil.copy(db, copy)
    with sqlite3.connect(copy) as c:
        for t in INDEX_TABLES:
            c.execute("DELETE FROM " + t)
        c.execute("UPDATE report_recode_state SET last_seq = -1")
    store = "sqlite:" + copy
    t0 = time.monotonic()
    server, port, url = start_server(args.build, "reports", store)
    serving_ms = (time.monotonic() - t0) * 1000
    try:
        views, caught_up = [], None
        while caught_up is None and time.monotonic() - t0 < 3600:
            v0 = time.monotonic()
            try:
                opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
                form = opener.open(url + "/login", timeout=120).read().decode()
                token = form.split('name="signin" value="', 1)[1][:32]
                page = opener.open(url + "/login", urllib.parse.urlencode(
                    {"name": "ada", "password": "a long enough password", "next": "/service",
                     "signin": token}).encode(), timeout=120).read()
                views.append(((time.monotonic() - v0) * 1000, b'data-k="counting' in page))
            except Exception as e:  # noqa: BLE001 - a failed view is a finding, said below
                views.append((float("inf"), str(e)))
            with urllib.request.urlopen(url + "/health", timeout=30) as h:
                if json.load(h)["caught_up"]:
                    caught_up = time.monotonic() - t0
            time.sleep(3.5)  # within the site's 20 sign-ins a minute from one address
        during = [ms for ms, note in views if note is True]
        failed = [v for v in views if v[0] == float("inf")]
        print("  reports started on the whole backlog unindexed: serving after %.0f ms; caught up after %.0f s;"
              " %d sign-ins with the service page meanwhile, median %.0f ms, max %.0f ms, %d failed (aim: never"
              " waits on the index)" % (serving_ms, caught_up or float("nan"), len(during),
                                        sorted(during)[len(during) // 2] if during else float("nan"),
                                        max(during) if during else float("nan"), len(failed)))
    finally:
        server.terminate()
        server.wait()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(copy + suffix):
                os.remove(copy + suffix)


def reports_figures(args):
    gen = os.path.join(args.build, "tools", "sayso-bench-reports")
    n = args.report_answers
    with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
        print("Reports: the service view over %d answers from 200 tablets (sayso-bench-reports makes them)" % n)
        stores = [("SQLite", "sqlite:" + os.path.join(tmp, "reports.db"))]
        pg = None
        try:
            pg = Postgres(tmp)
            stores.append(("PostgreSQL", pg.uri()))
        except Exception as e:  # noqa: BLE001 - say why and go on
            print("  PostgreSQL store: not measured (%s)" % e)
        try:
            for label, store in stores:
                made = json.loads(subprocess.run([gen, store, str(n)], check=True, capture_output=True,
                                                 text=True).stdout)
                size = ""
                if store.startswith("sqlite:"):
                    size = ", file %.0f MB" % (os.path.getsize(store[7:]) / 1e6)
                print("  %-10s made %d responses in %.1f s, indexed for reports in %.1f s%s" %
                      (label, made["responses"], made["store_s"], made["index_s"], size))
                print("  %-10s 20 more responses indexed and published in %.0f ms (a page view after a delivery)" %
                      (label, made["again_ms"]))
                for (name, path), ms in service_page_times(args.build, store).items():
                    who = "admin" if name == "ada" else "manager"
                    print("  %-10s %-8s %-31s median %5.0f ms, max %5.0f ms (aim: under 1000)" %
                          (label, who, path, ms[len(ms) // 2], ms[-1]))
                if store.startswith("sqlite:"):
                    backlog_while_serving(args, store[7:])
            index_scaling(args, tmp)
        finally:
            if pg:
                pg.stop()


HOSTILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile.py")


class Probe(threading.Thread):
    """An ordinary request every 20 ms on a new connection, as a tablet or a browser makes it, timed."""

    def __init__(self, port, method, path, body=None, headers=None):
        super().__init__(daemon=True)
        self.port, self.method, self.path, self.body, self.headers = port, method, path, body, headers or {}
        self.ms, self.failed = [], 0
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            t0 = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request(self.method, self.path, body=self.body, headers=self.headers)
                res = conn.getresponse()
                res.read()
                conn.close()
                if res.status != 200:
                    self.failed += 1
            except (OSError, http.client.HTTPException):
                self.failed += 1
            self.ms.append((time.monotonic() - t0) * 1000)
            self.stopping.wait(0.02)

    def stop(self):
        self.stopping.set()
        self.join()
        return self

    def words(self):
        if not self.ms:
            return "no requests"
        return "p50 %.1f ms, p99 %.1f ms over %d requests, %d not answered 200" % (
            percentile(self.ms, 0.5), percentile(self.ms, 0.99), len(self.ms), self.failed)


def memory_kib(pid):
    """The process's resident and peak resident memory, KiB."""
    got = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":")
                got[key] = int(value.split()[0])
    return got["VmRSS"], got["VmHWM"]


def start_server(build, command, store, extra=()):
    server = subprocess.Popen([os.path.join(build, "tools", "sayso-collector"), command, "--listen", "127.0.0.1:0",
                               "--store", store] + list(extra), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
    url = server.stdout.readline().strip().split(" ")[-1]
    return server, int(url.rsplit(":", 1)[1]), url


def attack(port, path, slow, idle, addresses=16):
    return subprocess.Popen([sys.executable, HOSTILE, "hold", "127.0.0.1", str(port), str(slow), str(idle),
                             str(addresses), "3600", path], stdout=subprocess.PIPE, text=True)


def end_attack(proc):
    proc.terminate()
    out, _ = proc.communicate(timeout=30)
    return json.loads(out) if out.strip() else {}


def hostile_figures(args):
    """The backlog delivered while slow and idle clients hold on; memory while huge bodies arrive; the reports too."""
    tool = os.path.join(args.build, "tools", "sayso-bench-delivery")
    collector_bin = os.path.join(args.build, "tools", "sayso-collector")
    slow = idle = 500
    with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
        store = "sqlite:" + os.path.join(tmp, "collector.db")
        token = lambda name: subprocess.run([collector_bin, "token", "add", name, "--store", store], check=True,
                                            capture_output=True, text=True).stdout.strip()
        kiosk_token, probe_token = token("kiosk"), token("probe")
        probe_body = json.dumps({"protocol": 1, "device_id": "probe", "responses": []})
        probe_headers = {"Authorization": "Bearer " + probe_token, "Content-Type": "application/json"}
        print("Hostile clients (tools/benchmarks/hostile.py: %d slow, %d idle, from 16 loopback addresses;"
              " SQLite store)" % (slow, idle))
        server, port, url = start_server(args.build, "serve", store, ["--rate", "0"])
        try:
            walls = {}
            for label in ("undisturbed", "under attack"):
                db = os.path.join(tmp, "kiosk-%s.db" % label.replace(" ", "-"))
                subprocess.run([tool, "fill", db, str(args.backlog)], check=True)
                hostile = None
                if label == "under attack":
                    hostile = attack(port, "/v1/responses", slow, idle)
                    time.sleep(3)  # every connection open and holding on
                probe = Probe(port, "POST", "/v1/responses", probe_body, probe_headers)
                probe.start()
                t0 = time.monotonic()
                subprocess.run([tool, "drain", db, url, kiosk_token], check=True, capture_output=True)
                walls[label] = time.monotonic() - t0
                time.sleep(max(0.0, 10 - walls[label]))  # at least 10 s of ordinary requests
                probe.stop()
                seen = end_attack(hostile) if hostile else None
                print("  %d-response backlog %-13s %6.2f s; an ordinary delivery meanwhile: %s" %
                      (args.backlog, label + ":", walls[label], probe.words()))
                if seen:
                    print("    (attack: %d connections opened, %d closed by the collector, %d answered 503, %d open"
                          " at the end)" % (seen["opened"], seen["closed_by_server"], seen["answered_503"],
                                            seen["open_at_end"]))
            print("  backlog under attack / undisturbed: %.2f x (aim: within 1.5x; p99 aim: under 200 ms)" %
                  (walls["under attack"] / walls["undisturbed"]))
        finally:
            server.terminate()
            server.wait()

        # Memory: a fresh collector, so its peak is this attack's alone.
        server, port, url = start_server(args.build, "serve", store, ["--rate", "0"])
        try:
            probe = Probe(port, "POST", "/v1/responses", probe_body, probe_headers)
            probe.start()
            time.sleep(1)
            idle_kib, _ = memory_kib(server.pid)
            sent = json.loads(subprocess.run([sys.executable, HOSTILE, "bodies", "127.0.0.1", str(port),
                                              str(1 << 30), kiosk_token], check=True, capture_output=True,
                                             text=True).stdout)
            _, peak_kib = memory_kib(server.pid)
            probe.stop()
            answers = ", ".join("%s x%d" % (k, v) for k, v in sorted(sent["answers"].items()))
            print("  %.0f MiB of hostile bodies in %d requests: collector idle %.1f MiB, peak %.1f MiB, %.1f MiB more"
                  " (aim: under 64)" % (sent["sent"] / (1 << 20), sent["requests"], idle_kib / 1024,
                                        peak_kib / 1024, (peak_kib - idle_kib) / 1024))
            print("    (answers: %s; an ordinary delivery meanwhile: %s)" % (answers, probe.words()))
        finally:
            server.terminate()
            server.wait()

        # The reports website: its sign-in page stays served.
        server, port, url = start_server(args.build, "reports", store)
        try:
            for label in ("undisturbed", "under attack"):
                hostile = attack(port, "/login", slow, idle) if label == "under attack" else None
                if hostile:
                    time.sleep(3)
                probe = Probe(port, "GET", "/login")
                probe.start()
                time.sleep(10)
                probe.stop()
                seen = end_attack(hostile) if hostile else None
                print("  reports sign-in page %-13s %s%s" % (
                    label + ":", probe.words(),
                    "" if not seen else " (attack: %d opened, %d closed by the server)" %
                    (seen["opened"], seen["closed_by_server"])))
        finally:
            server.terminate()
            server.wait()


def kept_alive(port, path, n=2000):
    """n requests, one after another, on one kept-alive connection: per-request ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ms = []
    for _ in range(n):
        t0 = time.monotonic()
        conn.request("GET", path)
        res = conn.getresponse()
        res.read()
        ms.append((time.monotonic() - t0) * 1000)
        if res.status != 200:
            raise SystemExit("GET %s answered %d" % (path, res.status))
    conn.close()
    return ms


def keepalive_figures(args):
    with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
        store = "sqlite:" + os.path.join(tmp, "collector.db")
        print("One request after another on a kept-alive connection (Python's http.client, 2000 requests)")
        rows = []
        for command, path in (("serve", "/v1/health"), ("reports", "/login")):
            server, port, _ = start_server(args.build, command, store, ["--rate", "0"] if command == "serve" else [])
            try:
                rows.append(("sayso-collector %s GET %s" % (command, path), kept_alive(port, path)))
            finally:
                server.terminate()
                server.wait()
        try:
            nginx = peer.Nginx(tmp)
            try:
                rows.append(("nginx (peer) GET a small file", kept_alive(nginx.port, "/health")))
            finally:
                nginx.stop()
        except Exception as e:  # noqa: BLE001 - say why and go on
            print("  nginx peer: not measured (%s)" % e)
        for label, ms in rows:
            print("  %-42s p50 %.3f ms, p99 %.3f ms, %6.0f requests/s (aim: under 1 ms)" %
                  (label + ":", percentile(ms, 0.5), percentile(ms, 0.99), len(ms) / (sum(ms) / 1000)))


def delivery_figures(args):
    with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
        print("Delivery on loopback (sayso-bench-delivery drain: libcurl, batches of 500, one sayso-collector)")
        n, wall = delivery(args.build, tmp, "sqlite:" + os.path.join(tmp, "collector.db"), 1, args.backlog, "sqlite")
        print("  %d-response backlog, SQLite store:      %6.2f s, %7.0f responses/s (aim: under 1 s)" %
              (n, wall, n / wall))
        small_peak = delivery.peak_mb
        n, wall = delivery(args.build, tmp, "sqlite:" + os.path.join(tmp, "collector50k.db"), 1, 5 * args.backlog, "big")
        print("  %d-response backlog, SQLite store:      %6.2f s, %7.0f responses/s; sender peak RSS %.1f MB"
              " (%.1f MB for %d)" % (n, wall, n / wall, delivery.peak_mb, small_peak, args.backlog))
        n, wall = delivery(args.build, tmp, "sqlite:" + os.path.join(tmp, "collector8.db"), 8, args.backlog // 8, "sqlite8")
        print("  8 devices at once, SQLite store:        %6.2f s, %7.0f responses/s (%d responses)" % (wall, n / wall, n))
        n, wall = delivery(args.build, tmp, "sqlite:" + os.path.join(tmp, "collector-voice.db"), 1, 100, "voice",
                           fill="fill-voice")
        print("  %d responses with a minute's recording each, SQLite store: %6.2f s (%.2f s a recording, each about"
              " 180 KiB)" % (n, wall, wall / n))
        try:
            pg = Postgres(tmp)
        except Exception as e:  # noqa: BLE001 - say why and go on
            print("  PostgreSQL store: not measured (%s)" % e)
            return 0
        try:
            n, wall = delivery(args.build, tmp, pg.uri(), 1, args.backlog, "pg")
            print("  %d-response backlog, PostgreSQL store:  %6.2f s, %7.0f responses/s (aim: under 2 s)" %
                  (n, wall, n / wall))
            n, wall = delivery(args.build, tmp, pg.uri(), 8, args.backlog // 8, "pg8")
            print("  8 devices at once, PostgreSQL store:    %6.2f s, %7.0f responses/s (%d responses)" %
                  (wall, n / wall, n))
        finally:
            pg.stop()
    return 0


def kiosk_figures(args):
    with tempfile.TemporaryDirectory(prefix="sayso-bench-") as tmp:
        starts = []
        for i in range(5):
            t, wall, _ = kiosk(args.build, args.root, tmp, "expect practitioner\n", name="start%d" % i)
            starts.append((t["first_frame_ms"], wall))
        first = sorted(s[0] for s in starts)[len(starts) // 2]
        whole = sorted(s[1] for s in starts)[len(starts) // 2]

        t, _, rss_kib = kiosk(args.build, args.root, tmp, survey_script(args.root), name="survey")
        frames = t["frame_ms"]
        t_ur, _, rss_ur = kiosk(args.build, args.root, tmp, survey_script(args.root, "ur"), name="survey-ur",
                                extra=["--allow-draft-languages"])
        frames_ur = t_ur["frame_ms"]
        text = json.loads(subprocess.run([os.path.join(args.build, "tools", "sayso-bench-text")],
                                         check=True, capture_output=True, text=True).stdout)
        t0 = time.monotonic()
        subprocess.run([os.path.join(args.build, "tools", "sayso-admin"), "preview",
                        os.path.join(args.root, "surveys", "after-my-visit"), "--out", os.path.join(tmp, "preview"),
                        "--assets", os.path.join(args.root, "assets")], check=True, capture_output=True)
        preview_s = time.monotonic() - t0
        shots = sum(len(files) for _, _, files in os.walk(os.path.join(tmp, "preview")))

        out = subprocess.run([os.path.join(args.build, "tools", "sayso-bench-storage"),
                              os.path.join(tmp, "storage"), str(args.commits)],
                             check=True, capture_output=True, text=True).stdout
        storage = json.loads(out)

        cpu = idle_cpu(args.build, args.root, tmp, args.idle_seconds)

    print("Sayso kiosk benchmark (headless, dummy video driver, software renderer, 1920x1200)")
    print("  cold start to first frame:  %7.1f ms (median of 5; whole run of a one-frame replay %.0f ms)" % (first, whole))
    print("  peak RSS (survey replay):   %7.1f MB" % (rss_kib / 1024))
    print("  frame time, 12-17 survey:   %7.1f ms mean, %.1f ms p99 over %d frames drawn (aim: p99 under 8 ms); %d"
          " frames not drawn again (nothing changed), %d not shown (a tap had changed the screen)" %
          (sum(frames) / len(frames), percentile(frames, 0.99), len(frames), t["unchanged_frames"], t["stale_frames"]))
    print("  same survey in Urdu:        %7.1f ms mean, %.1f ms p99 over %d frames; peak RSS %.1f MB" %
          (sum(frames_ur) / len(frames_ur), percentile(frames_ur, 0.99), len(frames_ur), rss_ur / 1024))
    print("  shaping + drawing one question line (50 px): Urdu %.2f ms first, %.3f ms after; Punjabi %.2f ms first,"
          " %.3f ms after (faces opened in %.1f ms)" % (text["urdu_first_ms"], text["urdu_ms"], text["punjabi_first_ms"],
                                                       text["punjabi_ms"], text["faces_open_ms"]))
    print("  espeak-ng speaking a question: English %.0f ms for %.1f s of speech, Urdu %.0f ms for %.1f s"
          " (made off the UI thread)" % (text["speak_en_ms"], text["speak_en_audio_s"], text["speak_ur_ms"],
                                         text["speak_ur_audio_s"]))
    print("  sayso-admin preview, default pack: %.1f s for %d files (3 sizes x 4 bands x 4 languages; aim: under 30 s)"
          % (preview_s, shots))
    print("  answer commit, steady:      %7.3f ms p50, %.3f ms p99 over %d commits" %
          (storage["commit_p50_ms"], storage["commit_p99_ms"], storage["count"]))
    print("  answer commit, fresh file:  %7.3f ms p50, %.3f ms p99 (the WAL still growing)" %
          (storage["fresh_commit_p50_ms"], storage["fresh_commit_p99_ms"]))
    print("  answer commit, sealed:      %7.3f ms p50, %.3f ms p99 (crypto_box_seal to a collector key)" %
          (storage["sealed_commit_p50_ms"], storage["sealed_commit_p99_ms"]))
    print("  a child's drawing, busy:    %7.1f KiB PNG (1024x768, one byte a pixel: 768 KiB at most), made in %.1f ms;"
          " sealed commit with its answer %.3f ms p50, %.3f ms p99" %
          (storage["drawing_png_bytes"] / 1024, storage["drawing_encode_ms"], storage["drawing_commit_p50_ms"],
           storage["drawing_commit_p99_ms"]))
    print("  a minute's recording:       %7.1f KiB Ogg Opus (24 kbit/s speech); encoded as it comes, %.1f ms of CPU a"
          " minute, %.2f ms at most a period; from the child's stop to a durable sealed answer %.1f ms p50, %.1f ms"
          " worst" % (storage["voice_ogg_bytes"] / 1024, storage["voice_encode_ms_per_minute"],
                      storage["voice_period_p99_ms"], storage["voice_to_durable_p50_ms"],
                      storage["voice_to_durable_max_ms"]))
    print("  bare fdatasync, same disk:  %7.3f ms p50, %.3f ms p99" %
          (storage["fdatasync_p50_ms"], storage["fdatasync_p99_ms"]))
    print("  commit p99 / fdatasync p99: %7.2f x (aim: within 2x)" %
          (storage["commit_p99_ms"] / max(storage["fdatasync_p99_ms"], 1e-6)))
    print("  idle CPU over %.0f s:         %7.2f %% of a core (aim: under 1%%)" % (args.idle_seconds, cpu))


if __name__ == "__main__":
    sys.exit(main())
