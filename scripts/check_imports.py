#!/usr/bin/env python3
"""Find import circles between the Rust source files of this workspace.

Two files that import from each other make a reader go back and forth to
understand either of them; a module root (`auth.rs`) that holds types its
children need makes those children import upwards while the root imports
them. This script builds the graph "file F uses an item defined in file G"
for every crate root of the workspace (`src/lib.rs`, `src/main.rs` of the root
package and of each `[workspace] members` entry) and reports every circle as a
chain of files, with the line and path behind each edge.

Edges come from `use` statements (groups, globs and `as` expanded) and from
paths written in code (`crate::a::B`, `super::x::f()`, `child::Y`); only
crate-internal paths count: `crate`, `$crate`, `super`, `self` and child
modules. A path is walked down the module tree; the first segment that is
not a module is the item, and the edge goes to the file that defines it,
following `use` re-exports (`pub use identity::Identity;`, globs) so that
importing a type through its parent is an edge to the child, not the parent.
Children may name a parent's private imports, so plain `use`s are followed
too. Declaring `mod child;` is not an edge; self-edges (`use super::*;` in an
inline `mod tests {}`) are dropped. Rough on purpose: text is read with
regexes after blanking comments and literals, so items made by macros are not
found (`--unresolved` lists those paths; they point at the module reached).

Usage: check_imports.py [--root DIR] [--graph] [--modules [--strict-modules]]
                        [--unresolved] [--self-test]
Exit 0 when no two files import each other in a circle, 1 otherwise.
"""
import argparse, bisect, os, re, sys, tempfile, tomllib
from collections import defaultdict, deque
from pathlib import Path
from types import SimpleNamespace as NS

MOD_RE = re.compile(r'(?P<attrs>(?:#\s*\[[^\]]*\]\s*)*)(?:\bpub\b\s*(?:\([^)]*\))?\s*)?'
                    r'\bmod\s+(?P<name>\w+)\s*(?P<end>[;{])')
USE_RE = re.compile(r'(?<![\w$])use\s+(?P<tree>[^;]*);')
PATH_RE = re.compile(r'(?<![\w:$])\$?\w+(?:\s*::\s*\w+)+')
TOKEN_RE = re.compile(r'::|[{},*]|\w+')
DEF_RE = re.compile(r'\b(?:struct|enum|union|trait|fn|const|static|type|mod)\s+(?:mut\s+)?'
                    r'(?!fn\b|unsafe\b|async\b|extern\b)(\w+)|\bmacro_rules!\s*(\w+)')
RAW_RE = re.compile(r'(?<!\w)b?r(#*)"')


def strip(text):
    """Blank comments, string and char literals; keep length and newlines."""
    out, i = list(text), 0
    while i < len(text):
        j = literal_end(text, i)
        if j is None:
            i += 1
            continue
        out[i:j] = ['\n' if c == '\n' else ' ' for c in text[i:j]]
        i = j
    return ''.join(out)


def literal_end(text, i):
    """End of the comment, string or char literal starting at i; None if none does."""
    n, raw = len(text), RAW_RE.match(text, i)
    if text.startswith('//', i):
        return n if text.find('\n', i) < 0 else text.find('\n', i)
    if text.startswith('/*', i):                      # block comments nest
        depth, j = 1, i + 2
        while j < n and depth:
            pair = text[j:j + 2]
            depth += (pair == '/*') - (pair == '*/')
            j += 2 if pair in ('/*', '*/') else 1
        return j
    if raw:                                           # r"..", r#".."#, br".."
        end = text.find('"' + raw[1], raw.end())
        return n if end < 0 else end + 1 + len(raw[1])
    if text[i] == '"':
        j = i + 1
        while j < n and text[j] != '"':
            j += 2 if text[j] == '\\' else 1
        return j + 1
    if text[i] == "'" and text[i + 1:i + 2] == '\\':   # '\n', '\'', '\u{..}'
        return text.find("'", i + 3) + 1 or n
    if text[i] == "'" and text[i + 2:i + 3] == "'":     # 'x' (a lifetime 'a has no closing ')
        return i + 3
    return None


