//! The span exporter as tdev runs it: the OTLP exporter, whose failures are said once, as a
//! warning, and never stop tdev. A collector that is down loses the spans of its downtime,
//! nothing else; the SDK's batch processor goes on trying with the next batch.

use super::client::LastFailure;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// An exporter whose first failure is logged as a warning naming the endpoint and the cause.
#[derive(Debug)]
pub struct WarnOnce<E> {
    inner: E,
    endpoint: String,
    /// The HTTP client's own account of a request that failed.
    failure: LastFailure,
    warned: AtomicBool,
}

impl<E> WarnOnce<E> {
    pub fn new(inner: E, endpoint: String, failure: LastFailure) -> Self {
        Self {
            inner,
            endpoint,
            failure,
            warned: AtomicBool::new(false),
        }
    }
}

impl<E: SpanExporter> SpanExporter for WarnOnce<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let exported = self.inner.export(batch).await;
        if let Err(e) = &exported
            && !self.warned.swap(true, Ordering::Relaxed)
        {
            // The exporter says "network error" where the client knows which.
            let why = self.failure.take().unwrap_or_else(|| e.to_string());
            // Logged on the exporter's thread, outside every span, so it is not itself
            // exported.
            tracing::warn!(
                "cannot send traces to {}: {why}; tdev goes on without them and says this once",
                self.endpoint
            );
        }
        exported
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &opentelemetry_sdk::Resource) {
        self.inner.set_resource(resource);
    }
}
