"""Which build a measurement is of.

scripts/build-release.sh ends by stamping what it built: the release binary
and the browser bundle it wrote into the site (`stamp`). The bench reads the
stamp back (`build_of`) and refuses a binary or a site that no longer match
it: a `cargo leptos build` (debug) afterwards replaces the site's bundle, a
`cargo build --release` the binary, and either would be measured as if it
were the release build. The results name the build they measured.

    python3 scripts/bench_build.py stamp BINARY SITE_ROOT
"""

import hashlib
import json
import os
import subprocess
import sys
import time


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _stamp_path(binary):
    return binary + ".build.json"


def _pkg_files(site_root):
    pkg = os.path.join(site_root, "pkg")
    return sorted(f for f in os.listdir(pkg) if os.path.isfile(os.path.join(pkg, f)))


def _git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def stamp(binary, site_root):
    """Records the build just made: the binary, the bundle, the commit."""
    pkg = os.path.join(site_root, "pkg")
    record = {
        "made_by": "scripts/build-release.sh (cargo leptos build --release)",
        "commit": _git("rev-parse", "--short=12", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "built_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "binary_sha256": _sha256(binary),
        "binary_bytes": os.path.getsize(binary),
        "pkg": {name: {"sha256": _sha256(os.path.join(pkg, name)),
                       "bytes": os.path.getsize(os.path.join(pkg, name))}
                for name in _pkg_files(site_root)},
    }
    with open(_stamp_path(binary), "w") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    return record


def build_of(binary, site_root):
    """The stamp of the build at `binary` and `site_root`, checked against
    the files; exits with what to do when they are not that build."""
    def refuse(why):
        sys.exit(f"bench: {why}: run scripts/build-release.sh (or scripts/bench.sh "
                 f"without --no-build)")
    try:
        with open(_stamp_path(binary)) as f:
            record = json.load(f)
    except FileNotFoundError:
        refuse(f"{binary} has no build stamp, so it was not made by scripts/build-release.sh")
    if _sha256(binary) != record["binary_sha256"]:
        refuse(f"{binary} was rebuilt after scripts/build-release.sh stamped it")
    pkg = os.path.join(site_root, "pkg")
    for name, expected in record["pkg"].items():
        path = os.path.join(pkg, name)
        if not os.path.isfile(path) or _sha256(path) != expected["sha256"]:
            refuse(f"{path} is not the bundle the release build wrote (a debug "
                   f"`cargo leptos build` replaces it)")
    wasm = [v["bytes"] for n, v in record["pkg"].items() if n.endswith(".wasm")]
    return {
        "made_by": record["made_by"],
        "commit": record["commit"],
        "uncommitted_changes": record["uncommitted_changes"],
        "built_at": record["built_at"],
        "binary_bytes": record["binary_bytes"],
        "wasm_bytes": wasm[0] if wasm else None,
    }


def describe(build):
    """One line naming the build, for the tables."""
    commit = build["commit"] or "unknown commit"
    if build["uncommitted_changes"]:
        commit += " with uncommitted changes"
    wasm = f", wasm {build['wasm_bytes']:,} bytes" if build.get("wasm_bytes") else ""
    return f"Build: {build['made_by']}, {commit}, built {build['built_at']}{wasm}"


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "stamp":
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    stamp(sys.argv[2], sys.argv[3])
