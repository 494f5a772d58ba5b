"""`python -m bench.library_update URL FILE`: what an upload and a removal cost a running app.

Against a live `python app.py`: commit FILE through POST /api/documents, poll the
background update until the app serves the new build, then DELETE it again; all
the while N clients ask questions through /api/ask.  Prints, per phase, the
update time, the chunks embedded, and the question latencies (p50/p95/max) and
errors seen while the update ran.

    python app.py --port 7860 &
    python -m bench.library_update http://127.0.0.1:7860 plan.docx --clients 4 [--token T]
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time

import requests

QUESTIONS = ("哪个区要求严重精神障碍患者报告患病率不低于4.5%？", "哪些区提到了家庭医生签约服务？",
             "Which district targets a 4.5% reported prevalence?")


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))] if xs else float("nan")


def _phase(base: str, start, clients: int) -> dict:
    """Run `start()` (which begins an update) while clients ask; wait until the update is done."""
    lat: list[float] = []
    errors: list[str] = []
    stop = threading.Event()
    running = threading.Event()

    def client(i: int):
        s = requests.Session()
        n = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                r = s.post(base + "/api/ask", json={"question": QUESTIONS[(i + n) % len(QUESTIONS)]}, timeout=120)
                ok = r.status_code == 200 and r.json().get("answer")
            except requests.RequestException as e:
                ok, r = False, e
            if running.is_set():
                (lat.append(time.perf_counter() - t0) if ok else errors.append(str(r)[:100]))
            n += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    running.set()
    t0 = time.perf_counter()
    result = start()
    while True:
        job = requests.get(base + "/api/documents", timeout=60).json()["job"]
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    took = time.perf_counter() - t0
    running.clear()
    stop.set()
    for t in threads:
        t.join(130)
    return {"result": result, "job": job, "seconds": took, "lat": lat, "errors": errors}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url")
    p.add_argument("file")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--token", default="")
    args = p.parse_args(argv)
    base = args.url.rstrip("/")
    auth = {"Authorization": f"Bearer {args.token}"} if args.token else {}

    def upload():
        with open(args.file, "rb") as f:
            r = requests.post(base + "/api/documents", files={"file": f}, data={"action": "commit"}, headers=auth,
                              timeout=300)
        r.raise_for_status()
        return r.json()["document"]["doc_id"]

    added = _phase(base, upload, args.clients)
    doc_id = added["result"]
    removed = _phase(base, lambda: requests.delete(f"{base}/api/documents/{doc_id}", headers=auth, timeout=60)
                     .raise_for_status(), args.clients)
    print(f"| phase | update s | embedded | state | questions answered meanwhile | p50 ms | p95 ms | max ms | errors |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for name, ph in (("upload", added), ("remove", removed)):
        ms = [x * 1000 for x in ph["lat"]]
        print(f"| {name} | {ph['seconds']:.1f} | {ph['job'].get('embedded', 0)} | {ph['job']['state']} | {len(ms)} | "
              f"{statistics.median(ms) if ms else float('nan'):.0f} | {_pct(ms, 0.95):.0f} | {max(ms, default=0):.0f} | "
              f"{len(ph['errors'])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
