"""Validates spec files against specs/schema/spec.schema.json (JSON Schema draft 2020-12), and
checks the schema is what specs/schema/generate.py writes. The loader (harness/spec/*.c) is the
authority; the schema is for editors and other tools, and this keeps the two in step on every
suite of the repository (specs/blog, specs/wire, specs/web, the fixtures and test data).
usage: /usr/bin/python3 schema_validate.py ROOT  (needs python3-jsonschema)"""
import glob, json, os, subprocess, sys

try:
    import jsonschema
except ImportError:
    sys.exit("schema_validate: the Python module jsonschema is missing (apt-get install python3-jsonschema;"
             " scripts/bootstrap does; run it with /usr/bin/python3)")

root = sys.argv[1]
path = os.path.join(root, "specs/schema/spec.schema.json")
schema = json.load(open(path))
gen = subprocess.run([sys.executable, os.path.join(root, "specs/schema/generate.py")],
                     capture_output=True, text=True, check=True).stdout
assert json.loads(gen) == schema, "spec.schema.json is stale: run specs/schema/generate.py"
v = jsonschema.Draft202012Validator(schema)
pats = ["specs/blog/*.json", "specs/blog/*/*.json", "specs/wire/*.json", "specs/web/*.json",
        "specs/web/*/*.json", "tests/fixtures/specs/*/*.json", "tests/harness/data/valid/*.json"]
n = bad = 0
for pat in pats:
    for f in sorted(glob.glob(os.path.join(root, pat))):
        if "/invalid/" in f:
            continue  # the loader's own error fixtures
        n += 1
        errs = list(v.iter_errors(json.load(open(f))))
        if errs:
            bad += 1
            e = jsonschema.exceptions.best_match(errs)
            print(f"{os.path.relpath(f, root)}: at {list(e.absolute_path)}: {e.message[:300]}")
print(f"schema: {n} spec files, {bad} invalid")
sys.exit(1 if bad or n == 0 else 0)
