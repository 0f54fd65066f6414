"""`python -m vision.spin INPUT --out DIR [--json]`: INPUT is a video file or a folder of photos."""
import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from .config import SpinConfig, SpinError
from .pipeline import build_spin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vision.spin", description=__doc__)
    parser.add_argument("input", type=Path, help="a video (MP4/MOV/WebM) or a folder of photos")
    parser.add_argument("--out", type=Path, required=True, help="folder for frames + manifest")
    parser.add_argument("--frames", type=int, default=SpinConfig.output_frames)
    parser.add_argument("--json", action="store_true", help="print the manifest as JSON")
    args = parser.parse_args(argv)
    config = SpinConfig(output_frames=args.frames)
    with tqdm(total=100, unit="%", disable=args.json, file=sys.stderr) as bar:
        def on_progress(percent: int, stage: str) -> None:
            bar.set_description(stage)
            bar.update(max(0, percent - bar.n))

        try:
            manifest = build_spin(args.input, args.out, config, on_progress)
        except SpinError as error:
            print(f"error ({error.code}): {error.message}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(manifest, indent=2))
    else:
        print(f"{manifest['frame_count']} frames, loop closed: {manifest['loop_closed']} "
              f"→ {args.out / 'manifest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
