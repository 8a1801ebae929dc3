"""``python -m crawlers.sandbox``: serve the sandbox until Ctrl-C (demo, manual crawls)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .server import serve_until_stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8101, help="first port (0: free ports)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("data/sandbox"),
                        help="folder for registry.toml, truth.json and requests.jsonl")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds each page waits before it is sent, as a remote site's would (default 0)")
    args = parser.parse_args()
    if args.latency < 0:
        parser.error("--latency must be 0 or more seconds")
    args.out.mkdir(parents=True, exist_ok=True)
    serve_until_stopped(args.port, args.out / "registry.toml", args.out / "truth.json",
                        seed=args.seed, log_out=args.out / "requests.jsonl", latency=args.latency)


if __name__ == "__main__":
    main()