def close_brace(text, at):
    depth = 0
    for j in range(at, len(text)):
        depth += {'{': 1, '}': -1}.get(text[j], 0)
        if depth == 0:
            return j
    return len(text)


def expand(tree, offset=0):
    """`a::{b, c::{self, D as E}}` -> (segments, alias, position) per leaf."""
    toks = [(m.group(), m.start() + offset) for m in TOKEN_RE.finditer(tree)]
    out = []
    if toks and toks[0][0] == '::':
        return out                                   # `use ::extern_crate`

    def walk(i, segs):
        segs = list(segs)
        while i < len(toks):
            tok, pos = toks[i]
            if tok == '{':
                i += 1
                while i < len(toks) and toks[i][0] != '}':
                    i = walk(i, segs)
                    i += i < len(toks) and toks[i][0] == ','
                return i + 1
            if tok == '*':
                out.append((segs + ['*'], None, pos))
                return i + 1
            segs.append(tok)
            i += 1
            if i < len(toks) and toks[i][0] == '::':
                i += 1
                continue
            alias = None
            if i + 1 < len(toks) and toks[i][0] == 'as':
                alias, i = toks[i + 1][0], i + 2
            if segs[-1] == 'self':
                segs.pop()
            if segs:
                out.append((segs, alias, pos))
            return i
        return i
    walk(0, [])
    return out


def parse(path):
    """Inline modules, `mod x;` declarations, uses, code paths and definitions."""
    raw = path.read_text(encoding='utf-8', errors='replace')
    text = strip(raw)
    starts = [0] + [m.end() for m in re.finditer('\n', text)]
    line = lambda pos: bisect.bisect_right(starts, pos)
    inline, decls = [], []
    for m in MOD_RE.finditer(text):
        if m['end'] == '{':
            inline.append((m['name'], m.end() - 1, close_brace(text, m.end() - 1)))
        else:
            attr = re.search(r'\bpath\s*=\s*"([^"]*)"', raw[m.start('attrs'):m.end('attrs')])
            decls.append((m.start('name'), m['name'], attr and attr[1], line(m.start('name'))))
    ctx = lambda pos: tuple(name for name, a, b in inline if a < pos < b)
    uses, spans = [], []
    for m in USE_RE.finditer(text):
        spans.append((m.start(), m.end()))
        for segs, alias, pos in expand(m['tree'], m.start('tree')):
            uses.append((ctx(m.start()), segs, alias, line(pos)))
    paths = [(ctx(m.start()), re.findall(r'\$?\w+', m.group()), None, line(m.start()))
             for m in PATH_RE.finditer(text) if not any(a <= m.start() < b for a, b in spans)]
    defs = {a or b for a, b in DEF_RE.findall(text)}
    return NS(inline=inline, decls=decls, uses=uses, paths=paths, defs=defs, ctx=ctx)


def load_crate(root, label, root_file, files, problems):
    """Module tree of one crate: module path -> file, plus every module's imports."""
    crate = NS(label=label, files=files, mods={}, filemod={},
               imports=defaultdict(list), aliases=defaultdict(dict))
    todo = [((), root_file)]
    while todo:
        mp, rel = todo.pop()
        if rel not in files:
            files[rel] = parse(root / rel)
        info = files[rel]
        crate.mods[mp], crate.filemod[rel] = rel, mp
        here = Path(rel)
        base = here.parent if not mp or here.name == 'mod.rs' else here.with_suffix('')
        for name, a, _ in info.inline:
            crate.mods[mp + info.ctx(a) + (name,)] = rel
        for pos, name, attr, ln in info.decls:
            c = info.ctx(pos)
            tries = [here.parent / attr, base.joinpath(*c, attr)] if attr else \
                [base.joinpath(*c, name + '.rs'), base.joinpath(*c, name, 'mod.rs')]
            found = [os.path.normpath(t).replace(os.sep, '/') for t in tries if (root / t).is_file()]
            if found:
                todo.append((mp + c + (name,), found[0]))
            else:
                problems.append(f"{rel}:{ln}: `mod {name};` has no file")
        for c, segs, alias, _ in info.uses:
            crate.imports[mp + c].append((alias or segs[-1], segs, mp + c))
    for mp, imports in list(crate.imports.items()):    # `use super::context;` then `context::X`
        for name, segs, ctx in imports:
            target = name != '*' and resolve(crate, ctx, segs)
            if target and target[1] is None:
                crate.aliases[mp][name] = target[0]
    return crate


