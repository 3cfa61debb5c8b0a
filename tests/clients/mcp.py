"""A minimal MCP client: the official server as a subprocess, JSON-RPC 2.0 over stdio, one
request at a time (what an AI agent's host does)."""

from __future__ import annotations

import json
import subprocess
from typing import Any


class MCPError(Exception):
    pass


class MCPSession:
    def __init__(self, command: list[str], env: dict[str, str], timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
        )
        self._next_id = 0
        self.server_info = self.request(
            "initialize",
            {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "platformkit-tests", "version": "1.0"},
            },
        )
        self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(message) + "\n")
        self._process.stdin.flush()

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self._next_id += 1
        self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params or {}})
        assert self._process.stdout is not None
        while True:
            line = self._process.stdout.readline()
            if not line:
                raise MCPError(f"the MCP server exited: {self._process.stderr.read() if self._process.stderr else ''}")
            message = json.loads(line)
            if message.get("id") != self._next_id:
                continue  # a notification or a server-to-client request
            if "error" in message:
                raise MCPError(message["error"].get("message", str(message["error"])))
            return message["result"]

    def tools(self) -> list[str]:
        return [tool["name"] for tool in self.request("tools/list")["tools"]]

    def call(self, tool: str, **arguments: Any) -> str:
        """The tool's text answer; :class:`MCPError` with that text when the tool failed."""
        result = self.request("tools/call", {"name": tool, "arguments": arguments})
        text = "\n".join(part.get("text", "") for part in result.get("content", []) if part.get("type") == "text")
        if result.get("isError"):
            raise MCPError(text)
        return text

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
