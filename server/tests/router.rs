//! The HTTP surface as a client sees it, through the router without a socket, on a real
//! knowledge base holding recorded cycles: content negotiation, the token on writes, the
//! limits, the graph store, metrics, health, the JSON API and live events.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::StreamExt;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use std::sync::Arc;
use std::time::Duration;
use support::{Answer, Fixture, TOKEN, encode, fixture, get, send, writable};
use tdev_server::{Config, Gauge};

const SELECT: &str = "PREFIX tdev: <https://tdev.dev/ns#> SELECT ?c ?o WHERE { ?c a tdev:Cycle ; tdev:outcome ?o } LIMIT 3";
const CONSTRUCT: &str = "PREFIX tdev: <https://tdev.dev/ns#> CONSTRUCT { ?c tdev:outcome ?o } WHERE { ?c a tdev:Cycle ; tdev:outcome ?o } LIMIT 3";

/// How a body is checked: it must parse in the format its Content-Type names.
fn parses(answer: &Answer) -> usize {
    let body = answer.body.as_bytes();
    let results = |format| match QueryResultsParser::from_format(format)
        .for_reader(body)
        .unwrap()
    {
        ReaderQueryResultsParserOutput::Solutions(rows) => {
            rows.collect::<Result<Vec<_>, _>>().unwrap().len()
        }
        ReaderQueryResultsParserOutput::Boolean(_) => 1,
    };
    let graph = |format| {
        RdfParser::from_format(format)
            .for_reader(body)
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
            .len()
    };
    match answer.content_type() {
        "application/sparql-results+json" => results(QueryResultsFormat::Json),
        "application/sparql-results+xml" => results(QueryResultsFormat::Xml),
        // oxigraph reads no CSV results (the format is lossy): a header and one line a row.
        "text/csv" => {
            assert_eq!(answer.body.lines().next(), Some("c,o"), "{}", answer.body);
            answer.body.lines().count() - 1
        }
        "text/tab-separated-values" => results(QueryResultsFormat::Tsv),
        "text/turtle" => graph(RdfFormat::Turtle),
        "application/n-triples" => graph(RdfFormat::NTriples),
        "application/n-quads" => graph(RdfFormat::NQuads),
        "application/trig" => graph(RdfFormat::TriG),
        "application/rdf+xml" => graph(RdfFormat::RdfXml),
        "application/ld+json" => graph(RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        }),
        other => panic!("unexpected content type {other:?}: {}", answer.body),
    }
}

/// Sends `query` with `params` (`format=…`) and `accept`; checks the content type and that
/// the body parses to three solutions or triples.
async fn check(query: &str, params: &str, accept: Option<&str>, expected: &str) {
    let f = fixture(Config::default());
    let mut request = Request::get(format!("/query?query={}{params}", encode(query)));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let answer = send(&f.router(), request.body(Body::empty()).unwrap()).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{params} {accept:?}: {}",
        answer.body
    );
    assert_eq!(answer.content_type(), expected, "{params} {accept:?}");
    assert_eq!(parses(&answer), 3, "{params} {accept:?}: {}", answer.body);
}

#[tokio::test]
async fn content_negotiation_by_accept_and_by_format_parameter() {
    let json = "application/sparql-results+json";
    let xml = "application/sparql-results+xml";
    check(SELECT, "", None, json).await;
    check(SELECT, "", Some("*/*"), json).await;
    check(SELECT, "", Some("application/sparql-results+xml"), xml).await;
    check(
        SELECT,
        "",
        Some("text/csv;q=0.5, application/sparql-results+xml"),
        xml,
    )
    .await;
    check(
        SELECT,
        "",
        Some("text/csv, text/tab-separated-values;q=0.9"),
        "text/csv",
    )
    .await;
    check(
        SELECT,
        "",
        Some("text/tab-separated-values"),
        "text/tab-separated-values",
    )
    .await;
    check(SELECT, "&format=json", Some("text/csv"), json).await;
    check(SELECT, "&output=xml", None, xml).await;
    check(
        SELECT,
        "&format=tsv&format=text%2Ftab-separated-values",
        None,
        "text/tab-separated-values",
    )
    .await;
    check(CONSTRUCT, "", None, "text/turtle").await;
    check(
        CONSTRUCT,
        "",
        Some("application/n-triples"),
        "application/n-triples",
    )
    .await;
    check(
        CONSTRUCT,
        "",
        Some("application/n-quads"),
        "application/n-quads",
    )
    .await;
    check(
        CONSTRUCT,
        "",
        Some("application/ld+json"),
        "application/ld+json",
    )
    .await;
    check(
        CONSTRUCT,
        "",
        Some("application/rdf+xml"),
        "application/rdf+xml",
    )
    .await;
    check(CONSTRUCT, "&format=json-ld", None, "application/ld+json").await;
    check(CONSTRUCT, "&format=xml", None, "application/rdf+xml").await;
}

