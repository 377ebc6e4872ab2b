"""Exact counts of a PHCpack-format system over QQ, three ways:
  m2:     Macaulay2: dim I, degree I, degree radical I, primaryDecomposition (deg P, deg Q)
  msolve: msolve -P 1 (rational parametrization: degree of eliminating polynomial = distinct,
          real solutions isolated) and msolve -g 1 (grevlex leading ideal mod p: standard monomials)
  sympy:  sympy groebner (grevlex, QQ) -> standard monomials; multiplication matrix of a random
          linear form u -> charpoly (python-flint, exact) -> factor over QQ: factor p^e of degree d
          = d conjugate points of multiplicity e (u separating: checked with 2 forms); real points
          = real roots of the squarefree part.
usage: .venv/bin/python benchmarks/multiple/exact.py FILE.phc [--no-sympy] [--no-m2] [--no-msolve] [--timeout S]
"""
import sys, re, json, subprocess, tempfile, os, random, time, itertools
import sympy as sp
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from algebra.msolve import binary as _msolve_binary  # noqa: E402

MSOLVE = _msolve_binary()

def parse(path):
    text = open(path).read()
    head, rest = text.split("\n", 1)
    n = int(head.split()[0])
    polys = rest.split(";")[:n]
    def rat(m):
        return f"Rational('{m.group(0)}')"
    exprs = []
    names = []
    for p in polys:  # variables by first appearance (as PHCpack numbers them)
        for tok in re.findall(r"(?<![0-9.])[A-Za-z_][A-Za-z0-9_]*", p):
            if tok not in names:
                names.append(tok)
    gens = [sp.Symbol(v) for v in names]
    loc = {"Rational": sp.Rational, **{v: g for v, g in zip(names, gens)}}
    for p in polys:
        s = p.replace("^", "**").replace("\n", " ")
        s = re.sub(r"(?<![A-Za-z_0-9.])(\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)", rat, s)
        exprs.append(sp.sympify(s, locals=loc))
    return [sp.Poly(sp.expand(e), *gens, domain="QQ") for e in exprs], gens

def m2str(P):
    return str(P.as_expr()).replace("**", "^")

