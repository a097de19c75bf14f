#!/usr/bin/python3
"""Signs in to the Sayso reports site in headless Chromium and saves each page
as a desktop screenshot, an A4 print-media screenshot and an A4 PDF.

usage: shoot.py BASE_URL NAME PASSWORD OUT_DIR PATH=SHOT_NAME...

Each page's audio elements are loaded as a listener's browser would: one line
"audio SRC SECONDS" each (or "audio SRC error CODE").

Talks to Chromium over its DevTools protocol (Debian: chromium,
python3-websocket). Prints one line per file written; exits non-zero on any
failure, saying what failed."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import websocket

A4_CSS_PX = (794, 1123)  # 210 x 297 mm at 96 px per inch


class Chrome:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="sayso-chromium-")
        self.proc = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             "--remote-debugging-port=0", "--user-data-dir=" + self.profile, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and len(open(port_file).read().split("\n")) >= 2:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("Chromium did not start (no DevToolsActivePort)")
        port, path = open(port_file).read().split("\n")[:2]
        self.ws = websocket.create_connection("ws://127.0.0.1:%s%s" % (port, path), timeout=60)
        self.next_id = 0
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})

    def wait_for(self, event, seconds=30):
        end = time.time() + seconds
        while time.time() < end:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == event:
                return msg
        raise RuntimeError("no %s within %d s" % (event, seconds))

    def goto(self, url):
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, js):
        return self.call("Runtime.evaluate", {"expression": js, "returnByValue": True}, session=True)

    def audio(self, seconds=15):
        """Each audio element once its length is known (or it failed): "audio SRC SECONDS" or "audio SRC error CODE"."""
        end = time.time() + seconds
        while True:
            state = self.evaluate(
                "JSON.stringify([...document.querySelectorAll('audio')].map(a => "
                "[a.getAttribute('src'), a.error ? a.error.code : 0, a.readyState, a.duration]))")["result"]["value"]
            state = json.loads(state)
            settled = all(err or (ready >= 1 and dur is not None and dur != float("inf")) for _, err, ready, dur in state)
            if settled or time.time() > end:
                return ["audio %s %s" % (src, ("error %d" % err) if err else dur if dur is not None else "unknown (ready state %d)" % ready) for src, err, ready, dur in state]
            time.sleep(0.2)

    def size(self, width, height, print_media):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)
        self.call("Emulation.setEmulatedMedia", {"media": "print" if print_media else "screen"}, session=True)

    def shot(self, file, width, print_media):
        self.size(width, 800, print_media)
        height = self.evaluate("document.documentElement.scrollHeight")["result"]["value"]
        height = max(600, min(int(height), 6000))
        if print_media:
            height = A4_CSS_PX[1]  # the first printed page
        self.size(width, height, print_media)
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        open(file, "wb").write(base64.b64decode(data))

    def pdf(self, file):
        self.size(1280, 800, False)
        data = self.call("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True,
                                             "preferCSSPageSize": True}, session=True)["data"]
        open(file, "wb").write(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def main():
    if len(sys.argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    base, name, password, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    chrome = Chrome()
    try:
        chrome.goto(base + "/login")
        chrome.evaluate("document.querySelector('[name=name]').value = %s;"
                        "document.querySelector('[name=password]').value = %s;"
                        "document.querySelector('form').submit();" % (json.dumps(name), json.dumps(password)))
        chrome.wait_for("Page.loadEventFired")
        where = chrome.evaluate("location.pathname")["result"]["value"]
        if where == "/login":
            raise RuntimeError("signing in as %s failed" % name)
        for spec in sys.argv[5:]:
            path, shot = spec.rsplit("=", 1)
            chrome.goto(base + path)
            for line in chrome.audio():
                print(line)
            for file, width, media in ((shot + "-desktop.png", 1280, False), (shot + "-a4.png", A4_CSS_PX[0], True)):
                chrome.shot(os.path.join(out, file), width, media)
                print(os.path.join(out, file))
            chrome.pdf(os.path.join(out, shot + ".pdf"))
            print(os.path.join(out, shot + ".pdf"))
    finally:
        chrome.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # one line a person can read
        print("shoot.py: %s" % e, file=sys.stderr)
        sys.exit(1)
