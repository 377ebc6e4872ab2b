"""Read polynomial systems written in PHCpack's input format, without sympy.

The format: a first line with the number of polynomials (and the number of unknowns after it
when the two differ), then the polynomials, each ending in ';' and free to span several lines.
What follows the announced polynomials is ignored, as PHCpack ignores it: titles, solution
lists, root counts; unless it reads as one more polynomial in the same unknowns, a sign
that the count is wrong (an error). Unknowns are numbered by first appearance, as PHCpack numbers them; ``i``
and ``I`` standing alone are the imaginary unit (``i1`` and ``ix`` are unknowns).

Accepted: +, -, *, ^ or **, division by a nonzero constant, parentheses and integer powers
of them, numbers such as 3, 1.e+5 or 1.0E+00; no implicit products. A line "renamed for
PHCpack: a -> wa, ..." after the polynomials (written by ``exports.to_phc``) is undone, so
that an export reads back as the system it came from. Every refusal is a SpecError of one
line naming the source, the line and the cause: also non-finite coefficients, overflow, and
expansions beyond the limits below.

A tokenizer and a recursive-descent parser do the arithmetic directly on dicts
{monomial: coefficient}, a monomial being a sorted tuple of (unknown index, exponent) pairs, so
the number of unknowns need not be known while reading. sympy was dropped: it refused a
variable met in two terms ("duplicated generators") and is slow on large files.

>>> s = parse_phc("1\\nx^2 + x - 2;\\n")
>>> s.variables, s.monomials.tolist(), s.coefficients.toarray().tolist()
(('x',), [[0], [1], [2]], [[-2.0, 1.0, 1.0]])
>>> parse_phc("1\\n(x - 1)*(x + 2)/2;\\n").coefficients.toarray().tolist()
[[-1.0, 0.5, 0.5]]
"""
from __future__ import annotations

import cmath
import re

import numpy as np
from scipy import sparse

from algebra.errors import SpecError
from algebra.polys import PolySystem, combine

MAX_EXPONENT = 10**12   # per unknown and monomial: keeps sums of exponents inside int64
MAX_TERMS = 10**6       # terms of one expanded product or power
MAX_PRODUCTS = 10**7    # term-by-term multiplications of one product (about seconds of work)
MAX_CELLS = 5 * 10**7   # terms x unknowns of the dense exponent matrix (400 MB of int64)
MAX_DEPTH = 100         # nested parentheses: far below Python's recursion limit

# One token after optional blanks; a number glued to a letter, digit or dot ("2x", "3e",
# "1.2.3") and any other character are unreadable.
_TOKEN = re.compile(r"""\s*(?:
    (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)(?P<glued>[A-Za-z0-9_.])?
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^();])
  | (?P<bad>.))""", re.VERBOSE | re.DOTALL)
_BLANKS = re.compile(r"\s*")
_GLUED_WORD = re.compile(r"[A-Za-z0-9_.]{1,20}")
_WORD = re.compile(r"[^\s;]{1,20}")
_RENAMED = re.compile(r"^renamed for PHCpack: (.*)$", re.M)  # written by exports.to_phc
_PAIR = re.compile(r"([A-Za-z_][A-Za-z0-9_]*) -> ([A-Za-z_][A-Za-z0-9_]*)")
_NOT_FINITE = ("inf", "infinity", "nan")


class _Fail(Exception):
    """A cause and where in the text (None: at the last token read, filled in by the parser).
    Positions, not lines: counting newlines only when something fails keeps reading fast."""

    def __init__(self, cause: str, pos: int | None = None):
        super().__init__(cause)
        self.cause, self.pos = cause, pos


# --- arithmetic on {monomial: coefficient} ------------------------------------------------

def _finite(p: dict) -> dict:
    if not all(cmath.isfinite(c) for c in p.values()):
        raise _Fail("a coefficient overflows: not a finite double")
    return p


def _nonzero(p: dict) -> dict:
    return p if all(p.values()) else {m: c for m, c in p.items() if c}