def resolve(crate, ctx, segs):
    """(module path, item or None) of an internal path; None for external ones."""
    head, mods = segs[0], crate.mods
    if head in ('crate', '$crate'):
        m, rest = (), segs[1:]
    elif head in ('self', 'super'):
        m, rest = ctx, segs[head == 'self':]
        while rest and rest[0] == 'super':
            if not m:
                return None
            m, rest = m[:-1], rest[1:]
    elif ctx + (head,) in mods:
        m, rest = ctx, segs
    elif head in crate.aliases.get(ctx, ()):
        m, rest = crate.aliases[ctx][head], segs[1:]
    else:
        return None
    for seg in rest:
        if m + (seg,) not in mods:
            return m, seg
        m = m + (seg,)
    return m, None


def find_def(crate, m, item, seen):
    """File defining `item` as seen from module m, following its imports; or None.

    An import of that name comes first (a module cannot both define and import
    a type), then the file's own definitions, then glob imports."""
    if (m, item) in seen:
        return None
    seen.add((m, item))
    imports = crate.imports.get(m, ())
    for name, segs, ctx in imports:
        if name == item:
            target = resolve(crate, ctx, segs)
            if target is None:                        # re-exported from another crate
                return crate.mods[m]
            return (target[1] and find_def(crate, *target, seen)) or crate.mods[target[0]]
    if item in crate.files[crate.mods[m]].defs:
        return crate.mods[m]
    for name, segs, ctx in imports:
        target = name == '*' and resolve(crate, ctx, segs[:-1])
        found = target and target[1] is None and find_def(crate, target[0], item, seen)
        if found:
            return found
    return None


def find_crates(root):
    """(package, crate label, root file) for every lib and bin root of the workspace."""
    manifest = tomllib.loads((root / 'Cargo.toml').read_text())
    dirs = ['.'] if 'package' in manifest else []
    for pattern in manifest.get('workspace', {}).get('members', []) + ['server', 'app', 'examples/resource_server']:
        dirs += sorted(str(p.relative_to(root)) for p in root.glob(pattern) if (p / 'Cargo.toml').is_file())
    out = []
    for d in dict.fromkeys(dirs):
        m = tomllib.loads((root / d / 'Cargo.toml').read_text())
        name = m.get('package', {}).get('name', Path(d).name)
        lib = m.get('lib', {}).get('path', 'src/lib.rs')
        bins = [b['path'] for b in m.get('bin', []) if 'path' in b] or ['src/main.rs']
        for p in dict.fromkeys([lib, *bins]):
            if (root / d / p).is_file():
                label = name if p == lib or not (root / d / lib).is_file() else f"{name}[{Path(p).stem}]"
                out.append((name, label, os.path.normpath(Path(d) / p).replace(os.sep, '/')))
    return out


