"""Flex Template entry point: --command=run (batch, the default) or --command=stream, then flags.

Workers use this same image unless --sdk_container_image is given (NEWSBEAM_WORKER_IMAGE is set
at build time), so they start with newsbeam and its data installed."""

import os
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--command=")]
command = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--command=")), "run")
image = os.environ.get("NEWSBEAM_WORKER_IMAGE")
if image and not any(a.startswith("--sdk_container_image") for a in args):
    args += [f"--sdk_container_image={image}", "--sdk_location=container"]
from pipeline.cli import main

sys.exit(main([command, *args]))
