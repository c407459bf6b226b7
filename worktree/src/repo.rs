//! The user's repository, which tdev reads and branches from but never checks out into.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::admin::AdminLock;
use crate::branch::{BRANCH_PREFIX, branch_exists, check_branch};
use crate::error::{Error, Result};
use crate::git::Git;
use crate::snapshot::{self, Snapshot};
use crate::worktree::Worktree;

/// Who tdev's commits are by, unless configured otherwise.
pub const DEFAULT_IDENTITY: (&str, &str) = ("tdev", "tdev@localhost");

/// A user's git repository, opened at its top level.
///
/// Nothing here writes to the user's working tree, index, HEAD or branches: tdev works in
/// linked worktrees on `tdev/auto/` branches, and git's only traces in the repository are
/// those branches and the worktree metadata under `.git/worktrees/`.
#[derive(Clone, Debug)]
pub struct Repo {
    top: PathBuf,
    git_dir: PathBuf,
    identity: (String, String),
}

impl Repo {
    /// Opens the repository containing `path`.
    ///
    /// Fails with a clear error when git is missing, when `path` is not in a repository
    /// with a working tree, when git refuses the repository (another user owns it), and when
    /// the repository has no commit yet.
    pub fn open(path: &Path) -> Result<Repo> {
        const ARGS: [&str; 3] = ["rev-parse", "--show-toplevel", "--git-common-dir"];
        // git's own words tell its refusals apart, so they are read untranslated.
        let output = Git::new(path).env("LC_ALL", "C").args(ARGS).output()?;
        if !output.success {
            return Err(open_failure(path, &output.stderr()).unwrap_or_else(|| {
                // Neither "no repository" nor a refusal: git's words say what it is.
                output.into_error(ARGS.join(" "))
            }));
        }
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let mut lines = text.lines();
        let (Some(top), Some(git_dir)) = (lines.next(), lines.next()) else {
            return Err(Error::NotARepository {
                path: path.to_owned(),
            });
        };
        let top = canonical(Path::new(top))?;
        // `--git-common-dir` may be relative to the directory git was run in.
        let git_dir = canonical(&path.join(git_dir))?;
        let has_commit = Git::new(&top)
            .args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
            .output()?
            .success;
        if !has_commit {
            return Err(Error::NoCommits { path: top });
        }
        Ok(Repo {
            top,
            git_dir,
            identity: (DEFAULT_IDENTITY.0.to_owned(), DEFAULT_IDENTITY.1.to_owned()),
        })
    }

