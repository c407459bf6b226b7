//! tdev works out a Python repository's test setup from the files its maintainers keep, and
//! the repository's `[tests]` table overrides it.

use expect_test::{Expect, expect};
use tdev_runner::python::PythonProject;

/// Writes `files` (path, content) into a fresh repository and describes what was detected.
fn detect(files: &[(&str, &str)]) -> Result<String, String> {
    let repo = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = repo.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let project = PythonProject::detect(repo.path()).map_err(|e| {
        e.to_string()
            .replace(&repo.path().display().to_string(), "<repo>")
    })?;
    Ok(format!(
        "name: {:?} {:?}\nimport root: {:?}\nrequirements: {:?}\ntest requirements: {:?}\nsources: {:?}\ncommand: {:?}\nextra: {:?}",
        project.name,
        project.version,
        project.import_root,
        project.requirements,
        project.test_requirements,
        project.sources,
        project.command,
        project.config.extra_packages,
    ))
}

fn check(files: &[(&str, &str)], expected: Expect) {
    expected.assert_eq(&detect(files).unwrap_or_else(|e| format!("error: {e}")));
}

#[test]
fn pep_621_extras_prefer_a_test_group_and_skip_the_project_itself() {
    check(
        &[
            (
                "pyproject.toml",
                r#"
[project]
name = "Demo_Pkg"
version = "1.2"
dependencies = ["requests>=2"]
[project.optional-dependencies]
dev = ["black"]
tests = ["pytest>=7", "demo-pkg[extra]", "hypothesis"]
"#,
            ),
            ("demo_pkg/__init__.py", ""),
        ],
        expect![[r#"
            name: Some("Demo_Pkg") Some("1.2")
            import root: ""
            requirements: ["requests>=2"]
            test requirements: ["pytest>=7", "hypothesis"]
            sources: ["pyproject.toml [project.optional-dependencies] tests"]
            command: ["python", "-m", "pytest"]
            extra: []"#]],
    );
}

#[test]
fn pep_735_groups_follow_includes_and_fall_back_to_dev() {
    check(
        &[(
            "pyproject.toml",
            r#"
[project]
name = "demo"
[dependency-groups]
lint = ["ruff"]
base = ["attrs"]
dev = [{include-group = "base"}, "pytest", "coverage"]
"#,
        )],
        expect![[r#"
            name: Some("demo") None
            import root: ""
            requirements: []
            test requirements: ["attrs", "pytest", "coverage"]
            sources: ["pyproject.toml [dependency-groups] dev"]
            command: ["python", "-m", "pytest"]
            extra: []"#]],
    );
}

#[test]
fn setup_cfg_extras_and_install_requires_are_read() {
    check(
        &[
            (
                "setup.cfg",
                "[metadata]\nname = legacy\nversion = 0.3\n[options]\ninstall_requires =\n    six\n    attrs>=20\n[options.extras_require]\ntesting =\n    pytest\n    mock\n",
            ),
            ("src/legacy/__init__.py", ""),
        ],
        expect![[r#"
            name: Some("legacy") Some("0.3")
            import root: "src"
            requirements: ["six", "attrs>=20"]
            test requirements: ["pytest", "mock"]
            sources: ["setup.cfg [options.extras_require] testing"]
            command: ["python", "-m", "pytest"]
            extra: []"#]],
    );
}

#[test]
fn tox_deps_and_requirements_files_are_read() {
    check(
        &[
            ("setup.py", "from setuptools import setup\nsetup()\n"),
            (
                "PKG-INFO",
                "Metadata-Version: 2.1\nName: oldie\nVersion: 4.5\n\nlong description\n",
            ),
            (
                "tox.ini",
                "[tox]\nenvlist = py3\n[testenv]\ndeps =\n    -r requirements/tests.txt\n    {[base]deps}\n    freezegun\ncommands = pytest\n",
            ),
            (
                "requirements/tests.txt",
                "-r base.txt\npytest==8.1.1\n-e .\n",
            ),
            ("requirements/base.txt", "idna\n"),
            ("requirements-dev.txt", "tox\npytest==8.1.1\n"),
        ],
        expect![[r#"
            name: Some("oldie") Some("4.5")
            import root: ""
            requirements: []
            test requirements: ["idna", "pytest==8.1.1", "freezegun", "tox"]
            sources: ["tox.ini [testenv] deps", "requirements-dev.txt"]
            command: ["python", "-m", "pytest"]
            extra: []"#]],
    );
}

#[test]
fn the_tests_table_of_tdev_toml_overrides_the_command_and_adds_packages() {
    check(
        &[
            ("pyproject.toml", "[project]\nname = \"demo\"\n"),
            (
                "tdev.toml",
                "[gates]\nmin_coverage = 80\n[tests]\ncommand = [\"python\", \"-m\", \"unittest\"]\nextra_packages = [\"hypothesis>=6\"]\n",
            ),
        ],
        expect![[r#"
            name: Some("demo") None
            import root: ""
            requirements: []
            test requirements: []
            sources: []
            command: ["python", "-m", "unittest"]
            extra: ["hypothesis>=6"]"#]],
    );
}

#[test]
fn a_mistake_in_the_tests_table_is_reported_with_the_file() {
    check(
        &[
            ("pyproject.toml", "[project]\nname = \"demo\"\n"),
            ("tdev.toml", "[tests]\ncomand = [\"pytest\"]\n"),
        ],
        expect![[r#"
            error: <repo>/tdev.toml: [tests]: unknown field `comand`, expected one of `command`, `setup`, `extra_packages`, `pass_env`
            in `tests`
        "#]],
    );
}

#[test]
fn a_directory_without_python_is_not_a_python_project() {
    check(
        &[("README.md", "hello")],
        expect!["error: <repo>: no pyproject.toml, setup.py, setup.cfg or Python package here"],
    );
}

#[test]
fn the_environment_changes_only_when_the_requirements_do() {
    let fingerprint = |pyproject: &str| {
        let repo = tempfile::tempdir().unwrap();
        std::fs::write(repo.path().join("pyproject.toml"), pyproject).unwrap();
        PythonProject::detect(repo.path()).unwrap().fingerprint()
    };
    let base = fingerprint("[project]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"six\"]\n");
    let bumped =
        fingerprint("[project]\nname = \"a\"\nversion = \"2\"\ndependencies = [\"six\"]\n");
    let more = fingerprint(
        "[project]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"six\", \"idna\"]\n",
    );
    assert_eq!(base, bumped);
    assert_ne!(base, more);
}
