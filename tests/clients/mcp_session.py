"""A real MCP client session with `tdev mcp` (tests/mcp.rs), through the Python `mcp` package
pinned in tests/requirements.txt.

Usage: mcp_session.py CONFIG.json, where CONFIG names the server to start ("command", "args",
"env", "cwd"), the calls to make one after the other ("calls": [{"tool": NAME, "arguments":
{...}}, ...]) and, optionally, calls to make all at once ("together": [...]). Prints one JSON
report on stdout: the server's name, its tools (name, input schema), what each call answered
(is_error and the texts of its content; "calls" and "together" in the order given), and every
line the server wrote to stdout that was not a JSON-RPC message. The test judges the report; this script only
checks what the protocol itself requires.
"""

import asyncio
import json
import sys

import mcp
from mcp import ClientSession, StdioServerParameters, stdio_client

# A call answers within this; `plan` and `ask` scan a small repository.
CALL_TIMEOUT_SECONDS = 300


async def session(config):
    server = StdioServerParameters(
        command=config["command"],
        args=config["args"],
        env=config["env"],
        cwd=config["cwd"],
    )
    stray = []

    async def on_message(message):
        # What the transport could not read as JSON-RPC arrives here as an exception.
        if isinstance(message, Exception):
            stray.append(repr(message))

    report = {"calls": []}
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write, message_handler=on_message) as client:
            initialized = await client.initialize()
            report["server"] = initialized.server_info.name
            report["protocol_version"] = initialized.protocol_version
            report["has_tools_capability"] = initialized.capabilities.tools is not None
            listed = await client.list_tools()
            report["tools"] = [
                {"name": tool.name, "input_schema": tool.input_schema, "description": tool.description}
                for tool in listed.tools
            ]

            async def make(call):
                result = await client.call_tool(
                    call["tool"], call.get("arguments", {}), read_timeout_seconds=CALL_TIMEOUT_SECONDS
                )
                return {
                    "tool": call["tool"],
                    "is_error": bool(result.is_error),
                    "texts": [block.text for block in result.content if block.type == "text"],
                }

            for call in config["calls"]:
                report["calls"].append(await make(call))
            report["together"] = list(await asyncio.gather(*(make(call) for call in config.get("together", []))))
    report["stray_stdout"] = stray
    report["mcp_version"] = getattr(mcp, "__version__", None)
    return report


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        config = json.load(f)
    report = asyncio.run(session(config))
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
