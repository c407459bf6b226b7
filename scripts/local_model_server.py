"""Serve a GGUF model on loopback with llama.cpp's HTTP server, through the xllamacpp wheel.

Run by `scripts/local-model serve`, which passes --model; see its --help. The wheel has no
command-line program: its server is configured through `xllamacpp.CommonParams` and runs on
threads of its own once `xllamacpp.Server(params)` returns, so this process only has to stay
alive until it is told to stop.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.request

import xllamacpp

# The settings measured in shared/local-model.md: a context that holds tdev's prompts and a
# model's answer, one request at a time (the tests send one after the other, and a second slot
# would halve the context each gets), and sampling that gives identical answers to identical
# requests unless a request asks otherwise.
CONTEXT_TOKENS = 4096
SEED = 42
TEMPERATURE = 0.0
# The name the server answers to in /v1/models and in its answers (any name is accepted in
# requests).
ALIAS = "qwen2.5-coder-0.5b-instruct"
HEALTH_DEADLINE_SECS = 120


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="the GGUF file")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="CPU threads for prompts and generation (default: every core)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON object, not the URL")
    parser.add_argument(
        "--until-stdin-closes",
        action="store_true",
        help="also stop when standard input reaches its end",
    )
    args = parser.parse_args()
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    return args


def params(args):
    p = xllamacpp.CommonParams()
    p.model.path = args.model
    p.model_alias = {ALIAS}
    p.n_ctx = CONTEXT_TOKENS
    p.n_parallel = 1
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    p.hostnames = ["127.0.0.1"]
    # Port 0 lets the server bind a free port itself, which it then reports: no window in
    # which another process could take a port found free a moment before.
    p.port = args.port
    p.use_jinja = True
    p.warmup = True
    p.sampling.temp = TEMPERATURE
    p.sampling.seed = SEED
    # llama.cpp logs every request at the default verbosity; errors only.
    p.verbosity = 0
    return p


def wait_healthy(base_url):
    deadline = time.monotonic() + HEALTH_DEADLINE_SECS
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(
                f"local-model: {base_url}/health did not answer within {HEALTH_DEADLINE_SECS} s"
            )
        time.sleep(0.1)


def main():
    args = parse_args()
    server = xllamacpp.Server(params(args))
    # After the server is made: llama.cpp sets handlers of its own while it starts.
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    if args.until_stdin_closes:
        # A harness that holds our stdin and dies closes it: the server goes with it instead
        # of outliving it, whatever signal (if any) the harness got.
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            stop.set()

        threading.Thread(target=watch, daemon=True).start()
    base_url = server.listening_address.rstrip("/")
    wait_healthy(base_url)
    if args.json:
        print(json.dumps({"base_url": base_url, "model": ALIAS, "pid": os.getpid()}), flush=True)
    else:
        print(base_url, flush=True)
    while not stop.wait(3600):
        pass
    # The server's threads are native and not daemonic in Python's sense; leaving without
    # unwinding them is the clean way out once the listener need not answer any more.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