    /// Makes `dir` (which must exist) a new repository on branch `main` whose first commit,
    /// by tdev, holds every file in it that is not ignored: a project tdev generated. Inside
    /// another repository's working tree it is a repository of its own, as `git init` makes.
    pub fn init(dir: &Path, message: &str) -> Result<Repo> {
        Git::new(dir)
            .args(["init", "--quiet", "--initial-branch=main"])
            .run()?;
        Git::new(dir).args(["add", "--all"]).run()?;
        let (name, email) = DEFAULT_IDENTITY;
        Git::new(dir)
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email)
            .args(["commit", "--quiet", "--no-gpg-sign", "-m", message])
            .run()?;
        Repo::open(dir)
    }

    /// Uses `name <email>` as author and committer of tdev's commits instead of
    /// [`DEFAULT_IDENTITY`].
    pub fn with_identity(mut self, name: &str, email: &str) -> Repo {
        self.identity = (name.to_owned(), email.to_owned());
        self
    }

    /// The repository's top level.
    pub fn path(&self) -> &Path {
        &self.top
    }

    /// Holds git's list of worktrees still while it is read or changed (see `admin`): every
    /// `git worktree` command, and `git branch -D`, which reads it.
    pub(crate) fn admin_lock(&self) -> Result<AdminLock> {
        AdminLock::take(&self.git_dir)
    }

    /// The commit id HEAD points to: the base of a cycle.
    pub fn head(&self) -> Result<String> {
        self.resolve("HEAD")
    }

    /// The full commit id of `rev`.
    fn resolve(&self, rev: &str) -> Result<String> {
        let output = Git::new(&self.top)
            .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
            .args([format!("{rev}^{{commit}}")])
            .output()?;
        if !output.success {
            return Err(Error::UnknownBase(rev.to_owned()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Checks out `base` into a new linked worktree at `dir` on the new branch `branch`
    /// (`git worktree add -b <branch> <dir> <base>`).
    ///
    /// Refuses a branch outside `tdev/auto/`, a branch that already exists, and a
    /// directory inside the repository's working tree or git directory.
    pub fn create_worktree(&self, base: &str, branch: &str, dir: &Path) -> Result<Worktree> {
        check_branch(&self.top, branch)?;
        if branch_exists(&self.top, branch)? {
            return Err(Error::BranchExists(branch.to_owned()));
        }
        let dir = absolute(dir)?;
        for inside in [&self.top, &self.git_dir] {
            if dir.starts_with(inside) {
                return Err(Error::DirInsideRepository {
                    dir,
                    repo: inside.clone(),
                });
            }
        }
        let base = self.resolve(base)?;
        {
            let _lock = self.admin_lock()?;
            let added = Git::new(&self.top)
                .args(["worktree", "add", "--quiet", "--no-track", "-b", branch])
                .args([dir.as_os_str(), base.as_ref()])
                .run();
            if let Err(error) = added {
                // git may have made the branch before failing on the checkout: an empty
                // `tdev/auto/` branch would look like a proposal and block the next try.
                if branch_exists(&self.top, branch)? && self.resolve(branch)? == base {
                    Git::new(&self.top).args(["branch", "-D", branch]).run()?;
                }
                return Err(error);
            }
        }
        let dir = canonical(&dir)?;
        Ok(Worktree::new(
            self.top.clone(),
            self.git_dir.clone(),
            dir,
            branch.to_owned(),
            base,
            self.identity.clone(),
        ))
    }

    /// The local branches whose names start with `prefix` (e.g. `tdev/auto/`), sorted.
    pub fn branches(&self, prefix: &str) -> Result<Vec<String>> {
        let refs = Git::new(&self.top)
            .args(["for-each-ref", "--format=%(refname)", "refs/heads/"])
            .text()?;
        Ok(refs
            .lines()
            .filter_map(|name| name.strip_prefix("refs/heads/"))
            .filter(|name| name.starts_with(prefix))
            .map(str::to_owned)
            .collect())
    }

    /// An existing `tdev/auto/` branch under `prefix` that carries the change whose
    /// `git patch-id --stable` is `patch_id`, so running again does not duplicate it.
    ///
    /// A branch's change is its diff from where it forked from `base` (`base...branch`), so
    /// a branch made on an older HEAD still matches the same change made today.
    pub fn branch_with_patch_id(
        &self,
        prefix: &str,
        base: &str,
        patch_id: &str,
    ) -> Result<Option<String>> {
        let base = self.resolve(base)?;
        // Each branch is compared by the commit it pointed at when listed: another attempt
        // may delete its branch meanwhile (the coder pool makes several at once), and the
        // commit is still there to compare.
        let refs = Git::new(&self.top)
            .args([
                "for-each-ref",
                "--format=%(objectname) %(refname)",
                "refs/heads/",
            ])
            .text()?;
        for (commit, branch) in refs.lines().filter_map(|line| {
            let (commit, name) = line.split_once(' ')?;
            Some((commit, name.strip_prefix("refs/heads/")?))
        }) {
            if !branch.starts_with(prefix) || !branch.starts_with(BRANCH_PREFIX) {
                continue;
            }
            let diff = Git::new(&self.top)
                .args(["diff"])
                .args(crate::diff::PATCH_ID_DIFF)
                .args([format!("{base}...{commit}"), "--".into()])
                .run()?;
            if crate::diff::patch_id(&self.top, diff)?.as_deref() == Some(patch_id) {
                return Ok(Some(branch.to_owned()));
            }
        }
        Ok(None)
    }

    /// The branch the user's checkout is on; `None` when HEAD is detached.
    pub fn current_branch(&self) -> Result<Option<String>> {
        Git::new(&self.top)
            .args(["symbolic-ref", "--short", "-q", "HEAD"])
            .optional_text()
    }

    /// Writes the files of `commit` into the directory `into` (`git archive | tar -x`),
    /// without a worktree or a branch: the untouched code a cycle measures is exported, not
    /// checked out, so the user's checkout, branches and worktrees stay as they are.
    pub fn export(&self, commit: &str, into: &Path) -> Result<()> {
        let commit = self.resolve(commit)?;
        let unpack_error = |detail: String| Error::Unpack {
            commit: commit.clone(),
            dir: into.to_owned(),
            detail,
        };
        Git::new(&self.top)
            .args(["archive", "--format=tar", commit.as_str()])
            .stream(|archive| {
                let untarred = Command::new("tar")
                    .arg("-x")
                    .arg("-C")
                    .arg(into)
                    .stdin(archive)
                    .output()
                    .map_err(|e| unpack_error(format!("tar could not run: {e}")))?;
                if untarred.status.success() {
                    Ok(())
                } else {
                    Err(unpack_error(
                        String::from_utf8_lossy(&untarred.stderr).trim().to_owned(),
                    ))
                }
            })
    }

    /// What must never change: see [`Snapshot`].
    pub fn snapshot(&self) -> Result<Snapshot> {
        snapshot::take(&self.top)
    }

    /// Forgets worktrees whose directories are gone (`git worktree prune`), e.g. after a
    /// crash; their branches stay.
    pub fn prune(&self) -> Result<()> {
        let _lock = self.admin_lock()?;
        Git::new(&self.top).args(["worktree", "prune"]).run()?;
        Ok(())
    }
}

/// `path` made absolute, with its existing ancestors resolved through links, so "inside the
/// repository" cannot be dodged with `..` or a symbolic link.
fn absolute(path: &Path) -> Result<PathBuf> {
    if path
        .components()
        .any(|c| c == std::path::Component::ParentDir)
    {
        return Err(Error::Io {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a worktree directory is given without `..` components",
            ),
        });
    }
    let path = std::path::absolute(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(resolved) => {
                return Ok(rest.iter().rev().fold(resolved, |p, c| p.join(c)));
            }
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    existing = parent;
                }
                _ => return Ok(path),
            },
        }
    }
}

