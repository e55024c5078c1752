#!/usr/bin/env python3
"""Turns API definitions into the JSON schemas kubeconform validates against, offline.

  schemas.py kubernetes SWAGGER_JSON OUT_DIR
      Kubernetes' own OpenAPI v2 document (api/openapi-spec/swagger.json of the
      k8s.io/kubernetes module) -> OUT_DIR/<kind>[-<group>]-<version>.json, the layout of
      kubeconform's default template `{{ .ResourceKind }}{{ .KindSuffix }}.json`.
  schemas.py crds K8S_OUT_DIR OUT_DIR CRD_YAML...
      CustomResourceDefinitions -> OUT_DIR/<group>/<kind>_<version>.json, for the template
      `{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`. metadata is checked
      against Kubernetes' ObjectMeta (taken from K8S_OUT_DIR), not left as a free object.

Both follow openapi2jsonschema's "standalone, strict" flavour (what kubeconform's published
schemas are): every object that lists its properties rejects any other property, int-or-string
and resource quantities accept both forms, apiVersion and kind must be exactly the schema's.
Referenced definitions are copied into each file's `definitions`, so each file stands alone
(and recursive types such as JSONSchemaProps stay finite).
"""

import json
import os
import sys

import yaml

REF_PREFIX = "#/definitions/"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


# Branches of these only add constraints to the object they sit in (CRDs write "one of
# certificate or pattern" as oneOf: [{properties: {certificate: {}}, required: [...]}]):
# closing them to other properties would reject every valid object.
JUNCTORS = ("oneOf", "anyOf", "allOf", "not")


def strictify(node, in_junctor=False):
    """Returns a copy of a schema node with the strict rules applied, recursively."""
    if isinstance(node, list):
        return [strictify(x, in_junctor) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: strictify(v, in_junctor or k in JUNCTORS) for k, v in node.items()}
    if out.get("format") == "int-or-string" or out.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.pop("format", None)
        out.pop("anyOf", None)
        out["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    if out.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if ("properties" in out and "additionalProperties" not in out and not in_junctor
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def refs_of(node, found):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref[len(REF_PREFIX):])
        for v in node.values():
            refs_of(v, found)
    elif isinstance(node, list):
        for v in node:
            refs_of(v, found)


def closure(definitions, roots):
    """Names of every definition reachable from roots (roots included)."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found = set()
        refs_of(definitions[name], found)
        todo.extend(found - seen)
    return seen


def pin_api_version_and_kind(schema, api_version, kind):
    props = schema.setdefault("properties", {})
    props["apiVersion"] = dict(props.get("apiVersion", {"type": "string"}), enum=[api_version])
    props["kind"] = dict(props.get("kind", {"type": "string"}), enum=[kind])
    required = schema.setdefault("required", [])
    for key in ("apiVersion", "kind"):
        if key not in required:
            required.append(key)


def kubernetes(swagger_path, out_dir):
    with open(swagger_path, encoding="utf-8") as f:
        definitions = json.load(f)["definitions"]
    prepared = {}
    for name, definition in definitions.items():
        if name == QUANTITY:
            # Serialised as a string ("100m", "1Gi"), but YAML authors write plain numbers too.
            definition = {"description": definition.get("description", ""),
                          "oneOf": [{"type": "string"}, {"type": "number"}]}
        prepared[name] = strictify(definition)

    os.makedirs(out_dir, exist_ok=True)
    written = 0
    for name, definition in sorted(definitions.items()):
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            # Only real API objects: a definition that lists apiVersion, kind and metadata.
            if not {"apiVersion", "kind", "metadata"} <= set(definition.get("properties", {})):
                continue
            api_version = f"{group}/{version}" if group else version
            suffix = f"-{group.split('.')[0].lower()}-{version}" if group else f"-{version}"
            path = os.path.join(out_dir, f"{kind.lower()}{suffix}.json")
            if os.path.exists(path) and not name.startswith("io.k8s.api."):
                continue
            schema = json.loads(json.dumps(prepared[name]))
            pin_api_version_and_kind(schema, api_version, kind)
            needed = closure(prepared, [name]) - {name}
            schema["definitions"] = {n: prepared[n] for n in sorted(needed)}
            # The root is the definition itself: a $ref back to it must land somewhere.
            schema["definitions"][name] = prepared[name]
            with open(path, "w", encoding="utf-8") as f:
                json.dump(schema, f, separators=(",", ":"))
            written += 1
    # Kept for the CRD step: the strict ObjectMeta with what it references.
    meta_names = closure(prepared, [OBJECT_META])
    with open(os.path.join(out_dir, "_objectmeta.json"), "w", encoding="utf-8") as f:
        json.dump({"root": OBJECT_META, "definitions": {n: prepared[n] for n in meta_names}}, f)
    print(f"kubernetes: {written} schemas from {swagger_path}")
    if written < 50:
        sys.exit("too few schemas: is this the Kubernetes swagger.json?")


def crds(k8s_dir, out_dir, crd_paths):
    with open(os.path.join(k8s_dir, "_objectmeta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    written = 0
    for path in crd_paths:
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                group = doc["spec"]["group"]
                kind = doc["spec"]["names"]["kind"]
                for version in doc["spec"]["versions"]:
                    if not version.get("served", True):
                        continue
                    raw = version["schema"]["openAPIV3Schema"]
                    schema = strictify(raw)
                    schema["properties"]["metadata"] = {"$ref": REF_PREFIX + meta["root"]}
                    pin_api_version_and_kind(schema, f"{group}/{version['name']}", kind)
                    schema["definitions"] = meta["definitions"]
                    target = os.path.join(out_dir, group, f"{kind.lower()}_{version['name']}.json")
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "w", encoding="utf-8") as out:
                        json.dump(schema, out, separators=(",", ":"))
                    written += 1
    print(f"crds: {written} schemas from {len(crd_paths)} files")
    if written == 0:
        sys.exit("no CustomResourceDefinition found")


def main(argv):
    if len(argv) >= 4 and argv[1] == "kubernetes":
        kubernetes(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "crds":
        crds(argv[2], argv[3], argv[4:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