def run_m2(polys, gens, timeout):
    v = ",".join(map(str, gens))
    I = ",".join(m2str(P) for P in polys)
    script = f"""R = QQ[{v}];
I = ideal({I});
d = dim I;
print("DIM " | toString d);
if d == 0 then (
  print("DEG " | toString degree I);
  print("RAD " | toString degree radical I);
  pd = primaryDecomposition I;
  for Q in pd do print("COMP " | toString degree radical Q | " " | toString degree Q);
) else (
  pd = primaryDecomposition I;
  for Q in pd do print("COMPD " | toString dim Q | " " | toString degree radical Q | " " | toString degree Q);
);
"""
    with tempfile.NamedTemporaryFile("w", suffix=".m2", delete=False) as f:
        f.write(script)
    t = time.time()
    try:
        r = subprocess.run(["M2", "--script", f.name], capture_output=True, text=True, timeout=timeout)
        out = r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    finally:
        os.unlink(f.name)
    res = {"seconds": round(time.time() - t, 1), "comps": [], "compsd": []}
    for line in out.splitlines():
        w = line.split()
        if not w: continue
        if w[0] == "DIM": res["dim"] = int(w[1])
        elif w[0] == "DEG": res["degree"] = int(w[1])
        elif w[0] == "RAD": res["radical_degree"] = int(w[1])
        elif w[0] == "COMP": res["comps"].append((int(w[1]), int(w[2])))
        elif w[0] == "COMPD": res["compsd"].append((int(w[1]), int(w[2]), int(w[3])))
    if "dim" not in res:
        res["error"] = out[-500:]
    if res["comps"]:
        mult = []
        for npts, dq in res["comps"]:
            assert dq % npts == 0
            mult += [dq // npts] * npts
        res["multiplicities"] = sorted(mult)
    return res

def msolve_in(polys, gens):
    lines = [",".join(map(str, gens)), "0"]
    ps = []
    for P in polys:
        # clear denominators: msolve wants integer coefficients
        den = sp.ilcm(1, 1, *[sp.Rational(c).q for c in P.coeffs()])
        ps.append(str((P * den).as_expr()).replace("**", "^").replace(" ", ""))
    return "\n".join(lines) + "\n" + ",\n".join(ps) + "\n"

def run_msolve(polys, gens, timeout):
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        fin = os.path.join(tmp, "in.ms")
        open(fin, "w").write(msolve_in(polys, gens))
        fout = os.path.join(tmp, "out.ms")
        t = time.time()
        try:
            subprocess.run([MSOLVE, "-f", fin, "-o", fout, "-P", "1", "--random-seed", "7"], capture_output=True, text=True, timeout=timeout)
            txt = open(fout).read() if os.path.exists(fout) else ""
        except subprocess.TimeoutExpired:
            txt = ""; res["error"] = "timeout"
        res["seconds"] = round(time.time() - t, 1)
        if txt:
            res.update(parse_msolve(txt, len(gens)))
        # leading ideal mod p
        fout2 = os.path.join(tmp, "lm.ms")
        try:
            r = subprocess.run([MSOLVE, "-f", fin, "-o", fout2, "-g", "1"], capture_output=True, text=True, timeout=timeout)
            lm = open(fout2).read() if os.path.exists(fout2) else r.stdout
            res["std_monomials_modp"] = count_std(lm, [str(g) for g in gens])
        except subprocess.TimeoutExpired:
            res["std_error"] = "timeout"
    return res

def parse_msolve(txt, n):
    flat = txt.replace("\n", "").replace(" ", "").rstrip(":")
    if flat.startswith("[-1"):
        return {"empty": True}
    if re.match(r"\[1,%d,-1" % n, flat):
        return {"positive_dimensional": True}
    m = re.match(r"\[0,\[0,(\d+),(\d+),\[[^\]]*\],\[[^\]]*\],\[1,\[\[(\d+),\[", flat)
    out = {}
    if not m:
        out["unparsed"] = flat[:200]
        return out
    out["nvars_param"] = int(m.group(1)); out["quotient_dim"] = int(m.group(2)); out["elim_degree"] = int(m.group(3))
    # real solutions: the last top-level element of the outer list is [1, [points]] or similar
    depth = 0; starts = []
    for i, ch in enumerate(flat):
        if ch == "[":
            depth += 1
            if depth == 2: starts.append(i)
        elif ch == "]":
            depth -= 1
    last = flat[starts[-1]:]          # "[1,[pt,pt,...]]]"
    k = last.index("[", 1)           # the list of points
    depth = 0; npts = 0
    for ch in last[k:]:
        if ch == "[":
            depth += 1
            if depth == 2: npts += 1
        elif ch == "]":
            depth -= 1
            if depth == 0: break
    out["real_points"] = npts
    return out

def count_std(lm_text, names):
    """number of standard monomials of a monomial ideal given as lines of monomials"""
    body = "\n".join(l for l in lm_text.splitlines() if not l.startswith("#")).replace("[", "").replace("]", "").replace(":", "")
    mons = [s.strip() for s in re.split(r"[,\n]", body) if s.strip()]
    n = len(names)
    exps = []
    for m in mons:
        e = [0] * n
        for f in m.split("*"):
            f = f.strip()
            if not f or re.fullmatch(r"-?\d+", f): continue
            if "^" in f:
                v, p = f.split("^"); e[names.index(v)] += int(p)
            else:
                e[names.index(f)] += 1
        exps.append(tuple(e))
    return count_standard(exps, n)

def count_standard(exps, n):
    # check zero-dim: each variable has a pure power
    bounds = []
    for i in range(n):
        pure = [e[i] for e in exps if all(e[j] == 0 for j in range(n) if j != i) and e[i] > 0]
        if not pure: return None
        bounds.append(min(pure))
    cnt = 0
    def rec(i, cur):
        nonlocal cnt
        if i == n:
            if not any(all(c >= x for c, x in zip(cur, e)) for e in exps):
                cnt += 1
            return
        for k in range(bounds[i]):
            cur.append(k)
            # prune: if already divisible by some generator restricted to first i+1 vars with zeros after
            if not any(all(c >= x for c, x in zip(cur, e[:i+1])) and all(x == 0 for x in e[i+1:]) for e in exps):
                rec(i + 1, cur)
            cur.pop()
    rec(0, [])
    return cnt

def run_sympy(polys, gens, timeout_unused=None, seeds=(1, 2)):
    import flint
    t = time.time()
    G = sp.groebner([P.as_expr() for P in polys], *gens, order="grevlex", domain="QQ")
    lms = [sp.Poly(g, *gens).monoms(order=sp.polys.orderings.grevlex)[0] for g in G.exprs]
    n = len(gens)
    D = count_standard(lms, n)
    res = {"gb_seconds": round(time.time() - t, 1)}
    if D is None:
        res["zero_dim"] = False
        return res
    res["zero_dim"] = True
    res["with_multiplicity"] = D
    # standard monomials
    bounds = [min(e[i] for e in lms if all(e[j] == 0 for j in range(n) if j != i) and e[i] > 0) for i in range(n)]
    basis = [m for m in itertools.product(*[range(b) for b in bounds])
             if not any(all(c >= x for c, x in zip(m, e)) for e in lms)]
    idx = {m: k for k, m in enumerate(basis)}
    mono = lambda m: sp.Mul(*[g**e for g, e in zip(gens, m)])
    results = []
    for seed in seeds:
        rnd = random.Random(seed)
        u = sum(rnd.randint(-10**6, 10**6) * g for g in gens) if n > 1 else gens[0]
        rows = []
        for m in basis:
            _, r = G.reduce(sp.expand(u * mono(m)))
            P = sp.Poly(r, *gens)
            col = [sp.Rational(0)] * D
            for mm, c in P.terms():
                col[idx[mm]] = sp.Rational(c)
            rows.append(col)
        M = flint.fmpq_mat(D, D, [flint.fmpq(int(c.p), int(c.q)) for row in rows for c in row])
        cp = M.charpoly()
        _, facs = cp.factor()
        mults, real = [], 0
        for f, e in facs:
            d = f.degree()
            mults += [e] * d
            coeffs = [sp.Rational(int(c.p), int(c.q)) for c in f.coeffs()]
            x = sp.Symbol("t")
            real += int(sp.Poly(list(reversed(coeffs)), x).count_roots())
        results.append({"distinct": len(mults), "multiplicities": sorted(mults), "real_distinct": real})
    best = max(results, key=lambda r: r["distinct"])
    res.update(best)
    res["separating_agree"] = all(r == results[0] for r in results)
    res["seconds"] = round(time.time() - t, 1)
    return res

if __name__ == "__main__":
    args = sys.argv[1:]
    path = args[0]
    to = 300
    if "--timeout" in args: to = float(args[args.index("--timeout") + 1])
    polys, gens = parse(path)
    out = {"file": os.path.basename(path), "n": len(gens), "total_degree": int(sp.prod([P.total_degree() for P in polys]))}
    if "--no-m2" not in args: out["m2"] = run_m2(polys, gens, to)
    if "--no-msolve" not in args: out["msolve"] = run_msolve(polys, gens, to)
    if "--no-sympy" not in args: out["sympy"] = run_sympy(polys, gens)
    print(json.dumps(out, default=int))