def _mono_mul(a: tuple, b: tuple, k: int = 1) -> tuple:
    """The monomial a * b^k."""
    if not b:
        return a
    out = dict(a)
    _add_exponents(out, [(v, e * k) for v, e in b])
    return tuple(sorted(out.items()))


def _add_exponents(exps: dict, pairs) -> None:
    for v, e in pairs:
        exps[v] = exps.get(v, 0) + e
        if exps[v] > MAX_EXPONENT:
            raise _Fail(f"an exponent reaches {exps[v]:,}, more than {MAX_EXPONENT:,}")


def _multiply(a: dict, b: dict) -> dict:
    a, b = _nonzero(a), _nonzero(b)
    if len(a) * len(b) > MAX_PRODUCTS:
        raise _Fail(f"expanding a product of {len(a):,} by {len(b):,} terms takes more than "
                    f"{MAX_PRODUCTS:,} multiplications: expand it before writing the file")
    if len(a) < len(b):
        a, b = b, a
    if len(b) == 1 and () in b:  # times a constant: the common case "2.5*x^2"
        c = b[()]
        return _finite({m: x * c for m, x in a.items()})
    out: dict = {}
    for mb, cb in b.items():
        for ma, ca in a.items():
            m = _mono_mul(ma, mb)
            out[m] = out.get(m, 0) + ca * cb
        if len(out) > MAX_TERMS:  # checked as it grows: the dict itself could exhaust memory
            raise _Fail(f"a product expands to more than {MAX_TERMS:,} terms")
    return _finite(out)


def _quotient(c, b: dict):
    """c / b for a constant polynomial b."""
    b = _nonzero(b)
    if any(m for m in b):
        raise _Fail("division by a polynomial that is not a constant")
    if not b:
        raise _Fail("division by zero")
    try:
        return c / b[()]
    except (OverflowError, ZeroDivisionError):
        raise _Fail("a coefficient overflows: not a finite double") from None


def _term_bound(p: dict, k: int) -> int:
    """An upper bound on the number of terms of p^k, counted no further than MAX_TERMS + 1:
    its monomials are sums of k of p's t monomials, so at most C(t + k - 1, k) of them, and
    at most one per point of the box their exponents can reach."""
    t = len(p)
    r, n = min(k, t - 1), k + t - 1
    multisets = 1
    for j in range(1, r + 1):  # C(n - r + j, j) grows with j: stop once it is too many
        multisets = multisets * (n - r + j) // j
        if multisets > MAX_TERMS:
            break
    count: dict = {}
    low: dict = {}
    high: dict = {}
    for m in p:
        for v, e in m:
            count[v] = count.get(v, 0) + 1
            low[v], high[v] = min(low.get(v, e), e), max(high.get(v, e), e)
    for v in count:
        if count[v] < t:  # absent from some monomial: exponent 0 there
            low[v] = 0
    box = 1
    for v in high:
        box *= k * (high[v] - low[v]) + 1
        if box > MAX_TERMS:
            break
    return min(multisets, box)


def _power(p: dict, k: int) -> dict:
    p = _nonzero(p)
    if k == 0:
        return {(): 1.0}
    if len(p) <= 1:  # a monomial (or zero): no expansion, exponents up to MAX_EXPONENT
        out = {}
        for m, c in p.items():
            try:
                out[_mono_mul((), m, k)] = c ** k
            except OverflowError:
                raise _Fail("a coefficient overflows: not a finite double") from None
        return _finite(out)
    if _term_bound(p, k) > MAX_TERMS:
        raise _Fail(f"a power ^{k} of a polynomial with {len(p):,} terms would expand to more "
                    f"than {MAX_TERMS:,} terms")
    out, base = None, p
    while k:  # square and multiply
        if k & 1:
            out = base if out is None else _multiply(out, base)
        k >>= 1
        if k:
            base = _multiply(base, base)
    return out


# --- tokens and grammar ---------------------------------------------------------------------

