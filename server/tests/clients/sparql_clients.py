"""Real SPARQL clients against a running tdev server: SPARQLWrapper and rdflib.

Usage: python sparql_clients.py ENDPOINT TOKEN CYCLES
ENDPOINT is the server's base URL (http://127.0.0.1:PORT), CYCLES how many cycles it holds.
Prints one line per check; any failure raises, so the exit status says whether all passed.
"""

import csv
import io
import json
import sys
import urllib.error

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper

base, token, cycles = sys.argv[1], sys.argv[2], int(sys.argv[3])
query_url, update_url = base + "/query", base + "/update"

COUNT = """PREFIX tdev: <https://tdev.dev/ns#>
SELECT (COUNT(?c) AS ?n) WHERE { ?c a tdev:Cycle }"""
CONSTRUCT = """PREFIX tdev: <https://tdev.dev/ns#>
CONSTRUCT { ?c tdev:outcome ?o } WHERE { ?c a tdev:Cycle ; tdev:outcome ?o }"""


def wrapper(fmt, method=None):
    client = SPARQLWrapper(query_url)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(method)
    return client


# SPARQLWrapper: SELECT in every results format, GET and POST.
for fmt, method in [(JSON, None), (JSON, POST), (XML, None), (CSV, None), (TSV, None)]:
    client = wrapper(fmt, method)
    client.setQuery(COUNT)
    result = client.query()
    body = result.convert()
    if fmt == JSON:
        n = int(body["results"]["bindings"][0]["n"]["value"])
    elif fmt == XML:
        n = int(body.getElementsByTagName("literal")[0].firstChild.data)
    else:
        text = body.decode("utf-8")
        delimiter = "," if fmt == CSV else "\t"
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        n = int(rows[1][0].split("^^")[0].strip('"'))
    assert n == cycles, (fmt, method, n)
    print(f"SPARQLWrapper SELECT {fmt} {method or 'GET'}: {n} cycles")

# SPARQLWrapper: CONSTRUCT as Turtle, RDF/XML (its default) and JSON-LD, parsed by rdflib.
for fmt in [TURTLE, XML, JSONLD]:
    client = wrapper(fmt)
    client.setQuery(CONSTRUCT)
    graph = client.queryAndConvert()
    if not isinstance(graph, rdflib.Graph):
        graph = rdflib.Graph().parse(data=graph, format="json-ld" if fmt == JSONLD else "turtle")
    assert len(graph) == cycles, (fmt, len(graph))
    print(f"SPARQLWrapper CONSTRUCT {fmt}: {len(graph)} triples")

# SPARQLWrapper: a malformed query is refused with the parser's message.
client = wrapper(JSON)
client.setQuery("SELECT ?x WHERE { ?x")
try:
    client.query()
    raise AssertionError("a malformed query was answered")
except Exception as e:  # SPARQLWrapper raises QueryBadFormed for 400
    assert "QueryBadFormed" in type(e).__name__ or "400" in str(e), repr(e)
    print("SPARQLWrapper malformed query: refused")

# rdflib: SPARQLStore for queries.
store = SPARQLStore(query_url)
rows = list(store.query(COUNT))
assert int(rows[0][0]) == cycles, rows
print(f"rdflib SPARQLStore SELECT: {int(rows[0][0])} cycles")

# rdflib: SPARQLUpdateStore with the bearer token writes; without it the server refuses.
INSERT = 'INSERT DATA { GRAPH <http://example.org/clients> { <http://example.org/rdflib> <http://example.org/says> "hello" } }'
ASK = 'ASK { GRAPH <http://example.org/clients> { <http://example.org/rdflib> <http://example.org/says> "hello" } }'
anonymous = SPARQLUpdateStore(query_url, update_url)
try:
    anonymous.update(INSERT)
    raise AssertionError("an update without the token was accepted")
except urllib.error.HTTPError as e:
    assert e.code == 401, e.code
    print("rdflib SPARQLUpdateStore without the token: 401")
assert not store.query(ASK).askAnswer, "the refused update wrote something"

updates = SPARQLUpdateStore(query_url, update_url, headers={"Authorization": f"Bearer {token}"})
updates.update(INSERT)
assert store.query(ASK).askAnswer, "the update is not visible"
print("rdflib SPARQLUpdateStore with the token: written")
print("all clients passed")
