"""A real OTLP/HTTP trace receiver for tests/observability.rs: it decodes each
ExportTraceServiceRequest with the protobuf classes of the `opentelemetry-proto` package (pinned
in tests/requirements.txt), as a collector does, and appends every span to a JSON-lines file.

Usage: otlp_receiver.py SPANS.jsonl. Listens on a free loopback port and prints
"listening on http://127.0.0.1:PORT" once ready. Each request's spans are written (and flushed)
before its answer is sent, so when an exporter has had its answer, its spans are in the file.
One line per span: its trace, span and parent ids (hex), name, attributes, the resource's
attributes and the names of its events. Runs until killed.
"""

import gzip
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

PROTOBUF = "application/x-protobuf"


def value(any_value):
    """An AnyValue as plain JSON."""
    kind = any_value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return attributes(any_value.kvlist_value.values)
    if kind == "bytes_value":
        return any_value.bytes_value.hex()
    return getattr(any_value, kind)


def attributes(key_values):
    return {kv.key: value(kv.value) for kv in key_values}


class Receiver(BaseHTTPRequestHandler):
    out = None
    lock = Lock()

    def do_POST(self):
        if self.path != "/v1/traces":
            self.answer(404, "text/plain", b"only /v1/traces is served here")
            return
        if self.headers.get("Content-Type") != PROTOBUF:
            self.answer(415, "text/plain", b"OTLP/HTTP bodies are application/x-protobuf")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except DecodeError as e:
            self.answer(400, "text/plain", str(e).encode())
            return
        lines = []
        for resource_spans in request.resource_spans:
            resource = attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    lines.append(
                        json.dumps(
                            {
                                "trace_id": span.trace_id.hex(),
                                "span_id": span.span_id.hex(),
                                "parent_span_id": span.parent_span_id.hex(),
                                "name": span.name,
                                "attributes": attributes(span.attributes),
                                "resource": resource,
                                "scope": scope_spans.scope.name,
                                "events": [event.name for event in span.events],
                            }
                        )
                    )
        with self.lock:
            for line in lines:
                self.out.write(line + "\n")
            self.out.flush()
        self.answer(200, PROTOBUF, ExportTraceServiceResponse().SerializeToString())

    def answer(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    Receiver.out = open(sys.argv[1], "a", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
