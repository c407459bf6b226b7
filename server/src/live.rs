//! The daemon's live numbers for `/metrics`: what only the running daemon knows (queue
//! length, budgets left, running cycles), as opposed to what the graph holds. The daemon
//! implements [`Live`] and hands it to `State::with_live`; without it there are none.

/// One gauge sample: a Prometheus metric name, its help text, labels and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    /// The metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`, e.g. `tdev_queue_length`); samples with
    /// an invalid name are left out of the exposition.
    pub name: String,
    /// One line saying what it measures.
    pub help: String,
    /// Label names and values (`repository="attrs"`).
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

impl Gauge {
    /// A gauge without labels.
    pub fn new(name: impl Into<String>, help: impl Into<String>, value: f64) -> Self {
        Self {
            name: name.into(),
            help: help.into(),
            labels: Vec::new(),
            value,
        }
    }

    /// Adds a label.
    #[must_use]
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }
}

/// The daemon's gauges, read at every scrape of `/metrics`; must be quick (no store access).
pub trait Live: Send + Sync + 'static {
    /// The current samples.
    fn gauges(&self) -> Vec<Gauge>;
}

/// No live gauges: what a server has until the daemon plugs its own in.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLive;

impl Live for NoLive {
    fn gauges(&self) -> Vec<Gauge> {
        Vec::new()
    }
}

impl<F> Live for F
where
    F: Fn() -> Vec<Gauge> + Send + Sync + 'static,
{
    fn gauges(&self) -> Vec<Gauge> {
        self()
    }
}
