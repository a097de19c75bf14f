"""The peers tools/bench measures Sayso against, run in the same invocation:
Chromium showing a SurveyJS survey of the same questions (the packages come
from npm, for the benchmark only: tools/benchmarks/peer/package-lock.json),
and nginx answering on a kept-alive connection. Each is skipped, with the
reason, where it can't run.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def median(values):
    v = sorted(values)
    return v[len(v) // 2]


def install_surveyjs(build):
    """npm ci of the pinned SurveyJS packages into BUILD/peer; the folder, or raises saying why not."""
    if not shutil.which("npm"):
        raise RuntimeError("npm is not installed")
    dest = os.path.join(build, "peer")
    os.makedirs(dest, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        src = os.path.join(HERE, "peer", name)
        if not os.path.exists(os.path.join(dest, name)) or open(src).read() != open(os.path.join(dest, name)).read():
            shutil.copy(src, dest)
            shutil.rmtree(os.path.join(dest, "node_modules"), ignore_errors=True)
    if not os.path.isdir(os.path.join(dest, "node_modules", "survey-js-ui")):
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", dest], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("npm ci failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    return dest


def surveyjs_json(pack, band_id, lang="en"):
    """The band's questions as a SurveyJS survey, one question a page, as the kiosk asks them."""
    band = next(b for b in pack["bands"] if b["id"] == band_id)

    def text(t):
        return t.get(lang) or next(iter(t.values())) if isinstance(t, dict) else str(t)

    elements = []
    for q in band["questions"]:
        e = {"name": q["id"], "title": text(q.get("text", q.get("title", q["id"])))}
        kind = q["kind"]
        if kind == "faces":
            e.update(type="rating", rateType="smileys", rateCount=5)
        elif kind == "yes_no":
            e.update(type="radiogroup", choices=["Yes", "Not sure", "No"])
        elif kind == "pick_many":
            e.update(type="checkbox", choices=[text(o.get("label", o["id"])) for o in q.get("options", [])])
        elif kind == "pick_one":
            e.update(type="radiogroup", choices=[text(o.get("label", o["id"])) for o in q.get("options", [])])
        else:
            e.update(type="comment")
        elements.append(e)
    return {"questionsOnPageMode": "questionPerPage", "showQuestionNumbers": "off", "elements": elements}


def surveyjs_page(peer_dir, tmp, survey):
    nm = os.path.join(peer_dir, "node_modules")
    page = os.path.join(tmp, "surveyjs.html")
    with open(page, "w") as f:
        f.write("""<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://%s/survey-core/survey-core.min.css">
<script src="file://%s/survey-core/survey.core.min.js"></script>
<script src="file://%s/survey-js-ui/survey-js-ui.min.js"></script>
</head><body><div id="s"></div><script>
SurveyUI.renderSurvey(new Survey.Model(%s), document.getElementById("s"));
</script></body></html>""" % (nm, nm, nm, json.dumps(survey)))
    return page


def chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    raise RuntimeError("Chromium is not installed")


def chromium_args(tmp, size, extra=()):
    w, h = size.split("x")
    # As root Chromium needs --no-sandbox; a fresh profile each run, as a first start.
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp)
    return [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=" + profile, "--window-size=%s,%s" % (w, h), *extra]


def chromium_first_question(tmp, page, size):
    """Spawn to the survey's first question drawn and written as a screenshot, and the process gone: ms."""
    shot = os.path.join(tmp, "chromium-q1.png")
    if os.path.exists(shot):
        os.remove(shot)
    t0 = time.monotonic()
    subprocess.run(chromium_args(tmp, size, ["--screenshot=" + shot, "file://" + page]), capture_output=True,
                   timeout=120)
    ms = (time.monotonic() - t0) * 1000
    if not os.path.exists(shot):
        raise RuntimeError("Chromium wrote no screenshot")
    return ms


def group_pss_kib(sid):
    """The proportional memory of every process in session `sid`, KiB, and how many processes."""
    total, n = 0, 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getsid(int(pid)) != sid:
                continue
            with open("/proc/%s/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        n += 1
        except (OSError, ProcessLookupError):
            continue
    return total, n


def chromium_pss_at_first_question(tmp, page, size, settle=4.0):
    """Chromium left showing the survey's first question: the PSS of all its processes, KiB, and their number."""
    proc = subprocess.Popen(chromium_args(tmp, size, ["--remote-debugging-port=0", "file://" + page]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(settle)  # well past the first question's drawing (about 1.5 s here)
        return group_pss_kib(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Nginx:
    """Debian's nginx serving one small file on a loopback port, as the keep-alive peer."""

    def __init__(self, tmp):
        exe = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if not exe:
            raise RuntimeError("nginx is not installed")
        self.dir = os.path.join(tmp, "nginx")
        os.makedirs(os.path.join(self.dir, "www"))
        os.chmod(tmp, 0o755)  # its workers run as another user
        with open(os.path.join(self.dir, "www", "health"), "w") as f:
            f.write('{"ok":true}')
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""daemon off; worker_processes 1; pid %(d)s/nginx.pid; error_log %(d)s/error.log;
events { worker_connections 64; }
http { access_log off; keepalive_requests 100000; client_body_temp_path %(d)s; proxy_temp_path %(d)s;
  fastcgi_temp_path %(d)s; uwsgi_temp_path %(d)s; scgi_temp_path %(d)s;
  server { listen 127.0.0.1:%(p)d; root %(d)s/www; location / { default_type application/json; } } }
""" % {"d": self.dir, "p": self.port})
        self.proc = subprocess.Popen([exe, "-c", conf, "-p", self.dir], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