/// Why git could not open a repository at `path`, from what it wrote on its standard error
/// (in the C locale): not a repository, a bare one, or a repository it refuses because
/// another user owns it. `None` for anything else.
fn open_failure(path: &Path, stderr: &str) -> Option<Error> {
    // git 2.36 and later say "detected dubious ownership in repository at '<path>'"; 2.35.2
    // said "unsafe repository ('<path>' is owned by someone else)". Both then print the
    // command that trusts the repository.
    let ownership = [
        "detected dubious ownership in repository at '",
        "unsafe repository ('",
    ];
    if let Some(rest) = ownership
        .iter()
        .find_map(|m| Some(&stderr[stderr.find(m)? + m.len()..]))
    {
        let line = rest.lines().next().unwrap_or_default();
        let named = line
            .strip_suffix('\'')
            .or_else(|| line.split_once("' is owned").map(|(named, _)| named))
            .filter(|named| !named.is_empty());
        let repo = named.map_or_else(|| path.to_owned(), PathBuf::from);
        let command = stderr
            .lines()
            .map(str::trim)
            .find(|line| line.starts_with("git config") && line.contains("safe.directory"))
            .map_or_else(
                || {
                    format!(
                        "git config --global --add safe.directory {}",
                        repo.display()
                    )
                },
                str::to_owned,
            );
        return Some(Error::DubiousOwnership {
            path: repo,
            command,
        });
    }
    let path = path.to_owned();
    if stderr.contains("not a git repository") {
        Some(Error::NotARepository { path })
    } else if stderr.contains("must be run in a work tree") {
        Some(Error::BareRepository { path })
    } else {
        None
    }
}

fn canonical(path: &Path) -> Result<PathBuf> {
    path.canonicalize().map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `open_failure` makes of git's words, as the error's message.
    fn check(stderr: &str, expected: Option<&str>) {
        let error = open_failure(Path::new("/given/sub"), stderr).map(|e| e.to_string());
        assert_eq!(error.as_deref(), expected);
    }

    #[test]
    fn git_refusing_a_repository_for_its_owner_is_reported_as_that() {
        let refused = "git refuses to work in /srv/it's: the repository is owned by another \
                       user, and git's `safe.directory` setting does not list it; if you trust \
                       it, run `git config --global --add safe.directory /srv/it's` and try again";
        let suggestion = "To add an exception for this directory, call:\n\n\
                          \tgit config --global --add safe.directory /srv/it's";
        // git 2.36 and later, then git 2.35.2.
        for refusal in [
            "fatal: detected dubious ownership in repository at '/srv/it's'",
            "fatal: unsafe repository ('/srv/it's' is owned by someone else)",
        ] {
            check(&format!("{refusal}\n{suggestion}"), Some(refused));
        }
        // Without the suggestion, the same command for the repository git named.
        check(
            "fatal: detected dubious ownership in repository at '/srv/x'",
            Some(
                "git refuses to work in /srv/x: the repository is owned by another user, and \
                 git's `safe.directory` setting does not list it; if you trust it, run \
                 `git config --global --add safe.directory /srv/x` and try again",
            ),
        );
    }

    #[test]
    fn only_git_saying_so_makes_a_path_no_repository() {
        check(
            "fatal: not a git repository (or any of the parent directories): .git",
            Some(
                "/given/sub is not a git repository: run `git init` there, or point tdev at a checkout",
            ),
        );
        check(
            "fatal: this operation must be run in a work tree",
            Some(
                "/given/sub is in a bare git repository, which has no working tree: point tdev \
                 at a checkout of it",
            ),
        );
        // Anything else is git's own message, not a guess.
        check("fatal: unable to read index: Permission denied", None);
    }
}