class _Tokens:
    """The tokens of text[start:end], one polynomial's worth (up to its ';'): the text after the
    last polynomial is never tokenized, and an unreadable token fails only when reached."""

    def __init__(self, text: str, start: int, end: int):
        self.items: list[tuple[str, str, int]] = []  # (kind, text, position)
        for m in _TOKEN.finditer(text, start, end):
            kind = m.lastgroup
            if kind in ("glued", "bad"):
                at = m.start("num" if kind == "glued" else "bad")
                word = (_GLUED_WORD if kind == "glued" else _WORD).match(text, at).group()
                self.items.append(("bad", word, at))
                break
            if kind is not None:  # None: blanks at the end
                self.items.append((kind, m.group(kind), m.start(kind)))
        self.items.append(("end", "", end))
        self.i = 0
        self.last = start  # position of the last token read

    def peek(self) -> tuple[str, str, int]:
        tok = self.items[self.i]
        if tok[0] == "bad":
            raise _Fail(f"cannot read {tok[1]!r}", tok[2])
        return tok

    def next(self) -> tuple[str, str, int]:
        tok = self.peek()
        self.i += 1
        self.last = tok[2]
        return tok

    def is_op(self, ops: tuple[str, ...]) -> bool:
        kind, text, _ = self.items[self.i]
        return kind == "op" and text in ops


class _Parser:
    """polynomial := sum ';'     sum := term {('+'|'-') term}     term := factor {('*'|'/') factor}
    factor := {'+'|'-'} power    power := atom [('^'|'**') integer]
    atom := number | unknown | 'i' | 'I' | '(' sum ')'

    ``unknowns`` (name -> index) grows as names are met, unless ``frozen``."""

    def __init__(self, tokens: _Tokens, unknowns: dict[str, int], frozen: bool = False):
        self.lex, self.unknowns, self.frozen = tokens, unknowns, frozen
        self.depth = 0

    def polynomial(self) -> dict:
        try:
            p = self.sum()
            self._expect(";")
        except _Fail as f:
            if f.pos is None:  # raised by the arithmetic: at the last token read
                f.pos = self.lex.last
            raise
        return p

    def _expect(self, op: str):
        kind, text, pos = self.lex.next()
        if kind == "end":
            raise _Fail(f"the text ends where {op!r} is expected", pos)
        if text != op:
            raise _Fail(f"unexpected {text!r} where {op!r} or an operator is expected", pos)

    def sum(self) -> dict:
        out: dict = {}
        sign = 1
        while True:
            for m, c in self.term().items():
                out[m] = out.get(m, 0) + (c if sign > 0 else -c)
            if not self.lex.is_op(("+", "-")):
                return _finite(out)
            sign = 1 if self.lex.next()[1] == "+" else -1

    def term(self) -> dict:
        """Monomial factors are merged as they come into one exponent dict and one coefficient:
        a dict and a sorted tuple per factor made the long products of exported files slow."""
        out = None             # product of the factors with several terms, if any
        coef, exps = 1.0, {}   # product of the other factors (divisors inverted)
        op = "*"
        while True:
            kind, text, _ = self.lex.peek()
            if op == "*" and kind == "name" and text not in ("i", "I"):  # the common x or x^k
                _add_exponents(exps, [self._unknown_power()])
            else:
                q = self.factor()
                if op == "/":
                    coef = _quotient(coef, q)
                elif len(q) == 1:
                    (m, c), = q.items()
                    coef = coef * c
                    _add_exponents(exps, m)
                else:
                    out = q if out is None else _multiply(out, q)
            if not self.lex.is_op(("*", "/")):
                break
            op = self.lex.next()[1]
        monomial = _finite({tuple(sorted((v, e) for v, e in exps.items() if e)): coef})
        return monomial if out is None else _multiply(out, monomial)

    def _unknown_power(self) -> tuple[int, int]:
        _, name, pos = self.lex.next()
        v = self._index(name, pos)
        if self.lex.is_op(("^", "**")):
            self.lex.next()
            return v, self.exponent()
        return v, 1

    def factor(self) -> dict:
        negative = False
        while self.lex.is_op(("+", "-")):  # a loop, not recursion: "- - -x" is fine
            negative ^= self.lex.next()[1] == "-"
        p = self.power()
        return {m: -c for m, c in p.items()} if negative else p

    def power(self) -> dict:
        p = self.atom()
        if self.lex.is_op(("^", "**")):
            self.lex.next()
            p = _power(p, self.exponent())
        return p

    def exponent(self) -> int:
        kind, text, pos = self.lex.next()
        if text == "-":
            raise _Fail("negative exponent: only polynomials can be read", pos)
        if kind != "num" or not text.isdigit():
            raise _Fail(f"an exponent must be a non-negative integer, got {text!r}", pos)
        if len(text.lstrip("0")) > len(str(MAX_EXPONENT)):
            raise _Fail(f"exponent {text[:30]} is more than {MAX_EXPONENT:,}", pos)
        return int(text)

    def atom(self) -> dict:
        kind, text, pos = self.lex.next()
        if kind == "num":
            value = float(text)
            if not cmath.isfinite(value):
                raise _Fail(f"{text!r} is not a finite double", pos)
            return {(): value}
        if kind == "name":
            return self._name(text, pos)
        if text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Fail(f"parentheses nested more than {MAX_DEPTH} deep", pos)
            p = self.sum()
            self._expect(")")
            self.depth -= 1
            return p
        if kind == "end":
            raise _Fail("the text ends inside a polynomial", pos)
        raise _Fail(f"unexpected {text!r}", pos)

    def _name(self, name: str, pos: int) -> dict:
        if name in ("i", "I"):
            return {(): 1j}
        return {((self._index(name, pos), 1),): 1.0}

    def _index(self, name: str, pos: int) -> int:
        """The unknown's number, given at its first appearance."""
        index = self.unknowns.get(name)
        if index is None:
            if name.lower() in _NOT_FINITE:
                raise _Fail(f"{name!r} is not a finite coefficient (nor allowed as an unknown)", pos)
            if self.frozen:
                raise _Fail(f"unknown {name!r}", pos)
            index = self.unknowns[name] = len(self.unknowns)
        return index