def analyze(root):
    files, problems, unresolved = {}, [], set()
    edges, layer_edges = defaultdict(set), defaultdict(set)
    crates = find_crates(root)
    for _, label, root_file in crates:
        crate = load_crate(root, label, root_file, files, problems)
        layer = lambda rel: f"{label}::{crate.filemod[rel][0] if crate.filemod[rel] else '(root)'}"
        for rel, mp in crate.filemod.items():
            for c, segs, alias, ln in files[rel].uses + files[rel].paths:
                target = resolve(crate, mp + c, segs)
                if target is None:
                    continue
                to = crate.mods[target[0]]
                if target[1] not in (None, '*'):
                    to = find_def(crate, *target, set())
                    if to is None:
                        unresolved.add(f"{rel}:{ln}: {'::'.join(segs)}")
                        to = crate.mods[target[0]]
                evidence = (rel, ln, '::'.join(segs) + (f" as {alias}" if alias else ''))
                if to != rel:
                    edges[(rel, to)].add(evidence)
                a, b = layer(rel), layer(to)
                if a != b and not (a.endswith('(root)') or b.endswith('(root)')):
                    layer_edges[(a, b)].add(evidence)
    return NS(files=files, edges=edges, layer_edges=layer_edges, problems=problems,
              unresolved=sorted(unresolved), crates=len({c[0] for c in crates}))


