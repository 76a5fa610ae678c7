import sys, time, shutil, cProfile, pstats
sys.path.insert(0, "/tmp/prof")
from pathlib import Path
from datetime import date
from shapes import SHAPES
from pcplan.engine import Options, check
SAMPLE = Path("/work/main/sample_cases")
def make_repo(root):
    if root.exists(): shutil.rmtree(root)
    root.mkdir(parents=True)
    for n in ("pcplan.toml", "staff.yaml"): shutil.copy(SAMPLE / n, root / n)
    shutil.copytree(SAMPLE / "members/M-000123", root / "members/M-000123")
def run(shape, n, prof=False):
    root = Path(f"/tmp/prof/repo")
    make_repo(root)
    target = root / "members/M-000123/notes/big.yaml"
    if shape.startswith(("plan", "assessment")):
        target = root / "members/M-000123/big.yaml"
    target.write_text(SHAPES[shape](n))
    t = time.perf_counter()
    if prof:
        p = cProfile.Profile(); p.enable()
    r = check([target], Options(today=date(2026,11,22)), cwd=root)
    if prof:
        p.disable(); pstats.Stats(p).sort_stats("cumulative").print_stats(25)
    dt = time.perf_counter() - t
    from collections import Counter
    return dt, Counter(f.code for f in r.findings)
if __name__ == "__main__":
    shapes = sys.argv[1].split(",") if len(sys.argv) > 1 and sys.argv[1] != "all" else list(SHAPES)
    sizes = [int(x) for x in sys.argv[2].split(",")] if len(sys.argv) > 2 else [1000, 4000]
    prof = len(sys.argv) > 3
    for s in shapes:
        out = []
        for n in sizes:
            dt, c = run(s, n, prof)
            out.append(f"{n}: {dt:.3f}s {dict(c.most_common(3))}")
        print(s, " | ".join(out), flush=True)
