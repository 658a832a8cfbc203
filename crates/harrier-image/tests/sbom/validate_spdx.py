"""Validates an SPDX 2.3 JSON document with spdx-tools (parse, then the full validation:
SPDX ids, relationships, license expressions and LicenseRefs, purls) and, when a schema is
given, against the published SPDX 2.3 JSON schema with format checking. Prints the problems and
exits 1 if any."""

import json
import sys

from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document


def main() -> int:
    path = sys.argv[1]
    problems = []
    document = parse_file(path)
    for message in validate_full_spdx_document(document, "SPDX-2.3"):
        problems.append(f"spdx-tools: {message.validation_message} ({message.context})")
    if len(sys.argv) > 2:
        import jsonschema

        with open(sys.argv[2], encoding="utf-8") as f:
            schema = json.load(f)
        with open(path, encoding="utf-8") as f:
            instance = json.load(f)
        validator = jsonschema.Draft7Validator(
            schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
        )
        for e in validator.iter_errors(instance):
            problems.append(f"spdx-2.3.schema.json: {list(e.absolute_path)}: {e.message}")
    if problems:
        print("\n".join(problems))
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
