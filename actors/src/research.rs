//! The research actor: scans a repository into metrics and findings.

use crate::fault::Faults;
use crate::{ActorKind, PhaseError};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::path::PathBuf;
use tdev_research::{Scan, ScanOptions};

/// Messages of the research actor.
#[derive(Debug)]
pub enum ResearchMsg {
    /// Scan a repository; the reply is the report or why it could not be made.
    Scan {
        /// The repository (or worktree) to scan.
        repo: PathBuf,
        /// The span the scan runs in (its cycle's `research`).
        span: tracing::Span,
        /// Where the report goes.
        reply: RpcReplyPort<Result<Scan, PhaseError>>,
    },
}

/// Scans on a blocking thread so the runtime keeps serving other actors.
#[derive(Debug)]
pub(crate) struct Research;

pub(crate) struct ResearchArgs {
    pub options: ScanOptions,
    /// tdev's tool environment: ruff's and bandit's findings are added when it is installed.
    pub tools_dir: Option<PathBuf>,
    /// Where Rust repositories are built: clippy's findings are added on those.
    pub build: crate::EvaluatorConfig,
    pub faults: Faults,
}

impl Actor for Research {
    type Msg = ResearchMsg;
    type State = ResearchArgs;
    type Arguments = ResearchArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: ResearchArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.faults.check(ActorKind::Research);
        match message {
            ResearchMsg::Scan { repo, span, reply } => {
                crate::fault::halt_point(ActorKind::Research);
                let options = state.options.clone();
                let tools = state.tools_dir.clone().map(tdev_tools::ToolEnv::new);
                let build = state.build.clone();
                let scan = crate::trace::spawn_blocking_in(span, move || {
                    let mut scan = tdev_research::scan(&repo, &options, &|_| {})?;
                    if let Some(tools) = &tools {
                        tdev_research::add_tools(&mut scan, tools);
                    }
                    if repo.join("Cargo.toml").is_file() {
                        // The commit a cycle starts from: what its changes are made on.
                        let clippy = crate::rust::clippy_findings(&build, &repo, "HEAD");
                        // The report says why clippy's findings are missing.
                        let clippy = clippy.map_err(|e| e.to_string());
                        tdev_research::add_findings(&mut scan, "clippy", clippy);
                    }
                    Ok(scan)
                })
                .await
                .unwrap_or_else(|e| Err(PhaseError::interrupted("the scan")(e)));
                // The caller may have given up waiting; that is not this actor's failure.
                let _ = reply.send(scan);
            }
        }
        Ok(())
    }
}
