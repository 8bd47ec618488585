#!/usr/bin/env bash
# Regenerates the checked-in shell completions (completions/) and man pages (man/) from the
# binary's own clap definitions. Run it after changing a command or a flag; the test suite
# (tests/it/docs.rs) fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/stockura
mkdir -p completions
"$bin" completions bash >completions/stockura.bash
"$bin" completions zsh >completions/_stockura
"$bin" completions fish >completions/stockura.fish
"$bin" completions elvish >completions/stockura.elv
"$bin" completions powershell >completions/_stockura.ps1
rm -rf man
"$bin" man --out-dir man >/dev/null
echo "regenerated completions/ and man/"
