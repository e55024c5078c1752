#!/usr/bin/env python3
"""The project's own rules for deploy/container/Containerfile, on top of hadolint.

  lint_containerfile.py CONTAINERFILE IGNOREFILE

hadolint checks general practice (it flags `USER root` last, but not a final stage without
any USER, nor what a stage installs). These rules are the ones the issue names:
- every base image is tagged and not :latest (ARG defaults resolved);
- the final stage runs as a numeric, non-zero user, and its entrypoint is exec form;
- the final stage installs no build tools (compilers, CMake, Ninja, -dev packages) and
  leaves no apt package lists behind;
- the final stage gets the binary from the builder stage (COPY --from), builds nothing;
- the ignore file keeps host build trees (a foreign CMakeCache.txt) out of the context.
Prints one line per failure and closes with `checks: N passed, M failed`.
"""

import re
import sys

BUILD_TOOLS = re.compile(r"^(g\+\+|gcc|clang.*|cmake|ninja-build|make|build-essential|ccache|"
                         r"pkg-config|protobuf-compiler.*|.*-dev)$")


def instructions(text):
    """(keyword, arguments) per instruction, continuation lines joined, comments dropped."""
    out, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        current += " " + stripped[:-1] if stripped.endswith("\\") else " " + stripped
        if not stripped.endswith("\\"):
            keyword, _, args = current.strip().partition(" ")
            out.append((keyword.upper(), args.strip()))
            current = ""
    return out


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        steps = instructions(f.read())
    with open(argv[2], encoding="utf-8") as f:
        ignored = [l.strip() for l in f if l.strip() and not l.startswith("#")]

    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL [Containerfile] {what}")

    global_args = {}
    stages = []  # [(from args, [steps])]
    for keyword, args in steps:
        if keyword == "FROM":
            stages.append((args, []))
        elif not stages and keyword == "ARG":
            name, _, default = args.partition("=")
            global_args[name] = default
        elif stages:
            stages[-1][1].append((keyword, args))

    check(len(stages) >= 2, "multi-stage: a builder and a runtime stage")
    for from_args, _ in stages:
        image = from_args.split()[0]
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: global_args.get(m.group(1), m.group(0)), image)
        tagged = "@sha256:" in image or re.search(r":[^/]+$", image) is not None
        check(tagged, f"FROM {image}: base image without a tag")
        check(not image.endswith(":latest"), f"FROM {image}: :latest is not a pinned base")

    final_from, final_steps = stages[-1]
    users = [args for keyword, args in final_steps if keyword == "USER"]
    check(bool(users), "final stage sets no USER (it would run as root)")
    if users:
        uid = users[-1].split(":")[0]
        check(uid.isdigit() and int(uid) != 0, f"final USER {users[-1]} is not a numeric non-root id")
    entrypoints = [args for keyword, args in final_steps if keyword == "ENTRYPOINT"]
    check(bool(entrypoints) and entrypoints[-1].startswith("["), "final ENTRYPOINT is not exec form (signals would not reach the service)")

    for keyword, args in final_steps:
        if keyword != "RUN":
            continue
        for install in re.findall(r"apt-get install ([^&;|]*)", args):
            packages = [p for p in install.split() if not p.startswith("-")]
            tools = [p for p in packages if BUILD_TOOLS.match(p)]
            check(not tools, f"final stage installs build tools {tools}")
        if "apt-get update" in args:
            check("rm -rf /var/lib/apt/lists" in args, "final stage keeps apt package lists (rm -rf /var/lib/apt/lists/* in the same RUN)")
        commands = re.sub(r"apt-get install [^&;|]*", "", args)
        check(not re.search(r"(^|[\s;&|])(cmake|ninja|make|g\+\+|gcc|cc)(\s|$)", commands),
              f"final stage builds something: RUN {args[:60]}")
    copies = [args for keyword, args in final_steps if keyword == "COPY"]
    check(any("--from=" in c for c in copies), "final stage copies nothing from the builder")

    check(any(p.rstrip("/").startswith("build") for p in ignored), "ignore file does not exclude build trees")
    check(any(p.rstrip("/") == ".git" for p in ignored), "ignore file does not exclude .git")

    print(f"checks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
