//! Which GitHub repository a remote URL names.

/// A repository on GitHub (or GitHub Enterprise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitHubRepo {
    /// The user or organisation.
    pub owner: String,
    /// The repository's name, without `.git`.
    pub repo: String,
}

/// Reads `owner/repo` from a remote URL in the forms GitHub hands out: `https://HOST/o/r`
/// (with or without `.git`, a user or a port), `ssh://git@HOST[:port]/o/r.git` and
/// `git@HOST:o/r.git`. The host is not checked, so GitHub Enterprise hosts work; a path that
/// is not exactly two segments (a local path, a GitLab subgroup) gives `None`.
pub fn parse_github_url(url: &str) -> Option<GitHubRepo> {
    let url = url.trim();
    let path = if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(scheme, "https" | "http" | "ssh" | "git") {
            return None;
        }
        // Skip the authority (user, host, port): the path starts at the first '/'.
        rest.split_once('/')?.1
    } else {
        // scp-like `user@host:path`; a colon after a slash would make it a local path.
        let (host, path) = url.split_once(':')?;
        if host.is_empty() || host.contains('/') {
            return None;
        }
        path
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (owner, repo) = path.split_once('/')?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (valid(owner) && valid(repo)).then(|| GitHubRepo {
        owner: owner.to_owned(),
        repo: repo.to_owned(),
    })
}
