#!/usr/bin/env python3
"""Copies CloudNativePG's CRDs into this folder without their descriptions, for offline validation.

  vendor.py CNPG_CHECKOUT TAG

Reads config/crd/bases/postgresql.cnpg.io_<plural>.yaml at TAG of a clone of
github.com/cloudnative-pg/cloudnative-pg (neither the Go module proxy nor any package registry
carries them) and writes <plural>.yaml here with every `description` dropped: descriptions
make up four fifths of the size and validate nothing, while types, enums, patterns, required
lists and the structure stay exactly as published. The first lines of each file name the tag
and the commit it came from. validate.sh turns these into kubeconform schemas (schemas.py crds).
"""

import os
import subprocess
import sys

import yaml

PLURALS = ("clusters", "scheduledbackups", "databases", "databaseroles")


def without_descriptions(node):
    if isinstance(node, dict):
        return {k: without_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [without_descriptions(v) for v in node]
    return node


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    checkout, tag = argv[1:]
    commit = subprocess.check_output(["git", "-C", checkout, "rev-parse", f"{tag}^{{commit}}"], text=True).strip()
    here = os.path.dirname(os.path.abspath(__file__))
    for plural in PLURALS:
        source = f"config/crd/bases/postgresql.cnpg.io_{plural}.yaml"
        text = subprocess.check_output(["git", "-C", checkout, "show", f"{commit}:{source}"], text=True)
        crd = without_descriptions(yaml.safe_load(text))
        with open(os.path.join(here, f"{plural}.yaml"), "w", encoding="utf-8") as f:
            f.write(f"# CloudNativePG {tag} ({commit}), {source}, descriptions removed by vendor.py.\n")
            yaml.safe_dump(crd, f, sort_keys=False, width=120)
        print(f"{plural}: {source} at {tag}")


if __name__ == "__main__":
    main(sys.argv)