# --- the file -------------------------------------------------------------------------------

def _header(text: str, source: str) -> tuple[list[int], int, int]:
    """The counts on the first non-blank line, that line's number and where the next begins."""
    pos, line = 0, 1
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        head = text[pos:end]
        if head.strip():
            parts = head.split()
            if (1 <= len(parts) <= 2 and all(re.fullmatch(r"[0-9]{1,18}", t) for t in parts)
                    and all(int(t) > 0 for t in parts)):
                return [int(t) for t in parts], line, end
            raise SpecError(f"{source} line {line}: expected the number of polynomials (and of "
                            f"unknowns) as one or two positive integers, got {head.strip()[:40]!r}")
        pos, line = end + 1, line + 1
    raise SpecError(f"{source} line {line}: empty, expected the number of polynomials")


def _skip_blanks(text: str, pos: int) -> int:
    return _BLANKS.match(text, pos).end()


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _more_follow(text: str, pos: int, unknowns: dict[str, int]) -> bool:
    """Whether the text after the announced polynomials reads as one more: everything up to
    the next ';', in known unknowns only. Anything else is trailing text (titles, solutions)."""
    end = text.find(";", pos)
    if end < 0:
        return False
    try:
        _Parser(_Tokens(text, pos, end + 1), unknowns, frozen=True).polynomial()
    except _Fail:
        return False
    return True


def _undo_renaming(text: str, pos: int, names: list[str], source: str) -> list[str]:
    """Undo the renaming that exports.to_phc states after the polynomials ("a -> wa")."""
    found = _RENAMED.search(text, pos)
    if found is None:
        return names
    out = list(names)
    for original, written in _PAIR.findall(found.group(1)):
        if written in names:
            out[names.index(written)] = original
    if len(set(out)) != len(out):
        raise SpecError(f"{source} line {_line(text, found.start())}: undoing the renaming "
                        "gives two unknowns one name")
    return out


