//! Publishing a kept branch: the `[publish]` table, remote URLs, and GitHub pull requests
//! against a local HTTP server standing in for the API. (The push itself is
//! `tdev-worktree`'s, tested there.)

#[path = "../../tests/support/git.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use support::{committed, git};
use tdev_publish::{
    Error, GitHub, GitHubRepo, NewPullRequest, PublishConfig, PullRequest, parse_github_url,
};
use tdev_worktree::Repo;

fn check_url(url: &str, expected: Option<(&str, &str)>) {
    let parsed = parse_github_url(url);
    let parsed = parsed.as_ref().map(|r| (r.owner.as_str(), r.repo.as_str()));
    assert_eq!(parsed, expected, "{url}");
}

#[test]
fn remote_urls_name_the_owner_and_repository() {
    check_url("https://github.com/octo/hello.git", Some(("octo", "hello")));
    check_url("https://github.com/octo/hello", Some(("octo", "hello")));
    check_url("https://github.com/octo/hello/", Some(("octo", "hello")));
    check_url(
        "https://user@github.com/octo/hello.git",
        Some(("octo", "hello")),
    );
    check_url("git@github.com:octo/hello.git", Some(("octo", "hello")));
    check_url(
        "ssh://git@github.com/octo/hello.git",
        Some(("octo", "hello")),
    );
    check_url(
        "ssh://git@github.example.com:2222/team/my.repo.git",
        Some(("team", "my.repo")),
    );
    check_url("https://gitlab.com/group/sub/project.git", None);
    check_url("/srv/git/project.git", None);
    check_url("../project", None);
    check_url("file:///srv/git/a/b", None);
}

fn check_config(text: &str, expected: Result<PublishConfig, &str>) {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        publish: PublishConfig,
    }
    let parsed = toml::from_str::<File>(text)
        .map(|f| f.publish)
        .map_err(|e| e.message().to_owned());
    assert_eq!(parsed, expected.map_err(str::to_owned));
}

#[test]
fn the_publish_table_has_safe_defaults_and_refuses_unknown_keys() {
    check_config("", Ok(PublishConfig::default()));
    check_config(
        "[publish]\npush = true\nremote = \"upstream\"\nowner = \"o\"\nrepo = \"r\"\napi_url = \"https://ghe.example.com/api/v3\"\n",
        Ok(PublishConfig {
            push: true,
            remote: "upstream".into(),
            owner: Some("o".into()),
            repo: Some("r".into()),
            api_url: "https://ghe.example.com/api/v3".into(),
            ..PublishConfig::default()
        }),
    );
    check_config(
        "[publish]\ntoken = \"abc\"\n",
        Err(
            "unknown field `token`, expected one of `push`, `remote`, `github_token_env`, `api_url`, `owner`, `repo`",
        ),
    );
    let defaults = PublishConfig::default();
    assert!(!defaults.push);
    assert_eq!(
        (defaults.remote.as_str(), defaults.github_token_env.as_str()),
        ("origin", "GITHUB_TOKEN")
    );
}

fn check_validate(config: PublishConfig, expected: Result<(), &str>) {
    assert_eq!(config.validate(), expected.map_err(str::to_owned));
}

#[test]
fn publish_values_are_checked() {
    let defaults = PublishConfig::default;
    check_validate(defaults(), Ok(()));
    check_validate(
        PublishConfig {
            api_url: "http://127.0.0.1:8080".into(),
            ..defaults()
        },
        Ok(()),
    );
    check_validate(
        PublishConfig {
            api_url: "api.github.com".into(),
            ..defaults()
        },
        Err("publish.api_url must be an http(s) URL, not `api.github.com`"),
    );
    check_validate(
        PublishConfig {
            remote: " ".into(),
            ..defaults()
        },
        Err("publish.remote must name a git remote"),
    );
    check_validate(
        PublishConfig {
            github_token_env: "ghp_abc-123".into(),
            ..defaults()
        },
        Err(
            "publish.github_token_env must be the name of an environment variable (letters, digits, _), not `ghp_abc-123`; the token itself never goes in the file",
        ),
    );
}

#[test]
fn the_github_repository_comes_from_the_remote_unless_configured() {
    let home = committed(&[("app.py", "x = 1\n")]);
    let user = home.path();
    git(
        user,
        &["remote", "add", "origin", "git@github.com:octo/hello.git"],
    );
    let repo = Repo::open(user).unwrap();
    let from_remote = PublishConfig::default().github_repo(&repo).unwrap();
    assert_eq!(
        from_remote,
        GitHubRepo {
            owner: "octo".into(),
            repo: "hello".into()
        }
    );
    let configured = PublishConfig {
        owner: Some("fork".into()),
        repo: Some("hi".into()),
        remote: "missing".into(),
        ..PublishConfig::default()
    };
    assert_eq!(
        configured.github_repo(&repo).unwrap(),
        GitHubRepo {
            owner: "fork".into(),
            repo: "hi".into()
        }
    );
    git(user, &["remote", "add", "local", "/srv/git/x"]);
    let local = PublishConfig {
        remote: "local".into(),
        ..PublishConfig::default()
    };
    let error = local.github_repo(&repo).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot tell the GitHub owner and repository from the remote URL `/srv/git/x`: set `owner` and `repo` in [publish]"
    );
    assert!(error.is_user_error());
    // A remote that is not there: git's failure, told as git tells it.
    let unknown = PublishConfig {
        remote: "missing".into(),
        ..PublishConfig::default()
    };
    let error = unknown.github_repo(&repo).unwrap_err();
    assert!(matches!(error, Error::Git(_)), "{error}");
}

