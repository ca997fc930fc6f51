"""Validates a Dagger TOML config file against Dagger's published JSON Schema.

Usage: dagger_config_check.py SCHEMA.json FILE.toml
Independent of cutover: Python's tomllib parses, jsonschema validates.
"""

import json
import sys
import tomllib

import jsonschema


def main() -> int:
    schema_path, config_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    with open(config_path, "rb") as handle:
        config = tomllib.load(handle)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.path))
    for error in errors:
        print(f"{config_path}: {'/'.join(map(str, error.path)) or '(root)'}: {error.message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
