//! Completions and man pages: the checked-in files are what the binary generates, the bash and
//! zsh scripts load and complete, the man pages render with `man -l`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::std_cmd;

const REGEN: &str = "scripts/gen-docs.sh";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}; run {REGEN}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn stale(kind: &str, checked_in: &BTreeMap<String, Vec<u8>>, fresh: &BTreeMap<String, Vec<u8>>) {
    let mut problems = Vec::new();
    for (name, body) in fresh {
        match checked_in.get(name) {
            None => problems.push(format!("{kind}/{name} is missing")),
            Some(old) if old != body => problems.push(format!("{kind}/{name} is out of date")),
            Some(_) => {}
        }
    }
    for name in checked_in.keys().filter(|n| !fresh.contains_key(*n)) {
        problems.push(format!("{kind}/{name} is no longer generated (delete it)"));
    }
    assert!(
        problems.is_empty(),
        "the checked-in {kind} are stale:\n  {}\nregenerate them with: {REGEN}",
        problems.join("\n  ")
    );
}

fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("{name} is not installed: scripts/test.sh installs it (apt-get install {name})")
    })
}

#[test]
fn checked_in_completions_are_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let mut fresh = BTreeMap::new();
    for (shell, file) in [
        ("bash", "stockura.bash"),
        ("zsh", "_stockura"),
        ("fish", "stockura.fish"),
        ("elvish", "stockura.elv"),
        ("powershell", "_stockura.ps1"),
    ] {
        let out = std_cmd(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "completions {shell}: {out:?}");
        assert!(
            !out.stdout.is_empty(),
            "completions {shell} printed nothing"
        );
        fresh.insert(file.to_string(), out.stdout);
    }
    stale("completions", &files(&repo().join("completions")), &fresh);
}

#[test]
fn checked_in_man_pages_are_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("pages");
    let out = std_cmd(dir.path())
        .arg("man")
        .arg("--out-dir")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "man: {out:?}");
    let listed = String::from_utf8(out.stdout).unwrap();
    let fresh = files(&out_dir);
    assert_eq!(listed.lines().count(), fresh.len(), "{listed}");
    for page in [
        "stockura.1",
        "stockura-schedule-add.1",
        "stockura-run-beat.1",
    ] {
        assert!(fresh.contains_key(page), "{page} not generated: {listed}");
    }
    stale("man", &files(&repo().join("man")), &fresh);
}

#[test]
fn completions_and_man_need_no_database() {
    // A DATABASE_URL that cannot be parsed fails every other command; these two ignore it.
    let dir = tempfile::tempdir().unwrap();
    let out = std_cmd(dir.path())
        .env("DATABASE_URL", "mysql://nowhere/db")
        .args(["completions", "zsh"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = std_cmd(dir.path())
        .env("DATABASE_URL", "mysql://nowhere/db")
        .args(["schedule", "list"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the bad URL should fail other commands"
    );
    let out = std_cmd(dir.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// Runs bash's completion function as the shell would for `line` (completing its last word).
fn bash_complete(line: &str) -> Vec<String> {
    let script = repo().join("completions/stockura.bash");
    let out = Command::new(tool("bash"))
        .arg("--norc")
        .arg("-c")
        .arg(
            r#"source "$1" || exit 9
               read -ra COMP_WORDS <<< "$2"
               [[ $2 == *" " ]] && COMP_WORDS+=("")
               COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
               COMP_LINE=$2; COMP_POINT=${#2}
               spec=$(complete -p stockura) || exit 8
               _stockura stockura "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
               printf '%s\n' "${COMPREPLY[@]}""#,
        )
        .arg("bash")
        .arg(&script)
        .arg(line)
        .output()
        .unwrap();
    assert!(out.status.success(), "bash completion of {line:?}: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_flags() {
    let words = bash_complete("stockura sch");
    assert_eq!(words, ["schedule"]);
    let words = bash_complete("stockura schedule ");
    for sub in ["add", "list", "update", "delete", "next"] {
        assert!(words.iter().any(|w| w == sub), "{sub} missing: {words:?}");
    }
    let words = bash_complete("stockura schedule add --cr");
    assert_eq!(words, ["--cron"]);
    let words = bash_complete("stockura completions ");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(
            words.iter().any(|w| w == shell),
            "{shell} missing: {words:?}"
        );
    }
}

#[test]
fn zsh_loads_the_completion_function() {
    let dir = repo().join("completions");
    let out = Command::new(tool("zsh"))
        .arg("-f")
        .arg("-c")
        .arg(
            r#"fpath=("$1" $fpath)
               autoload -Uz compinit && compinit -u -d "$2/zcompdump" || exit 9
               [[ ${_comps[stockura]} == _stockura ]] || { print -r -- "not registered: ${_comps[stockura]}"; exit 8 }
               autoload -Uz +X _stockura || exit 7
               whence -w _stockura"#,
        )
        .arg("zsh")
        .arg(&dir)
        .arg(tempfile::tempdir().unwrap().path())
        .env("HOME", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "zsh: {out:?}");
    assert_eq!(stdout.trim(), "_stockura: function", "{out:?}");
}

#[test]
fn man_pages_render_with_man_l() {
    let man = tool("man");
    for (page, expected) in [
        ("stockura.1", "schedule"),
        ("stockura-schedule-add.1", "--cron"),
        ("stockura-completions.1", "powershell"),
    ] {
        let out = Command::new(&man)
            .arg("-l")
            .arg(repo().join("man").join(page))
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        assert!(out.status.success(), "man -l {page}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let name = page.trim_end_matches(".1");
        assert!(text.contains(name), "{page}: no NAME {name}:\n{text}");
        assert!(text.contains(expected), "{page}: no {expected}:\n{text}");
    }
}