#[tokio::test]
async fn a_format_that_cannot_carry_the_results_is_406_with_the_list() {
    let f = fixture(Config::default());
    let request = Request::get(format!("/query?query={}", encode(SELECT)))
        .header("accept", "text/turtle")
        .body(Body::empty())
        .unwrap();
    let answer = send(&f.router(), request).await;
    assert_eq!(answer.status, StatusCode::NOT_ACCEPTABLE);
    assert!(
        answer.body.contains("application/sparql-results+json"),
        "{}",
        answer.body
    );
    let answer = send(
        &f.router(),
        get(&format!("/query?query={}&format=csv", encode(CONSTRUCT))),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_ACCEPTABLE);
    assert!(
        answer.body.contains("application/ld+json"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn post_bodies_and_the_dataset_parameters() {
    let f = fixture(Config::default());
    let count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
    let n = |answer: &Answer| -> u64 {
        let v: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        v["results"]["bindings"][0]["n"]["value"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let direct = Request::post("/query")
        .header("content-type", "application/sparql-query")
        .body(Body::from(count))
        .unwrap();
    let all = send(&f.router(), direct).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let graph = tdev_knowledge::vocab::cycle_graph("syn-7-000003");
    let form = format!(
        "query={}&default-graph-uri={}",
        encode(count),
        encode(graph.as_str())
    );
    let request = Request::post("/query")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let one = send(&f.router(), request).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert!(
        n(&one) > 0 && n(&one) < n(&all),
        "{} vs {}",
        n(&one),
        n(&all)
    );
    let other = Request::post("/query")
        .header("content-type", "text/plain")
        .body(Body::from(count))
        .unwrap();
    assert_eq!(
        send(&f.router(), other).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

fn update(token: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post("/update").header("content-type", "application/sparql-update");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

const INSERT: &str = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> \"o\" } }";

#[tokio::test]
async fn an_update_without_the_token_is_401_and_writes_nothing() {
    let f = fixture(writable());
    let before = f.quads();
    let missing = send(&f.router(), update(None, INSERT)).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        missing.headers["www-authenticate"],
        r#"Bearer realm="tdev""#
    );
    let wrong = send(&f.router(), update(Some("not-the-token-at-all"), INSERT)).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    assert_eq!(f.quads(), before, "nothing was written");
    let form = Request::post("/update")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Body::from(format!("update={}", encode(INSERT))))
        .unwrap();
    let applied = send(&f.router(), form).await;
    assert_eq!(applied.status, StatusCode::NO_CONTENT, "{}", applied.body);
    assert_eq!(f.quads(), before + 1);
}

#[tokio::test]
async fn without_a_configured_token_updates_are_403() {
    let f = fixture(Config::default());
    let before = f.quads();
    let answer = send(&f.router(), update(Some(TOKEN), INSERT)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.body.contains("no update token"), "{}", answer.body);
    assert_eq!(f.quads(), before);
}

#[tokio::test]
async fn a_malformed_query_is_400_with_the_parser_message_and_nothing_internal() {
    let f = fixture(writable());
    let answer = send(
        &f.router(),
        get(&format!("/query?query={}", encode("SELECT ?x WHERE { ?x "))),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.body.starts_with("invalid SPARQL query: error at 1:"),
        "{}",
        answer.body
    );
    assert!(
        !answer.body.contains(f.dir.path().to_str().unwrap()),
        "{}",
        answer.body
    );
    let bad_update = send(&f.router(), update(Some(TOKEN), "INSERT DATA { <a> }")).await;
    assert_eq!(bad_update.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_update
            .body
            .starts_with("invalid SPARQL update: error at"),
        "{}",
        bad_update.body
    );
    let missing = send(&f.router(), get("/query")).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(
        missing.body.contains("needs a query parameter"),
        "{}",
        missing.body
    );
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let f = fixture(Config {
        max_body_bytes: 1024,
        ..writable()
    });
    let big = format!("SELECT * WHERE {{ ?s ?p ?o }} # {}", "x".repeat(2000));
    let request = Request::post("/query")
        .header("content-type", "application/sparql-query")
        .body(Body::from(big))
        .unwrap();
    let answer = send(&f.router(), request).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert!(answer.body.contains("1024 bytes"), "{}", answer.body);
    let before = f.quads();
    let big_update = format!("{INSERT} # {}", "x".repeat(2000));
    assert_eq!(
        send(&f.router(), update(Some(TOKEN), &big_update))
            .await
            .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(f.quads(), before);
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let f = fixture(Config::default());
    let answer = send(&f.router(), get("/nowhere")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer.body.contains("no endpoint at /nowhere"),
        "{}",
        answer.body
    );
    let delete = Request::delete("/query").body(Body::empty()).unwrap();
    assert_eq!(
        send(&f.router(), delete).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        send(&f.router(), get("/update")).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn the_graph_store_reads_always_and_writes_only_when_enabled_with_the_token() {
    let f = fixture(writable());
    let graph = tdev_knowledge::vocab::cycle_graph("syn-7-000001");
    let read = send(
        &f.router(),
        get(&format!("/store?graph={}", encode(graph.as_str()))),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.content_type(), "text/turtle");
    assert!(parses(&read) > 10);
    let dataset = Request::get("/store")
        .header("accept", "application/n-quads")
        .body(Body::empty())
        .unwrap();
    let dataset = send(&f.router(), dataset).await;
    assert_eq!(dataset.content_type(), "application/n-quads");
    assert_eq!(parses(&dataset), f.quads());
    assert_eq!(
        send(
            &f.router(),
            get("/store?graph=http%3A%2F%2Fexample.org%2Fnone")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&f.router(), get("/store?default")).await.status,
        StatusCode::OK
    );

    let target = "/store?graph=http%3A%2F%2Fexample.org%2Fnew";
    let put = |token: Option<&str>| {
        let mut request = Request::put(target).header("content-type", "text/turtle");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        request
            .body(Body::from(
                "<http://example.org/s> <http://example.org/p> 1, 2 .",
            ))
            .unwrap()
    };
    let before = f.quads();
    assert_eq!(
        send(&f.router(), put(None)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(f.quads(), before);
    assert_eq!(
        send(&f.router(), put(Some(TOKEN))).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        send(&f.router(), put(Some(TOKEN))).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(f.quads(), before + 2, "PUT replaces");
    let back = send(&f.router(), get(&format!("{target}&format=ntriples"))).await;
    assert_eq!(parses(&back), 2, "{}", back.body);
    let delete = Request::delete(target)
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&f.router(), delete).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(f.quads(), before);
    assert_eq!(
        send(&f.router(), get(target)).await.status,
        StatusCode::NOT_FOUND
    );

    let read_only = fixture(Config {
        store_writable: false,
        ..writable()
    });
    let refused = send(&read_only.router(), put(Some(TOKEN))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("read-only"), "{}", refused.body);
}

/// One line of the Prometheus text format: a comment or `name{labels} value`.
fn valid_exposition_line(line: &str) -> bool {
    if let Some(rest) = line.strip_prefix("# ") {
        return rest.starts_with("HELP ") || rest.starts_with("TYPE ");
    }
    let (series, value) = match line.rsplit_once(' ') {
        Some(parts) => parts,
        None => return false,
    };
    let name_end = series.find('{').unwrap_or(series.len());
    let name = &series[..name_end];
    let name_ok = !name.is_empty()
        && name.chars().enumerate().all(|(i, c)| {
            c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
        });
    let labels = &series[name_end..];
    let labels_ok = labels.is_empty()
        || (labels.starts_with('{')
            && labels.ends_with('}')
            && labels[1..labels.len() - 1].split("\",").all(|pair| {
                pair.split_once("=\"").is_some_and(|(l, _)| {
                    !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            }));
    let value_ok = value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value);
    name_ok && labels_ok && value_ok
}

#[tokio::test]
async fn metrics_are_valid_prometheus_text_counted_from_the_graph() {
    let f = fixture(Config::default());
    let state = f.state.clone().with_live(Arc::new(|| {
        vec![Gauge::new("tdev_queue_length", "Cycles waiting.", 2.0).label("repository", "a\"b")]
    }));
    let answer = send(&tdev_server::app(state), get("/metrics")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        answer
            .content_type()
            .starts_with("text/plain; version=0.0.4")
    );
    for line in answer.body.lines() {
        assert!(valid_exposition_line(line), "not Prometheus text: {line:?}");
    }
    let sum = |prefix: &str| -> f64 {
        answer
            .body
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(|l| l.rsplit_once(' ').unwrap().1.parse::<f64>().unwrap())
            .sum()
    };
    assert_eq!(sum("tdev_cycles_total{"), support::CYCLES as f64);
    let attempts = sum("tdev_attempts_total{");
    assert!(attempts >= support::CYCLES as f64);
    assert_eq!(sum("tdev_attempt_duration_seconds_count"), attempts);
    assert_eq!(
        sum("tdev_attempt_duration_seconds_bucket{le=\"+Inf\"}"),
        attempts
    );
    let ratio = sum("tdev_gate_pass_ratio");
    assert!(ratio > 0.0 && ratio < 1.0, "{ratio}");
    assert!(
        answer.body.contains("tdev_model_version{model="),
        "{}",
        answer.body
    );
    assert!(
        answer
            .body
            .contains(r#"tdev_queue_length{repository="a\"b"} 2"#),
        "{}",
        answer.body
    );
    // The checker itself rejects what is not exposition text.
    assert!(!valid_exposition_line("tdev cycles 3"));
    assert!(!valid_exposition_line("tdev_x{a=1} 3"));
}

#[tokio::test]
async fn health_says_the_store_answers_with_its_cycles() {
    let f = fixture(Config::default());
    let answer = send(&f.router(), get("/health")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["cycles"], support::CYCLES);
}

#[tokio::test]
async fn the_json_api_lists_and_shows_cycles() {
    let f = fixture(Config::default());
    let list = send(&f.router(), get("/api/cycles")).await;
    assert_eq!(list.status, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(list.as_array().unwrap().len() as u64, support::CYCLES);
    assert_eq!(list[0]["id"], "syn-7-000049", "newest first");
    let one = send(&f.router(), get("/api/cycles/syn-7-000002")).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    let one: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(one["cycle"], "syn-7-000002");
    assert!(one["summary"]["outcome"].is_string(), "{one}");
    assert!(!one["attempts"].as_array().unwrap().is_empty());
    let missing = send(&f.router(), get("/api/cycles/nope")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("no cycle nope is recorded"),
        "{}",
        missing.body
    );
    let ask = Request::post("/api/ask")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"question": "what should I fix first?"}"#))
        .unwrap();
    assert_eq!(
        send(&f.router(), ask).await.status,
        StatusCode::FORBIDDEN,
        "ask needs repositories"
    );
}

#[tokio::test]
async fn events_reach_a_subscriber_as_server_sent_events() {
    let f = fixture(Config::default());
    let events = f.state.events();
    let response = f.router().oneshot_get("/events").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    // The handler subscribed before answering: what is published now reaches this client.
    events
        .send(tdev_actors::Event::CycleStarted {
            cycle: "c-1".into(),
            repository: "attrs".into(),
        })
        .unwrap();
    let mut body = response.into_body().into_data_stream();
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(chunk) = body.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if seen.contains("\n\n") && seen.contains("event: cycle-started") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "{seen}");
    assert!(
        seen.contains(r#"data: {"cycle":"c-1","repository":"attrs"}"#),
        "{seen}"
    );
}

trait OneshotGet {
    async fn oneshot_get(self, uri: &str) -> axum::response::Response;
}

impl OneshotGet for axum::Router {
    async fn oneshot_get(self, uri: &str) -> axum::response::Response {
        use tower::ServiceExt;
        self.oneshot(get(uri)).await.unwrap()
    }
}

/// A chain of `n` nodes; `?a <next>* ?b` over it visits every pair, reading the store at
/// every step, which takes seconds for a few thousand nodes.
pub fn chain(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "<http://example.org/n{i}> <http://example.org/next> <http://example.org/n{}> .\n",
                i + 1
            )
        })
        .collect()
}

/// Loads `chain(3000)` into its own graph.
fn load_chain(f: &Fixture) {
    f.knowledge
        .graph
        .load(
            chain(3000).as_bytes(),
            tdev_knowledge::GraphFormat::NTriples,
            Some("http://example.org/chain"),
            "chain",
            |_| {},
        )
        .unwrap();
}

/// The answer to a query stopped at its time limit: 503, saying so.
fn stopped_at_the_limit(answer: &Answer) {
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("ran longer than the limit"),
        "{}",
        answer.body
    );
}

/// Cancelled evaluations give their slots back (every slot is free again) and the server
/// answers the next query.
async fn goes_on(f: &Fixture) {
    tokio::time::timeout(Duration::from_secs(120), f.state.idle())
        .await
        .expect("a cancelled query's thread did not stop");
    let next = send(
        &f.router(),
        get(&format!("/query?query={}", encode("ASK { ?s ?p ?o }"))),
    )
    .await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_over_the_time_limit_is_503_and_the_server_goes_on() {
    let f = fixture(Config {
        query_timeout: Duration::from_millis(200),
        ..Config::default()
    });
    load_chain(&f);
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/next>* ?b }";
    let answer = send(&f.router(), get(&format!("/query?query={}", encode(slow)))).await;
    stopped_at_the_limit(&answer);
    goes_on(&f).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_query_that_turned_slow_is_still_stopped_at_the_time_limit() {
    // Every query answered within a minute counts as quick: after its first answer the
    // same query is evaluated on the worker that takes the request, where only the
    // watchdog can stop it.
    let f = fixture(Config {
        query_timeout: Duration::from_millis(200),
        quick_query: Duration::from_secs(60),
        ..Config::default()
    });
    let slow = format!(
        "/query?query={}",
        encode("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/next>+ ?b }")
    );
    // Quick while nothing is linked by `next`.
    let empty = send(&f.router(), get(&slow)).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    load_chain(&f);
    let answer = send(&f.router(), get(&slow)).await;
    stopped_at_the_limit(&answer);
    // It was stopped, so it is no longer quick: the next time it goes to the pool and is
    // stopped there; either way the server goes on.
    let again = send(&f.router(), get(&slow)).await;
    assert_eq!(
        again.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        again.body
    );
    goes_on(&f).await;
}

#[tokio::test]
async fn the_dashboard_is_one_page_that_loads_nothing_from_elsewhere() {
    let f = fixture(Config::default());
    for path in ["/", "/dashboard"] {
        let page = send(&f.router(), get(path)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.content_type(), "text/html; charset=utf-8");
        let policy = page.headers["content-security-policy"].to_str().unwrap();
        assert!(policy.starts_with("default-src 'none'"), "{policy}");
        // The only absolute URL is the SVG namespace, which is a name, not a request.
        let elsewhere: Vec<&str> = page
            .body
            .match_indices("http")
            .map(|(at, _)| &page.body[at..(at + 30).min(page.body.len())])
            .filter(|url| !url.starts_with("http://www.w3.org/2000/svg"))
            .collect();
        assert!(elsewhere.is_empty(), "{elsewhere:?}");
        for endpoint in [
            "/api/cycles",
            "/api/learning",
            "/api/branches",
            "/api/status",
        ] {
            assert!(page.body.contains(&format!("\"{endpoint}")), "{endpoint}");
        }
    }
}

#[tokio::test]
async fn the_learning_data_and_the_branches_are_those_of_the_recorded_cycles() {
    let f = fixture(Config::default());
    let body = |answer: Answer| -> serde_json::Value {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        serde_json::from_str(&answer.body).unwrap()
    };
    let cycles = body(send(&f.router(), get("/api/cycles")).await);
    let cycles = cycles.as_array().unwrap();
    let attempted = cycles.iter().filter(|c| c["attempts"] != "0").count();
    let learning = body(send(&f.router(), get("/api/learning")).await);
    assert_eq!(learning["pass_rate"]["cycles"], cycles.len());
    assert_eq!(
        learning["pass_rate"]["points"].as_array().unwrap().len(),
        attempted
    );
    let errors = &learning["errors"];
    let scored = errors["scored"].as_u64().expect("enough attempts to score");
    assert_eq!(errors["learned"].as_array().unwrap().len() as u64, scored);
    assert_eq!(errors["heuristic"].as_array().unwrap().len() as u64, scored);
    assert_eq!(learning["evaluation"]["scored"], scored);
    assert!(learning["unavailable"].is_null());
    assert!(
        !learning["models"].as_array().unwrap().is_empty(),
        "the 50th cycle trains a model"
    );

    // One branch per passing attempt that kept one, as `tdev show` lists them.
    let mut kept = std::collections::BTreeSet::new();
    for cycle in cycles {
        let id = cycle["id"].as_str().unwrap();
        let detail = body(send(&f.router(), get(&format!("/api/cycles/{id}"))).await);
        for attempt in detail["attempts"].as_array().unwrap() {
            if attempt["passed"] == "true"
                && let Some(branch) = attempt["branch"].as_str()
            {
                kept.insert(branch.to_owned());
            }
        }
    }
    let branches = body(send(&f.router(), get("/api/branches")).await);
    let listed: std::collections::BTreeSet<String> = branches
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["branch"].as_str().unwrap().to_owned())
        .collect();
    assert!(!kept.is_empty());
    assert_eq!(listed, kept);
    let times: Vec<&str> = branches
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["proposed_at"].as_str().unwrap())
        .collect();
    assert!(times.is_sorted_by(|a, b| a >= b), "newest first: {times:?}");
    assert!(branches[0]["fate"].is_null(), "no cycle looked yet");

    // A later cycle on the repository sees one merged: that is its fate now.
    let mut later = support::synthetic::record(7, support::CYCLES);
    let repository = later.repository.name.clone();
    let seen = branches
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["repository"] == repository.as_str())
        .expect("a branch of the later cycle's repository");
    let branch = seen["branch"].as_str().unwrap().to_owned();
    later.branch_fates = vec![tdev_core::BranchFate {
        branch: branch.clone(),
        fate: tdev_core::Fate::Merged,
        observed_at: later.started_at,
    }];
    f.knowledge.graph.record_cycles(&[later.clone()]).unwrap();
    let branches = body(send(&f.router(), get("/api/branches")).await);
    let merged: Vec<&serde_json::Value> = branches
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| !b["fate"].is_null())
        .collect();
    assert_eq!(merged.len(), 1, "{merged:?}");
    assert_eq!(merged[0]["branch"], branch.as_str());
    assert_eq!(merged[0]["fate"], "merged");
    assert_eq!(merged[0]["observed_at"], later.started_at.to_string());
}

#[tokio::test]
async fn the_daemon_status_is_404_without_a_daemon_and_503_until_it_first_says_it() {
    use tdev_schedule::{BudgetStatus, DaemonStatus};
    let f = fixture(Config::default());
    let none = send(&f.router(), get("/api/status")).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert!(none.body.contains("no daemon"), "{}", none.body);

    let starting = tdev_server::app(f.state.clone().with_status(Arc::new(|| None)));
    let early = send(&starting, get("/api/status")).await;
    assert_eq!(early.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(early.headers["retry-after"], "1");

    let status = DaemonStatus {
        pid: 7,
        paused: true,
        halted: false,
        stopping: false,
        repositories: Vec::new(),
        budgets: BudgetStatus {
            cycles_last_hour: 3,
            cycles_per_hour: Some(4),
            spent_today: 0.25,
            spend_per_day: None,
        },
    };
    let said = status.clone();
    let running = tdev_server::app(
        f.state
            .clone()
            .with_status(Arc::new(move || Some(said.clone()))),
    );
    let answer = send(&running, get("/api/status")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(json, serde_json::to_value(&status).unwrap());
}