def _system(polys: list[dict], names: list[str], source: str) -> PolySystem:
    terms = [(row, m, c) for row, p in enumerate(polys) for m, c in p.items() if c != 0]
    if len(terms) * len(names) > MAX_CELLS:  # PolySystem stores the exponents densely
        raise SpecError(f"{source}: {len(terms):,} terms in {len(names):,} unknowns make an exponent "
                        f"matrix of {len(terms) * len(names):,} entries, more than {MAX_CELLS:,}")
    mon = np.zeros((len(terms), len(names)), dtype=np.int64)
    at = [(t, v, e) for t, (_, m, _) in enumerate(terms) for v, e in m]
    if at:
        t, v, e = np.array(at, dtype=np.int64).T
        mon[t, v] = e
    values = np.array([c for _, _, c in terms], dtype=complex)
    if not np.any(values.imag):
        values = values.real.copy()
    rows = np.array([row for row, _, _ in terms], dtype=np.int64)
    coef = sparse.csr_array((values, (rows, np.arange(len(terms)))), shape=(len(polys), len(terms)))
    if terms:  # polys.combine cannot reshape an empty basis
        mon, coef = combine(mon, coef)
    return PolySystem(tuple(names), mon, coef, "file", {"source": source})


def parse_phc(text: str, source: str = "<text>") -> PolySystem:
    """A PolySystem from text in PHCpack's input format; errors (SpecError) name ``source``,
    the line and the cause.

    >>> s = parse_phc("2 3\\n x1*I2 - 1.e+5;\\n ix_3 + i*x1^2;\\nTHE SOLUTIONS : none")
    >>> s.variables, s.is_complex, s.n_equations
    (('x1', 'I2', 'ix_3'), True, 2)
    >>> parse_phc("2\\nx - 1;\\n")
    Traceback (most recent call last):
    ...
    algebra.errors.SpecError: <text>: 2 polynomials announced, 1 found (each must end in ';')
    """
    counts, head_line, pos = _header(text, source)
    unknowns: dict[str, int] = {}
    polys = []
    for found in range(counts[0]):
        end = text.find(";", pos)
        if end < 0:
            raise SpecError(f"{source}: {counts[0]} polynomials announced, {found} found "
                            "(each must end in ';')")
        try:
            polys.append(_Parser(_Tokens(text, pos, end + 1), unknowns).polynomial())
        except _Fail as f:
            raise SpecError(f"{source} line {_line(text, f.pos)}: {f.cause}") from None
        pos = end + 1
    pos = _skip_blanks(text, pos)
    if _more_follow(text, pos, unknowns):
        raise SpecError(f"{source} line {_line(text, pos)}: {counts[0]} polynomials announced, "
                        f"more found (fix the count on line {head_line})")
    names = list(unknowns)
    if not names:
        raise SpecError(f"{source}: no unknowns in the polynomials")
    if len(counts) == 2 and counts[1] != len(names):
        listed = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise SpecError(f"{source} line {head_line}: {counts[1]} unknowns announced, "
                        f"{len(names)} found ({listed})")
    names = _undo_renaming(text, pos, names, source)
    return _system(polys, names, source)


MAX_FILE_BYTES = 20_000_000  # a system file is parsed in memory, at about 1.4 s a MB (a 50 MB file took
                             # 72 s): 20 MB is some 30 s and a million terms, more than any network's
                             # system here (the canonical tree's critical system at N = 2: a few MB)


def read_phc(path: str) -> PolySystem:
    """A PolySystem from a file in PHCpack's input format (read only: never modified), kind "file".

    Undecodable bytes (a title in another encoding) become U+FFFD: harmless after the
    polynomials, an error naming the line inside them.
    """
    import os
    import stat

    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise SpecError(f"{path}: not a regular file (a system file is read whole)")
    if info.st_size > MAX_FILE_BYTES:
        raise SpecError(f"{path}: {info.st_size:,} bytes, above the budget of {MAX_FILE_BYTES:,} for a system file; "
                        "raise algebra.phcfile.MAX_FILE_BYTES to read it")
    # utf-8-sig: a byte-order mark (editors on Windows write one) is not part of the text
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        text = f.read(MAX_FILE_BYTES + 1)
    return parse_phc(text, path)
