# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_stockura_global_optspecs
    string join \n database-url= o/output= no-dotenv no-headers h/help V/version
end

function __fish_stockura_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_stockura_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_stockura_using_subcommand
    set -l cmd (__fish_stockura_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c stockura -n "__fish_stockura_needs_command" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_needs_command" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_needs_command" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_needs_command" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "schedule" -d 'Create, list, change and preview schedules'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "task" -d 'Define tasks: a JSON Schema that every schedule\'s parameters must match'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "sync" -d 'Watch the change events that tell running schedulers about changes'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "run-beat" -d 'Run the scheduler: send due schedules to the Celery broker'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "beat" -d 'The running schedulers: leader, standbys, heartbeats'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "history" -d 'What ran, newest first, with the Celery results'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "diagnose" -d 'Check configuration, database, Redis, change events and broker (exit 7 on failure)'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "check" -d 'Is every enabled schedule healthy: its due slots sent, its latest results not failures (exit 7 when one is not)'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "apply" -d 'Make the database match a schedule document (YAML or JSON): plan, confirm, write'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "migrate" -d 'Apply pending database migrations; creates a SQLite database that does not exist yet'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "completions" -d 'Print the shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "man" -d 'Write the man pages, one per command'
complete -c stockura -n "__fish_stockura_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "add" -d 'Create a schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "list" -d 'List schedules with their next run'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "ls" -d 'List schedules with their next run'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "show" -d 'Show every field of a schedule and its next 5 runs'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "update" -d 'Change some fields of a schedule (only what is given changes)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "delete" -d 'Delete schedules (asks on a terminal; --yes otherwise)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "rm" -d 'Delete schedules (asks on a terminal; --yes otherwise)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "enable" -d 'Enable schedules (paused ones too)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "disable" -d 'Disable schedules (recording who and when)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "pause" -d 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "resume" -d 'Enable paused or disabled schedules again (the same as enable)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "next" -d 'Preview fire times of a schedule or of a cron expression'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "trigger" -d 'Send one run now (optionally wait for its result)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "backfill" -d 'Send the past slots of a range that were not dispatched, once each, in order, at a pace'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "export" -d 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and not __fish_seen_subcommand_from add list ls show update delete rm enable disable pause resume next trigger backfill export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -s t -l task -d 'Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg (asked on a terminal when missing)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -s c -l cron -d '5-field cron expression or macro, e.g. \'0 9 * * mon-fri\' or @daily, or an interval such as \'@every 30s\' (asked on a terminal when missing)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l every -d 'Instead of --cron: every DURATION, such as 30s, 1h30m or 6h/5h (5 hours into each 6-hour period); slots are aligned to the Unix epoch in UTC' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l name -d 'Schedule name (not unique); generated from task, parameters and cron when omitted' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l tz -d 'IANA timezone the cron expression is evaluated in [default: CELERY_TIMEZONE, else UTC]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l args -d 'Positional task arguments as a JSON array, e.g. \'[1, "a"]\', a file holding one, or \'-\' for standard input' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l kwargs -d 'Keyword arguments as a JSON object, e.g. \'{"period_type": "daily"}\', a file holding one, or \'-\' for standard input' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -s p -l param -d 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l category -d 'Category label' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l tag -d 'Tag (repeatable)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l policy -d 'Overlap policy: allow, skip or queue' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l queue -d 'Celery queue to route the task to' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l priority -d 'Message priority, 0 (most urgent on Redis) to 9' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l expires -d 'Seconds after the scheduled time after which a run is pointless (sent as Celery `expires`)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l description -d 'Free-text description' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l jitter -d 'Send each slot up to DURATION after its instant (such as 60s or 5m; 0 for none): a fixed offset per schedule and slot, so schedules on the same instant spread out' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l last-run-at -d 'When it last ran under another scheduler (RFC 3339, or a duration ago such as 90s): run-beat then runs its latest slot since then within the catch-up window, at once' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l require-definition -d 'Refuse a task that has no definition [env: STOCKURA_REQUIRE_TASK_DEFINITIONS]'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l disabled -d 'Create it disabled'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l allow-duplicate -d 'Add it even when a schedule already does the same job (same task, arguments, cron, timezone and delivery options); without this such an add is refused (exit 5)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l if-not-exists -d 'When a schedule already does the same job, print it and exit 0 without writing (makes scripts idempotent)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l dry-run -d 'Validate and show the schedule that would be created (its generated name included) without writing anything'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -s t -l task -d 'Only this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l category -d 'Only this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l tag -d 'Only schedules with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -s s -l search -d 'Case-insensitive text in name, task, description or category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l sort-by -d 'The order of the list (ascending; schedules without the value come last)' -r -f -a "name\t'By name (then creation, then id): the stored order'
next\t'By next run, the soonest first; disabled schedules and those that never run again last'
last\t'By last run, the longest ago first; schedules that never ran last'
created\t'By creation, the oldest first'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N schedules, the first N in the list\'s order' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l enabled -d 'Only enabled schedules'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l disabled -d 'Only disabled schedules (paused ones included)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l paused -d 'Only paused schedules: switched off with a reason (`schedule pause`)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -s t -l task -d 'Only this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l category -d 'Only this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l tag -d 'Only schedules with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -s s -l search -d 'Case-insensitive text in name, task, description or category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l sort-by -d 'The order of the list (ascending; schedules without the value come last)' -r -f -a "name\t'By name (then creation, then id): the stored order'
next\t'By next run, the soonest first; disabled schedules and those that never run again last'
last\t'By last run, the longest ago first; schedules that never ran last'
created\t'By creation, the oldest first'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l limit -d 'Show at most N schedules, the first N in the list\'s order' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l enabled -d 'Only enabled schedules'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l disabled -d 'Only disabled schedules (paused ones included)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l paused -d 'Only paused schedules: switched off with a reason (`schedule pause`)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from show" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from show" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from show" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -s t -l task -d 'New Celery task name' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -s c -l cron -d 'New cron expression (or an interval such as \'@every 30s\')' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l every -d 'Instead of --cron: every DURATION, such as 30s, 1h30m or 6h/5h' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l name -d 'Schedule name (not unique); generated from task, parameters and cron when omitted' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l tz -d 'IANA timezone the cron expression is evaluated in [default: CELERY_TIMEZONE, else UTC]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l args -d 'Positional task arguments as a JSON array, e.g. \'[1, "a"]\', a file holding one, or \'-\' for standard input' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l kwargs -d 'Keyword arguments as a JSON object, e.g. \'{"period_type": "daily"}\', a file holding one, or \'-\' for standard input' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -s p -l param -d 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l category -d 'Category label' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l tag -d 'Tag (repeatable)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l policy -d 'Overlap policy: allow, skip or queue' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l queue -d 'Celery queue to route the task to' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l priority -d 'Message priority, 0 (most urgent on Redis) to 9' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l expires -d 'Seconds after the scheduled time after which a run is pointless (sent as Celery `expires`)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l description -d 'Free-text description' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l jitter -d 'Send each slot up to DURATION after its instant (such as 60s or 5m; 0 for none): a fixed offset per schedule and slot, so schedules on the same instant spread out' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l add-tag -d 'Add a tag (repeatable)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l remove-tag -d 'Remove a tag (repeatable)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l require-definition -d 'Refuse a task that has no definition [env: STOCKURA_REQUIRE_TASK_DEFINITIONS]'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l dry-run -d 'Validate and show the schedule as it would be, without writing anything'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l clear-description -d 'Remove the description'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l clear-category -d 'Remove the category'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l clear-timezone -d 'Use CELERY_TIMEZONE again instead of the schedule\'s own zone'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l clear-options -d 'Remove every delivery option (queue, priority, expires) before applying the given ones'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l enabled -d 'Enable the schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l disabled -d 'Disable the schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l regenerate-name -d 'Generate the name again from task, parameters and cron (a name otherwise stays as it is, given or generated)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -s t -l task -d 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -l category -d 'Instead of REFs: every schedule in this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -l tag -d 'Instead of REFs: every schedule with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -s s -l search -d 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -l all -d 'Instead of REFs: every schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -l dry-run -d 'Show what would change and write nothing'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -s t -l task -d 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -l category -d 'Instead of REFs: every schedule in this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -l tag -d 'Instead of REFs: every schedule with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -s s -l search -d 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -l all -d 'Instead of REFs: every schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -l dry-run -d 'Show what would change and write nothing'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -s t -l task -d 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -l category -d 'Instead of REFs: every schedule in this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -l tag -d 'Instead of REFs: every schedule with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -s s -l search -d 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -l all -d 'Instead of REFs: every schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -l dry-run -d 'Show what would change and write nothing'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -s t -l task -d 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -l category -d 'Instead of REFs: every schedule in this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -l tag -d 'Instead of REFs: every schedule with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -s s -l search -d 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -l all -d 'Instead of REFs: every schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -l dry-run -d 'Show what would change and write nothing'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -s t -l task -d 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l category -d 'Instead of REFs: every schedule in this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l tag -d 'Instead of REFs: every schedule with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -s s -l search -d 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l reason -d 'Why the schedules are paused (required; one line, at most 500 characters): `list` and `show` print it until they are resumed' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l until -d 'Resume by itself at this instant: RFC 3339 (2026-12-08T09:00:00Z) or a duration from now (90s, 30m, 2h, 7d, 1w); the leading run-beat resumes it then. Without it, the pause lasts until `schedule resume`' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l all -d 'Instead of REFs: every schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l dry-run -d 'Show what would change and write nothing'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -s t -l task -d 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -l category -d 'Instead of REFs: every schedule in this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -l tag -d 'Instead of REFs: every schedule with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -s s -l search -d 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -l all -d 'Instead of REFs: every schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -l dry-run -d 'Show what would change and write nothing'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from resume" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -s c -l cron -d 'A cron expression to preview instead of a stored schedule' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -l every -d 'An interval to preview instead of a stored schedule, such as 30s or 6h/5h' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -l tz -d 'IANA timezone [default: the schedule\'s zone, else CELERY_TIMEZONE, else UTC]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -l after -d 'Start instant (RFC 3339); results are strictly after it [default: now]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -s n -l count -d 'How many fire times' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from next" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -l timeout -d 'Seconds to wait with --wait' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -l broker-key-prefix -d 'The broker\'s global_keyprefix [env: STOCKURA_BROKER_KEY_PREFIX]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -l wait -d 'Wait for the Celery result; exit 0 on SUCCESS, 7 on FAILURE, REVOKED or timeout'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from trigger" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l from -d 'Start of the range, included: an RFC 3339 instant, or a duration back from now (30m, 6h, 2d, 1w)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l to -d 'End of the range, excluded, not after now: an RFC 3339 instant or a duration back from now [default: now]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l policy -d 'What to do with a slot while the schedule\'s previous run still runs, checked before each slot' -r -f -a "allow\t'Send every slot'
skip\t'Skip it: its worker lock is held, or its last task has no final result (as run-beat\'s policy skip); nothing is recorded, and a later backfill sends it'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l rate -d 'Pace of the messages: N/s, N/m or N/h' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l broker-key-prefix -d 'The broker\'s global_keyprefix [env: STOCKURA_BROKER_KEY_PREFIX]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l include-dispatched -d 'Also send again the slots already dispatched (recorded with trigger `resend`)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l dry-run -d 'List the slots and what would be done with each; send and write nothing'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -s y -l yes -d 'Do not ask on a terminal before sending (without a terminal nothing is asked)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from backfill" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -s t -l task -d 'Only this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -l category -d 'Only this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -l tag -d 'Only schedules with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -l format -d 'The document format' -r -f -a "yaml\t'YAML'
json\t'JSON'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -l with-tasks -d 'Include the definitions of the exported schedules\' tasks'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create a schedule'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "list" -d 'List schedules with their next run'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show every field of a schedule and its next 5 runs'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change some fields of a schedule (only what is given changes)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete schedules (asks on a terminal; --yes otherwise)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Enable schedules (paused ones too)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Disable schedules (recording who and when)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Enable paused or disabled schedules again (the same as enable)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "next" -d 'Preview fire times of a schedule or of a cron expression'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "trigger" -d 'Send one run now (optionally wait for its result)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "backfill" -d 'Send the past slots of a range that were not dispatched, once each, in order, at a pace'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)'
complete -c stockura -n "__fish_stockura_using_subcommand schedule; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -f -a "define" -d 'Create or replace a task definition with a JSON Schema for its kwargs'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -f -a "list" -d 'List task definitions with their number of schedules'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -f -a "ls" -d 'List task definitions with their number of schedules'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -f -a "show" -d 'Show a definition, its schema and its schedules'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -f -a "delete" -d 'Delete a task definition (its schedules stay)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -f -a "rm" -d 'Delete a task definition (its schedules stay)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -f -a "validate" -d 'Check parameters against a task\'s schema (exit 0 valid, 3 invalid)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and not __fish_seen_subcommand_from define list ls show delete rm validate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -l schema -d 'JSON Schema of the kwargs: a file, \'-\' for standard input, or inline JSON; \'none\' removes it. Omitted: a defined task keeps its schema' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -l category -d 'Default category of the task\'s schedules (\'\' removes it; omitted: kept)' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -l description -d 'Free-text description (\'\' removes it; omitted: kept)' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -l force -d 'Replace the schema even though existing schedules of the task would break it'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -l dry-run -d 'Validate and show the definition as it would be, without writing anything'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from define" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from list" -l category -d 'Only this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from list" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from list" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from list" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from ls" -l category -d 'Only this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from ls" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from ls" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from ls" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from show" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from show" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from show" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from delete" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from delete" -l force -d 'Delete the definition even though schedules use the task (they stay, unvalidated)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from delete" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from delete" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from rm" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from rm" -l force -d 'Delete the definition even though schedules use the task (they stay, unvalidated)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from rm" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from rm" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from validate" -l kwargs -d 'The kwargs: inline JSON object, \'-\' for standard input, or a JSON file' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from validate" -s p -l param -d 'One keyword argument (merged into --kwargs), VALUE as JSON when valid JSON' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from validate" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from validate" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from validate" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from validate" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "define" -d 'Create or replace a task definition with a JSON Schema for its kwargs'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "list" -d 'List task definitions with their number of schedules'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a definition, its schema and its schedules'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a task definition (its schedules stay)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check parameters against a task\'s schema (exit 0 valid, 3 invalid)'
complete -c stockura -n "__fish_stockura_using_subcommand task; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and not __fish_seen_subcommand_from monitor help" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand sync; and not __fish_seen_subcommand_from monitor help" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand sync; and not __fish_seen_subcommand_from monitor help" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and not __fish_seen_subcommand_from monitor help" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and not __fish_seen_subcommand_from monitor help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and not __fish_seen_subcommand_from monitor help" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and not __fish_seen_subcommand_from monitor help" -f -a "monitor" -d 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and not __fish_seen_subcommand_from monitor help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from monitor" -l count -d 'Exit 0 after this many events' -r
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from monitor" -l timeout -d 'Give up after this many seconds: exit 7 if nothing (or fewer than --count) arrived' -r
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from monitor" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from monitor" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from monitor" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from monitor" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from monitor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from monitor" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "monitor" -d 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)'
complete -c stockura -n "__fish_stockura_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l catchup-window -d 'Run the latest slot missed during downtime when it is at most this old (0 disables)' -r
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l sync-interval -d 'Seconds between polls of the durable change version (the safety net for lost events)' -r
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l history-retention -d 'Delete run history older than this many days, once a day (0 keeps everything)' -r
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l lease -d 'Leadership lease: a leader renews it every third of this, a killed leader is replaced within about one lease (e.g. 10s, 1500ms)' -r
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l running-timeout -d 'A previous run without a final result counts as running for at most this long (policies skip and queue)' -r
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l broker-key-prefix -d 'The broker\'s global_keyprefix (Celery\'s broker_transport_options) [env: STOCKURA_BROKER_KEY_PREFIX]' -r
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l log-format -d 'Log format' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l http -d 'Serve /metrics, /healthz, /readyz and a status page at this address (e.g. 127.0.0.1:9746; port 0 picks a free one). Read-only; off by default' -r
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l metrics-per-schedule -d 'Per-schedule series on /metrics (one set per schedule: turn off for very large installations; totals by trigger and status remain)' -r -f -a "true\t''
false\t''"
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l dry-run -d 'Record and log what would be sent; send nothing (no broker needed)'
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l once -d 'Process everything due now (catch-up included), then exit'
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -s v -l verbose -d 'More logs (-v debug, -vv trace); STOCKURA_LOG sets a filter directly'
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand run-beat" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and not __fish_seen_subcommand_from status help" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand beat; and not __fish_seen_subcommand_from status help" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand beat; and not __fish_seen_subcommand_from status help" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and not __fish_seen_subcommand_from status help" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and not __fish_seen_subcommand_from status help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and not __fish_seen_subcommand_from status help" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and not __fish_seen_subcommand_from status help" -f -a "status" -d 'List the live schedulers (leader first); exit 7 when no leader is alive'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and not __fish_seen_subcommand_from status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from status" -l timeout -d 'Seconds to wait for Redis or the database' -r
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from status" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from status" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from status" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from help" -f -a "status" -d 'List the live schedulers (leader first); exit 7 when no leader is alive'
complete -c stockura -n "__fish_stockura_using_subcommand beat; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand history" -l status -d 'Only runs with this status (dispatched, missed, failed, dry_run, skipped, deferred, owed)' -r
complete -c stockura -n "__fish_stockura_using_subcommand history" -s t -l task -d 'Only this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand history" -l since -d 'Only slots since a duration ago (30m, 6h, 2d, 1w) or an RFC 3339 instant' -r
complete -c stockura -n "__fish_stockura_using_subcommand history" -s n -l limit -d 'At most this many runs (1-100000); with --follow, how many recent ones come first' -r
complete -c stockura -n "__fish_stockura_using_subcommand history" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand history" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand history" -s f -l follow -d 'Keep printing runs as they are recorded, and a run again when its status changes (owed or deferred to dispatched), until Ctrl-C; JSON formats print one object per line'
complete -c stockura -n "__fish_stockura_using_subcommand history" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand history" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand history" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -l timeout -d 'Seconds each network step may take' -r
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -l check -d 'Run only these checks' -r -f -a "config\t''
database\t''
schedules\t''
redis\t''
pubsub\t''
broker\t''
scheduler\t''"
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -l strict -d 'Fail on warnings too'
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand diagnose" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand check" -s t -l task -d 'Only this task (full name, or its last dotted segment)' -r
complete -c stockura -n "__fish_stockura_using_subcommand check" -l category -d 'Only this category' -r
complete -c stockura -n "__fish_stockura_using_subcommand check" -l tag -d 'Only schedules with this tag (repeat: all of them)' -r
complete -c stockura -n "__fish_stockura_using_subcommand check" -s s -l search -d 'Case-insensitive text in name, task, description or category' -r
complete -c stockura -n "__fish_stockura_using_subcommand check" -l grace -d 'How long after its instant a slot may take to go out: 90, 90s, 15m, 1h, 2d' -r
complete -c stockura -n "__fish_stockura_using_subcommand check" -l failures -d 'How many of each schedule\'s latest results must not be failures, read from the Redis result backend when `CELERY_RESULT_BACKEND` is set (0: results are not read)' -r
complete -c stockura -n "__fish_stockura_using_subcommand check" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand check" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand check" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand check" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand check" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand apply" -s f -l file -d 'The document (YAML, or JSON when it ends in .json); `-` reads stdin' -r -F
complete -c stockura -n "__fish_stockura_using_subcommand apply" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand apply" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand apply" -l dry-run -d 'Print the plan and write nothing'
complete -c stockura -n "__fish_stockura_using_subcommand apply" -l prune -d 'Also delete schedules applied earlier from the same `source:` that the file no longer has'
complete -c stockura -n "__fish_stockura_using_subcommand apply" -s y -l yes -d 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
complete -c stockura -n "__fish_stockura_using_subcommand apply" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand apply" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand apply" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand migrate" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand migrate" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand migrate" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand migrate" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand completions" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand completions" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand completions" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand completions" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand man" -l out-dir -d 'Directory to write the pages into (created if missing): stockura.1, stockura-schedule-add.1, ...' -r -F
complete -c stockura -n "__fish_stockura_using_subcommand man" -l database-url -d 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]' -r
complete -c stockura -n "__fish_stockura_using_subcommand man" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables, fitted to the terminal\'s width (or COLUMNS): the least useful columns are left out, free text is cut; ids and names are never cut or wrapped'
wide\t'Tables with every column, whole, whatever the width'
json\t'JSON: a stable contract for other programs (fields listed in the README)'
jsonl\t'JSON Lines: a list as one compact JSON object per line, written as it is produced; anything else as its JSON document on one line'
name\t'Names only, one per line, for pipes: schedule ids, task names, run ids, instants'"
complete -c stockura -n "__fish_stockura_using_subcommand man" -l no-dotenv -d 'Do not read the .env file in the current directory'
complete -c stockura -n "__fish_stockura_using_subcommand man" -l no-headers -d 'Print table rows without the header line (and nothing for an empty list)'
complete -c stockura -n "__fish_stockura_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stockura -n "__fish_stockura_using_subcommand man" -s V -l version -d 'Print version'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "schedule" -d 'Create, list, change and preview schedules'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "task" -d 'Define tasks: a JSON Schema that every schedule\'s parameters must match'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "sync" -d 'Watch the change events that tell running schedulers about changes'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "run-beat" -d 'Run the scheduler: send due schedules to the Celery broker'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "beat" -d 'The running schedulers: leader, standbys, heartbeats'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "history" -d 'What ran, newest first, with the Celery results'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "diagnose" -d 'Check configuration, database, Redis, change events and broker (exit 7 on failure)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "check" -d 'Is every enabled schedule healthy: its due slots sent, its latest results not failures (exit 7 when one is not)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "apply" -d 'Make the database match a schedule document (YAML or JSON): plan, confirm, write'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "migrate" -d 'Apply pending database migrations; creates a SQLite database that does not exist yet'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "completions" -d 'Print the shell completion script (bash, zsh, fish, elvish, powershell)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "man" -d 'Write the man pages, one per command'
complete -c stockura -n "__fish_stockura_using_subcommand help; and not __fish_seen_subcommand_from schedule task sync run-beat beat history diagnose check apply migrate completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "add" -d 'Create a schedule'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "list" -d 'List schedules with their next run'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "show" -d 'Show every field of a schedule and its next 5 runs'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "update" -d 'Change some fields of a schedule (only what is given changes)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "delete" -d 'Delete schedules (asks on a terminal; --yes otherwise)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "enable" -d 'Enable schedules (paused ones too)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "disable" -d 'Disable schedules (recording who and when)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "pause" -d 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "resume" -d 'Enable paused or disabled schedules again (the same as enable)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "next" -d 'Preview fire times of a schedule or of a cron expression'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "trigger" -d 'Send one run now (optionally wait for its result)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "backfill" -d 'Send the past slots of a range that were not dispatched, once each, in order, at a pace'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from schedule" -f -a "export" -d 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "define" -d 'Create or replace a task definition with a JSON Schema for its kwargs'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "list" -d 'List task definitions with their number of schedules'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "show" -d 'Show a definition, its schema and its schedules'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "delete" -d 'Delete a task definition (its schedules stay)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from task" -f -a "validate" -d 'Check parameters against a task\'s schema (exit 0 valid, 3 invalid)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "monitor" -d 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)'
complete -c stockura -n "__fish_stockura_using_subcommand help; and __fish_seen_subcommand_from beat" -f -a "status" -d 'List the live schedulers (leader first); exit 7 when no leader is alive'