def components(nodes, succ):
    """Strongly connected components (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    for start in nodes:
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on.add(start)
        work = [(start, iter(sorted(succ[start])))]
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(succ[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while not comp or comp[-1] != v:
                        comp.append(stack.pop())
                        on.discard(comp[-1])
                    out.append(comp)
    return out


def shortest_cycle(comp, succ):
    """Shortest closed chain of nodes within one component (a BFS from each node)."""
    best = None
    for start in sorted(comp):
        prev, queue = {start: None}, deque([start])
        while queue:
            v = queue.popleft()
            if start in succ[v]:
                chain = [start]
                while v != start:
                    chain.insert(1, v)
                    v = prev[v]
                best = chain + [start] if best is None or len(chain) + 1 < len(best) else best
                break
            for w in sorted((succ[v] & comp) - set(prev)):
                prev[w] = v
                queue.append(w)
    return best


def circles(edges, title, show):
    """Report lines for one shortest cycle per strongly connected component."""
    succ = defaultdict(set)
    for a, b in edges:
        succ[a].add(b)
    comps = [set(c) for c in components(sorted(succ), succ) if len(c) > 1]
    lines = []
    for k, comp in enumerate(sorted(comps, key=min), 1):
        cycle = shortest_cycle(comp, succ)
        lines.append(f"{title} {k}: " + ' -> '.join(cycle))
        if len(comp) > len(cycle) - 1:
            lines.append(f"  (one of the circles among {len(comp)}: {', '.join(sorted(comp))})")
        for a, b in zip(cycle, cycle[1:]):
            ev = sorted(edges[(a, b)])
            lines.append(f"  {a} -> {b}  ({'; '.join(map(show, ev[:4]))}{'; ...' if len(ev) > 4 else ''})")
    return comps, lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--root', type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument('--graph', action='store_true', help='print every edge between files')
    ap.add_argument('--modules', action='store_true', help='also report circles between top-level modules')
    ap.add_argument('--strict-modules', action='store_true', help='fail on circles between top-level modules')
    ap.add_argument('--unresolved', action='store_true', help='list paths and `mod` lines that could not be followed')
    ap.add_argument('--self-test', action='store_true')
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    res = analyze(args.root.resolve())
    if args.graph:
        for (a, b), ev in sorted(res.edges.items()):
            print(f"{a} -> {b}  ({'; '.join(f'line {ln}: {p}' for _, ln, p in sorted(ev))})")
    if args.unresolved:
        for line in res.problems + res.unresolved:
            print(f"unresolved: {line}")
    comps, lines = circles(res.edges, 'import circle', lambda e: f"line {e[1]}: {e[2]}")
    for line in lines:
        print(line)
    failed = bool(comps)
    if args.modules or args.strict_modules:
        layers, lines = circles(res.layer_edges, 'layer circle', lambda e: f"{e[0]}:{e[1]}: {e[2]}")
        for line in lines:
            print(line)
        note = '' if args.strict_modules else ' (information only)'
        print(f"{len(layers)} layer circle(s) between top-level modules{note}")
        failed |= args.strict_modules and bool(layers)
    counts = f"{len(res.files)} files, {len(res.edges)} imports in {res.crates} crates"
    print(f"{len(comps)} import circle(s): {counts}" if comps else f"no import circle: {counts}")
    return 1 if failed else 0


SELF_TESTS = {   # name: (files under src/, number of circles, every edge expected)
    'two-file circle is found': (
        {'lib.rs': 'mod a; mod b;', 'a.rs': 'use crate::b::B; pub struct A;', 'b.rs': 'use crate::a::A; pub struct B;'},
        1, {('src/a.rs', 'src/b.rs'), ('src/b.rs', 'src/a.rs')}),
    'type re-exported by a parent is no circle': (
        {'lib.rs': 'pub mod auth;', 'auth.rs': 'mod identity; mod session;\npub use identity::Identity;\npub use session::Session;',
         'auth/identity.rs': 'pub struct Identity;', 'auth/session.rs': 'use crate::auth::Identity; pub struct Session(Identity);'},
        0, {('src/auth/session.rs', 'src/auth/identity.rs'), ('src/auth.rs', 'src/auth/identity.rs'),
            ('src/auth.rs', 'src/auth/session.rs')}),
    '`use super::*` in mod tests is no edge': (
        {'lib.rs': 'mod a;', 'a.rs': 'pub fn f() {}\n#[cfg(test)]\nmod tests {\n    const S: &str = "}"; // }\n'
                                     '    const C: char = \'}\'; /* } */\n    use super::*;\n    fn t() { super::f(); }\n}\n'},
        0, set()),
    'circle through an inline super:: path': (
        {'lib.rs': 'mod m;', 'm.rs': 'mod x; mod y;', 'm/x.rs': 'pub fn f() { super::y::g() }',
         'm/y.rs': 'use super::x::f;\npub fn g() {}\nfn h() { f() }'}, 1, {('src/m/x.rs', 'src/m/y.rs'), ('src/m/y.rs', 'src/m/x.rs')}),
    'brace groups expand': (
        {'lib.rs': 'mod a; mod c;\nuse crate::{a::B, c::{D, self, e::{E as F}}};',
         'a.rs': 'pub struct B;', 'c.rs': 'pub mod e; pub struct D;', 'c/e.rs': 'pub struct E;'},
        0, {('src/lib.rs', 'src/a.rs'), ('src/lib.rs', 'src/c.rs'), ('src/lib.rs', 'src/c/e.rs')}),
    'glob re-export of a #[path] module': (
        {'lib.rs': 'mod shapes; mod user;', 'shapes.rs': '#[path = "geometry/round.rs"]\nmod circle;\npub use circle::*;',
         'geometry/round.rs': 'pub struct Circle;', 'user.rs': 'fn f() -> crate::shapes::Circle { todo!() }'},
        0, {('src/user.rs', 'src/geometry/round.rs'), ('src/shapes.rs', 'src/geometry/round.rs')}),
}


def self_test():
    tree = [s for s, _, _ in expand('crate::{a::B, c::{D, self, E as F}}')]
    ok = tree == [['crate', 'a', 'B'], ['crate', 'c', 'D'], ['crate', 'c'], ['crate', 'c', 'E']]
    print(f"{'ok  ' if ok else 'FAIL'} use-tree expansion")
    failures = not ok
    for name, (sources, want_circles, want_edges) in SELF_TESTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / 'Cargo.toml').write_text('[package]\nname = "t"\n')
            for rel, text in sources.items():
                (Path(tmp) / 'src' / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / 'src' / rel).write_text(text)
            res = analyze(Path(tmp))
        comps, _ = circles(res.edges, 'circle', str)
        ok = len(comps) == want_circles and set(res.edges) == want_edges
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + ('' if ok else f": {len(comps)} circles, edges {sorted(res.edges)}"))
        failures += not ok
    print(f"self-test: {len(SELF_TESTS) + 1 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
