//! `stockura completions SHELL` and `stockura man --out-dir DIR`: generated from the clap
//! definitions, so they never drift from the real flags. They need no database and no settings.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell;

use super::Cli;

/// The shells `stockura completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// Bash (source it, or install it as /usr/share/bash-completion/completions/stockura)
    Bash,
    /// Zsh (install it as _stockura in a directory on $fpath)
    Zsh,
    /// Fish (install it as ~/.config/fish/completions/stockura.fish)
    Fish,
    /// Elvish (use it from rc.elv)
    Elvish,
    /// PowerShell (dot-source it from $PROFILE)
    Powershell,
}

impl CompletionShell {
    /// Every shell, in the order of the checked-in files.
    pub const ALL: [CompletionShell; 5] = [
        CompletionShell::Bash,
        CompletionShell::Zsh,
        CompletionShell::Fish,
        CompletionShell::Elvish,
        CompletionShell::Powershell,
    ];

    fn shell(self) -> Shell {
        match self {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
            CompletionShell::Elvish => Shell::Elvish,
            CompletionShell::Powershell => Shell::PowerShell,
        }
    }

    /// The conventional file name of the script (`stockura.bash`, `_stockura`, ...).
    pub fn file_name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "stockura.bash",
            CompletionShell::Zsh => "_stockura",
            CompletionShell::Fish => "stockura.fish",
            CompletionShell::Elvish => "stockura.elv",
            CompletionShell::Powershell => "_stockura.ps1",
        }
    }
}

/// `stockura completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// `stockura man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write the pages into (created if missing): stockura.1,
    /// stockura-schedule-add.1, ...
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
}

/// The completion script for `shell`.
pub fn completion_script(shell: CompletionShell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell.shell(), &mut cmd, "stockura", &mut buf);
    buf
}

/// Prints the completion script on stdout (`completions bash | head -1` succeeds).
pub fn completions(args: &CompletionsArgs) -> Result<()> {
    super::output::print_raw(&completion_script(args.shell))
        .context("cannot write the completion script to stdout")
}

/// Writes one man page per command into `dir` and returns their paths, sorted.
pub fn write_man_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    let cmd = Cli::command();
    clap_mangen::generate_to(cmd, dir)
        .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("stockura") && n.ends_with(".1"))
        })
        .collect();
    pages.sort();
    Ok(pages)
}

/// Writes the man pages and lists them on stdout.
pub fn man(args: &ManArgs) -> Result<()> {
    let pages = write_man_pages(&args.out_dir)?;
    let listing: String = pages.iter().map(|p| format!("{}\n", p.display())).collect();
    super::output::print_raw(listing.as_bytes()).context("cannot write to stdout")
}
