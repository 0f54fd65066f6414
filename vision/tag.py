"""Tag images from the command line.

    python -m vision.tag IMAGE [IMAGE ...] --json

Prints one JSON object per image (one per line): category (slug, score, top-3), colour,
attributes, embedding_dim, model_version; unreadable images get ok=false and an error.
"""
from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vision.tag", description=__doc__.split("\n")[0])
    parser.add_argument("images", nargs="+", help="image files")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda if available)")
    args = parser.parse_args(argv)

    from vision.engine import Engine

    engine = Engine(device=args.device)
    failed = False
    for path, result in zip(args.images, engine.run(args.images)):
        data = {"image": path, **result.to_json()}
        data.pop("code", None)
        failed |= not result.ok
        if args.json:
            print(json.dumps(data))
        elif result.ok:
            print(f"{path}: {result.category.label} ({result.category.score:.2f}), "
                  f"{result.colour.label} ({result.colour.score:.2f}) [{result.model_version}]")
        else:
            print(f"{path}: error: {result.error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
