//! Where tdev's logs and traces go, set up once by `main`: log lines to stderr, filtered by
//! `-v` and `RUST_LOG`; and, when the standard OpenTelemetry variables ask for it
//! (`settings.rs`), the spans of every cycle to a collector over OTLP/HTTP. Without them no
//! OpenTelemetry code runs. The spans themselves are opened where the work is (the cycle's
//! in `tdev-actors`, whose `trace.rs` draws them); `docs/observability.md` is the user's guide.

mod client;
mod exporter;
mod settings;

use crate::exit::UserError;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use settings::Settings;
use std::io::IsTerminal as _;
use std::time::Duration;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::{FilterExt as _, Targets, filter_fn};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

/// How long the process waits at exit for the last spans to be sent (the exporter's own time
/// limit bounds each attempt within it).
const FLUSH_TIMEOUT: Duration = Duration::from_secs(15);

/// The process's telemetry; [`Telemetry::shutdown`] sends what is left before the process
/// exits.
#[derive(Debug)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans not sent yet and stops the exporter (a no-op without export).
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown_with_timeout(FLUSH_TIMEOUT)
        {
            tracing::warn!("the last traces may not have been sent: {e}");
        }
    }
}

/// Installs the log output (`verbose` 0: warnings, 1: info, more: debug; `RUST_LOG`
/// overrides) and, when the environment asks for it, the OTLP export of tdev's spans. A
/// request tdev cannot honour (another protocol, an endpoint that is no URL) is the user's
/// mistake.
pub fn init(verbose: u8) -> Result<Telemetry, UserError> {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let events = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // tdev's own spans (info) are always on for the log, whatever the level, so that every
    // line logged in a cycle names its cycle, task and attempt. The hint keeps debug and trace
    // callsites off at once, as the level alone did.
    let ours = filter_fn(|meta| {
        meta.is_span() && *meta.level() <= tracing::Level::INFO && meta.target().starts_with("tdev")
    })
    .with_max_level_hint(LevelFilter::INFO);
    // Colours only for a person at a terminal: a daemon's log goes to a file or a journal.
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let log = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false)
        .with_filter(events.or(ours));
    let settings = Settings::from_env(|name| std::env::var(name).ok()).map_err(UserError::new)?;
    let Some(settings) = settings else {
        tracing_subscriber::registry().with(log).init();
        return Ok(Telemetry { provider: None });
    };
    let provider = provider(&settings)?;
    let traces = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("tdev"))
        // Each span says where in the code it was opened; not which thread ran it (the work
        // of one span moves between threads) nor its busy and idle times.
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        // tdev's spans and what is logged in them; of other crates, only warnings.
        .with_filter(
            Targets::new()
                .with_default(LevelFilter::WARN)
                .with_target("tdev", LevelFilter::INFO),
        );
    tracing_subscriber::registry().with(log).with(traces).init();
    Ok(Telemetry {
        provider: Some(provider),
    })
}

/// The tracer provider: spans batched on the SDK's own thread and posted to the endpoint.
fn provider(settings: &Settings) -> Result<SdkTracerProvider, UserError> {
    let invalid = |e: &dyn std::fmt::Display| {
        UserError::new(format!(
            "the OTLP trace export to {} cannot start: {e}; check the OTEL_EXPORTER_OTLP_* \
             variables (see docs/observability.md)",
            settings.endpoint
        ))
    };
    let client = client::Blocking::new(settings.timeout).map_err(|e| invalid(&e))?;
    let failure = client.failure();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(settings.endpoint.clone())
        .with_timeout(settings.timeout)
        .with_http_client(client)
        .build()
        .map_err(|e| invalid(&e))?;
    let mut resource = Resource::builder().with_attribute(opentelemetry::KeyValue::new(
        "service.version",
        env!("CARGO_PKG_VERSION"),
    ));
    if let Some(name) = settings.service_name {
        resource = resource.with_service_name(name);
    }
    Ok(SdkTracerProvider::builder()
        .with_resource(resource.build())
        .with_batch_exporter(exporter::WarnOnce::new(
            exporter,
            settings.endpoint.clone(),
            failure,
        ))
        .build())
}
