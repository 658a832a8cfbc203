"""Reads a JSON list of purls and prints, for each, what packageurl-python (the purl-spec
reference implementation) makes of it: its components and its canonical string, or the error."""

import json
import sys

from packageurl import PackageURL


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        purls = json.load(f)
    out = []
    for text in purls:
        try:
            purl = PackageURL.from_string(text)
            out.append({"fields": purl.to_dict(), "canonical": purl.to_string()})
        except ValueError as e:
            out.append({"error": str(e)})
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
