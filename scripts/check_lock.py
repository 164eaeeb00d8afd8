"""Check that the lock files match the pins: every `name==version` of requirements*.txt is in
the matching .lock with that version and hashes, and the dev lock agrees with the runtime
lock on every shared package. Run by ./test.sh; on failure run scripts/lock.sh."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("-r "):
            out.update(pins(path.parent / line[3:].strip()))
        elif m := PIN.match(line):
            out[norm(m.group(1))] = m.group(2)
    return out


def locked(path: Path) -> dict[str, str]:
    text = path.read_text()
    out = {}
    for m in re.finditer(
        r"^([A-Za-z0-9_.\-]+)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}[ \\]*\n?)+)", text, re.M
    ):
        out[norm(m.group(1))] = m.group(2)
    entries = [line for line in text.splitlines() if PIN.match(line)]
    if len(entries) != len(out):
        raise SystemExit(f"{path.name}: {len(entries) - len(out)} package(s) without hashes")
    return out


def main() -> int:
    problems = []
    runtime = locked(ROOT / "requirements.lock")
    dev = locked(ROOT / "requirements-dev.lock")
    for src, lock, name in (
        ("requirements.txt", runtime, "requirements.lock"),
        ("requirements-dev.txt", dev, "requirements-dev.lock"),
    ):
        for package, version in pins(ROOT / src).items():
            if lock.get(package) != version:
                problems.append(f"{src}: {package}=={version} but {name} has {lock.get(package)}")
    for package, version in runtime.items():
        if dev.get(package) != version:
            problems.append(f"requirements-dev.lock: {package} {dev.get(package)} != {version}")
    if problems:
        print("Tệp khóa thư viện không khớp (run scripts/lock.sh):\n  " + "\n  ".join(problems))
        return 1
    print(f"ok: {len(runtime)} runtime and {len(dev)} dev packages locked with hashes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