#[test]
fn a_missing_token_is_named_by_its_variable() {
    let config = PublishConfig {
        github_token_env: "TDEV_TEST_TOKEN_THAT_IS_NEVER_SET".into(),
        ..PublishConfig::default()
    };
    let error = GitHub::from_config(&config).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no GitHub token: the environment variable TDEV_TEST_TOKEN_THAT_IS_NEVER_SET is unset or empty"
    );
    assert!(error.is_user_error());
}

/// One request as the server received it.
#[derive(Debug)]
struct Request {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves one canned `(status, body)` answer per request, in order, on 127.0.0.1, and
/// hands back what it received.
fn serve(answers: Vec<(u16, &'static str)>) -> (String, mpsc::Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v3", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for (status, answer) in answers {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap();
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
            let length = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            )
            .unwrap();
            sender
                .send(Request {
                    line: line.trim_end().to_owned(),
                    headers,
                    body: String::from_utf8(body).unwrap(),
                })
                .unwrap();
        }
    });
    (url, receiver)
}

fn new_pull() -> NewPullRequest {
    NewPullRequest {
        title: "Use yaml.safe_load in config loading".into(),
        head: "tdev/auto/c1-t1".into(),
        base: "main".into(),
        body: "## What\n\nA change.\n".into(),
    }
}

fn hello() -> GitHubRepo {
    GitHubRepo {
        owner: "octo".into(),
        repo: "hello".into(),
    }
}

#[test]
fn creating_a_pull_request_sends_what_github_expects() {
    let (url, requests) = serve(vec![(
        201,
        r#"{"number": 7, "html_url": "https://github.com/octo/hello/pull/7"}"#,
    )]);
    let github = GitHub::new(&url, "secret-token".into(), "GITHUB_TOKEN").unwrap();
    let pull = github.create_pull_request(&hello(), &new_pull()).unwrap();
    assert_eq!(
        pull,
        PullRequest {
            number: 7,
            html_url: "https://github.com/octo/hello/pull/7".into(),
            created: true
        }
    );

    let request = requests.recv().unwrap();
    assert_eq!(request.line, "POST /api/v3/repos/octo/hello/pulls HTTP/1.1");
    assert_eq!(request.header("authorization"), Some("Bearer secret-token"));
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(
        request.header("user-agent"),
        Some(concat!("tdev/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "title": "Use yaml.safe_load in config loading",
            "head": "tdev/auto/c1-t1",
            "base": "main",
            "body": "## What\n\nA change.\n",
        })
    );
    assert!(!format!("{github:?}").contains("secret-token"));
}

#[test]
fn a_pull_request_that_already_exists_is_returned() {
    let (url, requests) = serve(vec![
        (
            422,
            r#"{"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom", "message": "A pull request already exists for octo:tdev/auto/c1-t1."}]}"#,
        ),
        (
            200,
            r#"[{"number": 5, "html_url": "https://github.com/octo/hello/pull/5"}]"#,
        ),
    ]);
    let github = GitHub::new(&url, "t".into(), "GITHUB_TOKEN").unwrap();
    let pull = github.create_pull_request(&hello(), &new_pull()).unwrap();
    assert_eq!(
        pull,
        PullRequest {
            number: 5,
            html_url: "https://github.com/octo/hello/pull/5".into(),
            created: false
        }
    );
    requests.recv().unwrap();
    let lookup = requests.recv().unwrap();
    assert_eq!(
        lookup.line,
        "GET /api/v3/repos/octo/hello/pulls?head=octo%3Atdev%2Fauto%2Fc1-t1&base=main&state=open HTTP/1.1"
    );
    assert_eq!(lookup.header("authorization"), Some("Bearer t"));
}

fn check_failure(status: u16, body: &'static str, expected: &str) {
    let (url, _requests) = serve(vec![(status, body)]);
    let github = GitHub::new(&url, "t".into(), "MY_TOKEN").unwrap();
    let error = github
        .create_pull_request(&hello(), &new_pull())
        .unwrap_err();
    assert_eq!(error.to_string(), expected);
    // A refused token is the user's to fix; GitHub's other answers are not.
    assert_eq!(error.is_user_error(), status == 401, "{error}");
}

#[test]
fn failures_say_what_github_said() {
    check_failure(
        401,
        r#"{"message": "Bad credentials"}"#,
        "GitHub refused the token from MY_TOKEN (401 Unauthorized): Bad credentials; create a token with pull-request write access and set it there",
    );
    check_failure(
        422,
        r#"{"message": "Validation Failed", "errors": [{"message": "No commits between main and tdev/auto/c1-t1"}]}"#,
        "GitHub answered 422 to POST /repos/octo/hello/pulls: Validation Failed: No commits between main and tdev/auto/c1-t1",
    );
    check_failure(
        404,
        "not json",
        "GitHub answered 404 to POST /repos/octo/hello/pulls: not json",
    );
}
