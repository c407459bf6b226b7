//! What the standard OpenTelemetry environment variables ask of tdev's trace export, read
//! once at start: whether to export at all, where to, and how long a request may take.
//!
//! Export is on when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the URL traces are posted to, as
//! given) or `OTEL_EXPORTER_OTLP_ENDPOINT` (the collector's base URL, to which `v1/traces` is
//! added) is set, unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. tdev speaks
//! OTLP over HTTP with protobuf bodies only (`OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`, default
//! `http/protobuf`); asking for another protocol or exporter is a mistake said at once.

use std::time::Duration;

/// How tdev exports its traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The URL spans are posted to.
    pub endpoint: String,
    /// The service name to report, unless the environment names one
    /// (`OTEL_SERVICE_NAME`, or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`).
    pub service_name: Option<&'static str>,
    /// How long one export may take, retries included
    /// (`OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT`, in milliseconds).
    pub timeout: Duration,
}

/// The service name tdev's spans carry unless the environment names another.
pub const SERVICE_NAME: &str = "tdev";

/// The OTLP exporters' default time limit on an export.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

impl Settings {
    /// The export `var` (the environment) asks for; `None` when it asks for none, and the
    /// sentence to tell the user when it asks for something tdev cannot do.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Settings>, String> {
        // An empty variable is an unset one, as the specification says.
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        if var("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return Ok(None);
        }
        let endpoint = match (
            var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            var("OTEL_EXPORTER_OTLP_ENDPOINT"),
        ) {
            (Some(traces), _) => ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces),
            (None, Some(base)) => {
                let joined = match base.ends_with('/') {
                    true => format!("{base}v1/traces"),
                    false => format!("{base}/v1/traces"),
                };
                ("OTEL_EXPORTER_OTLP_ENDPOINT", joined)
            }
            (None, None) => return Ok(None),
        };
        match var("OTEL_TRACES_EXPORTER").as_deref().map(str::trim) {
            None | Some("otlp") => {}
            Some("none") => return Ok(None),
            Some(other) => {
                return Err(format!(
                    "OTEL_TRACES_EXPORTER={other}: tdev exports traces with otlp only; set \
                     otlp, or none to send no traces"
                ));
            }
        }
        for name in [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
        ] {
            if let Some(protocol) = var(name) {
                if protocol.trim() != "http/protobuf" {
                    return Err(format!(
                        "{name}={protocol}: tdev sends traces over http/protobuf only; set \
                         http/protobuf (collectors take it on port 4318) or unset it"
                    ));
                }
                // The traces' own setting wins over the general one.
                break;
            }
        }
        let (variable, url) = endpoint;
        let parsed = reqwest::Url::parse(&url);
        if !parsed.is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host()) {
            return Err(format!(
                "{variable}={}: not an http:// or https:// URL; set the collector's OTLP/HTTP \
                 address (for example http://localhost:4318), or unset it to send no traces",
                var(variable).unwrap_or_default()
            ));
        }
        let mut timeout = DEFAULT_TIMEOUT;
        for name in [
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
            "OTEL_EXPORTER_OTLP_TIMEOUT",
        ] {
            if let Some(ms) = var(name) {
                let ms: u64 = ms.trim().parse().map_err(|_| {
                    format!(
                        "{name}={ms}: not a number of milliseconds; set one (10000 is the \
                         default) or unset it"
                    )
                })?;
                timeout = Duration::from_millis(ms);
                break;
            }
        }
        let named = var("OTEL_SERVICE_NAME").is_some()
            || var("OTEL_RESOURCE_ATTRIBUTES").is_some_and(|attributes| {
                attributes
                    .split(',')
                    .any(|pair| pair.split('=').next().map(str::trim) == Some("service.name"))
            });
        Ok(Some(Settings {
            endpoint: url,
            service_name: (!named).then_some(SERVICE_NAME),
            timeout,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `vars` (`NAME=value` each) ask for, in words: "no export", the endpoint with the
    /// service name tdev sets and the timeout, or "error: " and the start of the message.
    fn check(vars: &[&str], expected: &str) {
        let lookup = |name: &str| {
            vars.iter().find_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap();
                (key == name).then(|| value.to_owned())
            })
        };
        let got = match Settings::from_env(lookup) {
            Ok(None) => "no export".to_owned(),
            Ok(Some(s)) => format!(
                "{} service={} timeout={}ms",
                s.endpoint,
                s.service_name.unwrap_or("(the environment's)"),
                s.timeout.as_millis()
            ),
            Err(message) => format!("error: {message}"),
        };
        assert!(
            got == expected || (expected.starts_with("error: ") && got.starts_with(expected)),
            "{vars:?}: {got}"
        );
    }

    #[test]
    #[rustfmt::skip]
    fn the_standard_variables_decide_the_export() {
        // Nothing set, or turned off: no export at all.
        check(&[], "no export");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT="], "no export");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4318", "OTEL_SDK_DISABLED=true"], "no export");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4318", "OTEL_TRACES_EXPORTER=none"], "no export");
        // The base URL gets the traces' path; the traces' own URL is taken as it is and wins.
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4318"], "http://c:4318/v1/traces service=tdev timeout=10000ms");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4318/"], "http://c:4318/v1/traces service=tdev timeout=10000ms");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=https://t/x"], "https://t/x service=tdev timeout=10000ms");
        // A service named by the environment is left to the SDK.
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_SERVICE_NAME=mine"], "http://c/v1/traces service=(the environment's) timeout=10000ms");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_RESOURCE_ATTRIBUTES=a=1, service.name=x"], "http://c/v1/traces service=(the environment's) timeout=10000ms");
        // The protocol tdev speaks, by either name; the timeout, the traces' own first.
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"], "http://c/v1/traces service=tdev timeout=10000ms");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf", "OTEL_EXPORTER_OTLP_PROTOCOL=grpc"], "http://c/v1/traces service=tdev timeout=10000ms");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=500", "OTEL_EXPORTER_OTLP_TIMEOUT=9"], "http://c/v1/traces service=tdev timeout=500ms");
        // What tdev cannot do is said, naming the variable.
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_EXPORTER_OTLP_PROTOCOL=grpc"], "error: OTEL_EXPORTER_OTLP_PROTOCOL=grpc: tdev sends traces over http/protobuf only");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json"], "error: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json: tdev sends");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318"], "error: OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318: not an http:// or https:// URL");
        check(&["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=ftp://c/x"], "error: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=ftp://c/x: not an http://");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_EXPORTER_OTLP_TIMEOUT=10s"], "error: OTEL_EXPORTER_OTLP_TIMEOUT=10s: not a number of milliseconds");
        check(&["OTEL_EXPORTER_OTLP_ENDPOINT=http://c", "OTEL_TRACES_EXPORTER=zipkin"], "error: OTEL_TRACES_EXPORTER=zipkin: tdev exports traces with otlp only");
    }
}
