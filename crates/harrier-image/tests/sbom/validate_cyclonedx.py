"""Validates a CycloneDX 1.6 JSON document with cyclonedx-python-lib's strict validator and,
when a schema directory is given, against the published schema (bom-1.6 with the SPDX license id
and JSF schemas it references) with format checking. Prints the problems and exits 1 if any."""

import json
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator


def main() -> int:
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    problems = []
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        problems.append(f"cyclonedx-python-lib: {error}")
    if len(sys.argv) > 2:
        import jsonschema
        import referencing

        schemas = sys.argv[2]

        def load(name):
            with open(f"{schemas}/{name}", encoding="utf-8") as f:
                return json.load(f)

        base = "http://cyclonedx.org/schema/"
        registry = referencing.Registry().with_resources(
            [
                (base + name, referencing.Resource.from_contents(load(name)))
                for name in ("spdx.schema.json", "jsf-0.82.schema.json")
            ]
        )
        validator = jsonschema.Draft7Validator(
            load("bom-1.6.schema.json"),
            registry=registry,
            format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
        )
        for e in validator.iter_errors(json.loads(text)):
            problems.append(f"bom-1.6.schema.json: {list(e.absolute_path)}: {e.message}")
    if problems:
        print("\n".join(problems))
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
