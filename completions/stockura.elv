
use builtin;
use str;

set edit:completion:arg-completer[stockura] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'stockura'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'stockura'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand schedule 'Create, list, change and preview schedules'
            cand task 'Define tasks: a JSON Schema that every schedule''s parameters must match'
            cand sync 'Watch the change events that tell running schedulers about changes'
            cand run-beat 'Run the scheduler: send due schedules to the Celery broker'
            cand beat 'The running schedulers: leader, standbys, heartbeats'
            cand history 'What ran, newest first, with the Celery results'
            cand diagnose 'Check configuration, database, Redis, change events and broker (exit 7 on failure)'
            cand check 'Is every enabled schedule healthy: its due slots sent, its latest results not failures (exit 7 when one is not)'
            cand apply 'Make the database match a schedule document (YAML or JSON): plan, confirm, write'
            cand migrate 'Apply pending database migrations; creates a SQLite database that does not exist yet'
            cand completions 'Print the shell completion script (bash, zsh, fish, elvish, powershell)'
            cand man 'Write the man pages, one per command'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;schedule'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Create a schedule'
            cand list 'List schedules with their next run'
            cand ls 'List schedules with their next run'
            cand show 'Show every field of a schedule and its next 5 runs'
            cand update 'Change some fields of a schedule (only what is given changes)'
            cand delete 'Delete schedules (asks on a terminal; --yes otherwise)'
            cand rm 'Delete schedules (asks on a terminal; --yes otherwise)'
            cand enable 'Enable schedules (paused ones too)'
            cand disable 'Disable schedules (recording who and when)'
            cand pause 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)'
            cand resume 'Enable paused or disabled schedules again (the same as enable)'
            cand next 'Preview fire times of a schedule or of a cron expression'
            cand trigger 'Send one run now (optionally wait for its result)'
            cand backfill 'Send the past slots of a range that were not dispatched, once each, in order, at a pace'
            cand export 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;schedule;add'= {
            cand -t 'Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg (asked on a terminal when missing)'
            cand --task 'Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg (asked on a terminal when missing)'
            cand -c '5-field cron expression or macro, e.g. ''0 9 * * mon-fri'' or @daily, or an interval such as ''@every 30s'' (asked on a terminal when missing)'
            cand --cron '5-field cron expression or macro, e.g. ''0 9 * * mon-fri'' or @daily, or an interval such as ''@every 30s'' (asked on a terminal when missing)'
            cand --every 'Instead of --cron: every DURATION, such as 30s, 1h30m or 6h/5h (5 hours into each 6-hour period); slots are aligned to the Unix epoch in UTC'
            cand --name 'Schedule name (not unique); generated from task, parameters and cron when omitted'
            cand --tz 'IANA timezone the cron expression is evaluated in [default: CELERY_TIMEZONE, else UTC]'
            cand --args 'Positional task arguments as a JSON array, e.g. ''[1, "a"]'', a file holding one, or ''-'' for standard input'
            cand --kwargs 'Keyword arguments as a JSON object, e.g. ''{"period_type": "daily"}'', a file holding one, or ''-'' for standard input'
            cand -p 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string'
            cand --param 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string'
            cand --category 'Category label'
            cand --tag 'Tag (repeatable)'
            cand --policy 'Overlap policy: allow, skip or queue'
            cand --queue 'Celery queue to route the task to'
            cand --priority 'Message priority, 0 (most urgent on Redis) to 9'
            cand --expires 'Seconds after the scheduled time after which a run is pointless (sent as Celery `expires`)'
            cand --description 'Free-text description'
            cand --jitter 'Send each slot up to DURATION after its instant (such as 60s or 5m; 0 for none): a fixed offset per schedule and slot, so schedules on the same instant spread out'
            cand --last-run-at 'When it last ran under another scheduler (RFC 3339, or a duration ago such as 90s): run-beat then runs its latest slot since then within the catch-up window, at once'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --require-definition 'Refuse a task that has no definition [env: STOCKURA_REQUIRE_TASK_DEFINITIONS]'
            cand --disabled 'Create it disabled'
            cand --allow-duplicate 'Add it even when a schedule already does the same job (same task, arguments, cron, timezone and delivery options); without this such an add is refused (exit 5)'
            cand --if-not-exists 'When a schedule already does the same job, print it and exit 0 without writing (makes scripts idempotent)'
            cand --dry-run 'Validate and show the schedule that would be created (its generated name included) without writing anything'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;list'= {
            cand -t 'Only this task (full name, or its last dotted segment)'
            cand --task 'Only this task (full name, or its last dotted segment)'
            cand --category 'Only this category'
            cand --tag 'Only schedules with this tag (repeat: all of them)'
            cand -s 'Case-insensitive text in name, task, description or category'
            cand --search 'Case-insensitive text in name, task, description or category'
            cand --sort-by 'The order of the list (ascending; schedules without the value come last)'
            cand --limit 'Show at most N schedules, the first N in the list''s order'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --enabled 'Only enabled schedules'
            cand --disabled 'Only disabled schedules (paused ones included)'
            cand --paused 'Only paused schedules: switched off with a reason (`schedule pause`)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;ls'= {
            cand -t 'Only this task (full name, or its last dotted segment)'
            cand --task 'Only this task (full name, or its last dotted segment)'
            cand --category 'Only this category'
            cand --tag 'Only schedules with this tag (repeat: all of them)'
            cand -s 'Case-insensitive text in name, task, description or category'
            cand --search 'Case-insensitive text in name, task, description or category'
            cand --sort-by 'The order of the list (ascending; schedules without the value come last)'
            cand --limit 'Show at most N schedules, the first N in the list''s order'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --enabled 'Only enabled schedules'
            cand --disabled 'Only disabled schedules (paused ones included)'
            cand --paused 'Only paused schedules: switched off with a reason (`schedule pause`)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;show'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;update'= {
            cand -t 'New Celery task name'
            cand --task 'New Celery task name'
            cand -c 'New cron expression (or an interval such as ''@every 30s'')'
            cand --cron 'New cron expression (or an interval such as ''@every 30s'')'
            cand --every 'Instead of --cron: every DURATION, such as 30s, 1h30m or 6h/5h'
            cand --name 'Schedule name (not unique); generated from task, parameters and cron when omitted'
            cand --tz 'IANA timezone the cron expression is evaluated in [default: CELERY_TIMEZONE, else UTC]'
            cand --args 'Positional task arguments as a JSON array, e.g. ''[1, "a"]'', a file holding one, or ''-'' for standard input'
            cand --kwargs 'Keyword arguments as a JSON object, e.g. ''{"period_type": "daily"}'', a file holding one, or ''-'' for standard input'
            cand -p 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string'
            cand --param 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string'
            cand --category 'Category label'
            cand --tag 'Tag (repeatable)'
            cand --policy 'Overlap policy: allow, skip or queue'
            cand --queue 'Celery queue to route the task to'
            cand --priority 'Message priority, 0 (most urgent on Redis) to 9'
            cand --expires 'Seconds after the scheduled time after which a run is pointless (sent as Celery `expires`)'
            cand --description 'Free-text description'
            cand --jitter 'Send each slot up to DURATION after its instant (such as 60s or 5m; 0 for none): a fixed offset per schedule and slot, so schedules on the same instant spread out'
            cand --add-tag 'Add a tag (repeatable)'
            cand --remove-tag 'Remove a tag (repeatable)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --require-definition 'Refuse a task that has no definition [env: STOCKURA_REQUIRE_TASK_DEFINITIONS]'
            cand --dry-run 'Validate and show the schedule as it would be, without writing anything'
            cand --clear-description 'Remove the description'
            cand --clear-category 'Remove the category'
            cand --clear-timezone 'Use CELERY_TIMEZONE again instead of the schedule''s own zone'
            cand --clear-options 'Remove every delivery option (queue, priority, expires) before applying the given ones'
            cand --enabled 'Enable the schedule'
            cand --disabled 'Disable the schedule'
            cand --regenerate-name 'Generate the name again from task, parameters and cron (a name otherwise stays as it is, given or generated)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;delete'= {
            cand -t 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --task 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --category 'Instead of REFs: every schedule in this category'
            cand --tag 'Instead of REFs: every schedule with this tag (repeat: all of them)'
            cand -s 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --search 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --all 'Instead of REFs: every schedule'
            cand --dry-run 'Show what would change and write nothing'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;rm'= {
            cand -t 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --task 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --category 'Instead of REFs: every schedule in this category'
            cand --tag 'Instead of REFs: every schedule with this tag (repeat: all of them)'
            cand -s 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --search 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --all 'Instead of REFs: every schedule'
            cand --dry-run 'Show what would change and write nothing'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;enable'= {
            cand -t 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --task 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --category 'Instead of REFs: every schedule in this category'
            cand --tag 'Instead of REFs: every schedule with this tag (repeat: all of them)'
            cand -s 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --search 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --all 'Instead of REFs: every schedule'
            cand --dry-run 'Show what would change and write nothing'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;disable'= {
            cand -t 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --task 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --category 'Instead of REFs: every schedule in this category'
            cand --tag 'Instead of REFs: every schedule with this tag (repeat: all of them)'
            cand -s 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --search 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --all 'Instead of REFs: every schedule'
            cand --dry-run 'Show what would change and write nothing'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;pause'= {
            cand -t 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --task 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --category 'Instead of REFs: every schedule in this category'
            cand --tag 'Instead of REFs: every schedule with this tag (repeat: all of them)'
            cand -s 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --search 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --reason 'Why the schedules are paused (required; one line, at most 500 characters): `list` and `show` print it until they are resumed'
            cand --until 'Resume by itself at this instant: RFC 3339 (2026-12-08T09:00:00Z) or a duration from now (90s, 30m, 2h, 7d, 1w); the leading run-beat resumes it then. Without it, the pause lasts until `schedule resume`'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --all 'Instead of REFs: every schedule'
            cand --dry-run 'Show what would change and write nothing'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;resume'= {
            cand -t 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --task 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)'
            cand --category 'Instead of REFs: every schedule in this category'
            cand --tag 'Instead of REFs: every schedule with this tag (repeat: all of them)'
            cand -s 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --search 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --all 'Instead of REFs: every schedule'
            cand --dry-run 'Show what would change and write nothing'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;next'= {
            cand -c 'A cron expression to preview instead of a stored schedule'
            cand --cron 'A cron expression to preview instead of a stored schedule'
            cand --every 'An interval to preview instead of a stored schedule, such as 30s or 6h/5h'
            cand --tz 'IANA timezone [default: the schedule''s zone, else CELERY_TIMEZONE, else UTC]'
            cand --after 'Start instant (RFC 3339); results are strictly after it [default: now]'
            cand -n 'How many fire times'
            cand --count 'How many fire times'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;trigger'= {
            cand --timeout 'Seconds to wait with --wait'
            cand --broker-key-prefix 'The broker''s global_keyprefix [env: STOCKURA_BROKER_KEY_PREFIX]'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --wait 'Wait for the Celery result; exit 0 on SUCCESS, 7 on FAILURE, REVOKED or timeout'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;backfill'= {
            cand --from 'Start of the range, included: an RFC 3339 instant, or a duration back from now (30m, 6h, 2d, 1w)'
            cand --to 'End of the range, excluded, not after now: an RFC 3339 instant or a duration back from now [default: now]'
            cand --policy 'What to do with a slot while the schedule''s previous run still runs, checked before each slot'
            cand --rate 'Pace of the messages: N/s, N/m or N/h'
            cand --broker-key-prefix 'The broker''s global_keyprefix [env: STOCKURA_BROKER_KEY_PREFIX]'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --include-dispatched 'Also send again the slots already dispatched (recorded with trigger `resend`)'
            cand --dry-run 'List the slots and what would be done with each; send and write nothing'
            cand -y 'Do not ask on a terminal before sending (without a terminal nothing is asked)'
            cand --yes 'Do not ask on a terminal before sending (without a terminal nothing is asked)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;export'= {
            cand -t 'Only this task (full name, or its last dotted segment)'
            cand --task 'Only this task (full name, or its last dotted segment)'
            cand --category 'Only this category'
            cand --tag 'Only schedules with this tag (repeat: all of them)'
            cand --format 'The document format'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --with-tasks 'Include the definitions of the exported schedules'' tasks'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;schedule;help'= {
            cand add 'Create a schedule'
            cand list 'List schedules with their next run'
            cand show 'Show every field of a schedule and its next 5 runs'
            cand update 'Change some fields of a schedule (only what is given changes)'
            cand delete 'Delete schedules (asks on a terminal; --yes otherwise)'
            cand enable 'Enable schedules (paused ones too)'
            cand disable 'Disable schedules (recording who and when)'
            cand pause 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)'
            cand resume 'Enable paused or disabled schedules again (the same as enable)'
            cand next 'Preview fire times of a schedule or of a cron expression'
            cand trigger 'Send one run now (optionally wait for its result)'
            cand backfill 'Send the past slots of a range that were not dispatched, once each, in order, at a pace'
            cand export 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;schedule;help;add'= {
        }
        &'stockura;schedule;help;list'= {
        }
        &'stockura;schedule;help;show'= {
        }
        &'stockura;schedule;help;update'= {
        }
        &'stockura;schedule;help;delete'= {
        }
        &'stockura;schedule;help;enable'= {
        }
        &'stockura;schedule;help;disable'= {
        }
        &'stockura;schedule;help;pause'= {
        }
        &'stockura;schedule;help;resume'= {
        }
        &'stockura;schedule;help;next'= {
        }
        &'stockura;schedule;help;trigger'= {
        }
        &'stockura;schedule;help;backfill'= {
        }
        &'stockura;schedule;help;export'= {
        }
        &'stockura;schedule;help;help'= {
        }
        &'stockura;task'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand define 'Create or replace a task definition with a JSON Schema for its kwargs'
            cand list 'List task definitions with their number of schedules'
            cand ls 'List task definitions with their number of schedules'
            cand show 'Show a definition, its schema and its schedules'
            cand delete 'Delete a task definition (its schedules stay)'
            cand rm 'Delete a task definition (its schedules stay)'
            cand validate 'Check parameters against a task''s schema (exit 0 valid, 3 invalid)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;task;define'= {
            cand --schema 'JSON Schema of the kwargs: a file, ''-'' for standard input, or inline JSON; ''none'' removes it. Omitted: a defined task keeps its schema'
            cand --category 'Default category of the task''s schedules ('''' removes it; omitted: kept)'
            cand --description 'Free-text description ('''' removes it; omitted: kept)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --force 'Replace the schema even though existing schedules of the task would break it'
            cand --dry-run 'Validate and show the definition as it would be, without writing anything'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;task;list'= {
            cand --category 'Only this category'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;task;ls'= {
            cand --category 'Only this category'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;task;show'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;task;delete'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --force 'Delete the definition even though schedules use the task (they stay, unvalidated)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;task;rm'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --force 'Delete the definition even though schedules use the task (they stay, unvalidated)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;task;validate'= {
            cand --kwargs 'The kwargs: inline JSON object, ''-'' for standard input, or a JSON file'
            cand -p 'One keyword argument (merged into --kwargs), VALUE as JSON when valid JSON'
            cand --param 'One keyword argument (merged into --kwargs), VALUE as JSON when valid JSON'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;task;help'= {
            cand define 'Create or replace a task definition with a JSON Schema for its kwargs'
            cand list 'List task definitions with their number of schedules'
            cand show 'Show a definition, its schema and its schedules'
            cand delete 'Delete a task definition (its schedules stay)'
            cand validate 'Check parameters against a task''s schema (exit 0 valid, 3 invalid)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;task;help;define'= {
        }
        &'stockura;task;help;list'= {
        }
        &'stockura;task;help;show'= {
        }
        &'stockura;task;help;delete'= {
        }
        &'stockura;task;help;validate'= {
        }
        &'stockura;task;help;help'= {
        }
        &'stockura;sync'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand monitor 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;sync;monitor'= {
            cand --count 'Exit 0 after this many events'
            cand --timeout 'Give up after this many seconds: exit 7 if nothing (or fewer than --count) arrived'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;sync;help'= {
            cand monitor 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;sync;help;monitor'= {
        }
        &'stockura;sync;help;help'= {
        }
        &'stockura;run-beat'= {
            cand --catchup-window 'Run the latest slot missed during downtime when it is at most this old (0 disables)'
            cand --sync-interval 'Seconds between polls of the durable change version (the safety net for lost events)'
            cand --history-retention 'Delete run history older than this many days, once a day (0 keeps everything)'
            cand --lease 'Leadership lease: a leader renews it every third of this, a killed leader is replaced within about one lease (e.g. 10s, 1500ms)'
            cand --running-timeout 'A previous run without a final result counts as running for at most this long (policies skip and queue)'
            cand --broker-key-prefix 'The broker''s global_keyprefix (Celery''s broker_transport_options) [env: STOCKURA_BROKER_KEY_PREFIX]'
            cand --log-format 'Log format'
            cand --http 'Serve /metrics, /healthz, /readyz and a status page at this address (e.g. 127.0.0.1:9746; port 0 picks a free one). Read-only; off by default'
            cand --metrics-per-schedule 'Per-schedule series on /metrics (one set per schedule: turn off for very large installations; totals by trigger and status remain)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --dry-run 'Record and log what would be sent; send nothing (no broker needed)'
            cand --once 'Process everything due now (catch-up included), then exit'
            cand -v 'More logs (-v debug, -vv trace); STOCKURA_LOG sets a filter directly'
            cand --verbose 'More logs (-v debug, -vv trace); STOCKURA_LOG sets a filter directly'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;beat'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'List the live schedulers (leader first); exit 7 when no leader is alive'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;beat;status'= {
            cand --timeout 'Seconds to wait for Redis or the database'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;beat;help'= {
            cand status 'List the live schedulers (leader first); exit 7 when no leader is alive'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;beat;help;status'= {
        }
        &'stockura;beat;help;help'= {
        }
        &'stockura;history'= {
            cand --status 'Only runs with this status (dispatched, missed, failed, dry_run, skipped, deferred, owed)'
            cand -t 'Only this task (full name, or its last dotted segment)'
            cand --task 'Only this task (full name, or its last dotted segment)'
            cand --since 'Only slots since a duration ago (30m, 6h, 2d, 1w) or an RFC 3339 instant'
            cand -n 'At most this many runs (1-100000); with --follow, how many recent ones come first'
            cand --limit 'At most this many runs (1-100000); with --follow, how many recent ones come first'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -f 'Keep printing runs as they are recorded, and a run again when its status changes (owed or deferred to dispatched), until Ctrl-C; JSON formats print one object per line'
            cand --follow 'Keep printing runs as they are recorded, and a run again when its status changes (owed or deferred to dispatched), until Ctrl-C; JSON formats print one object per line'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;diagnose'= {
            cand --timeout 'Seconds each network step may take'
            cand --check 'Run only these checks'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --strict 'Fail on warnings too'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;check'= {
            cand -t 'Only this task (full name, or its last dotted segment)'
            cand --task 'Only this task (full name, or its last dotted segment)'
            cand --category 'Only this category'
            cand --tag 'Only schedules with this tag (repeat: all of them)'
            cand -s 'Case-insensitive text in name, task, description or category'
            cand --search 'Case-insensitive text in name, task, description or category'
            cand --grace 'How long after its instant a slot may take to go out: 90, 90s, 15m, 1h, 2d'
            cand --failures 'How many of each schedule''s latest results must not be failures, read from the Redis result backend when `CELERY_RESULT_BACKEND` is set (0: results are not read)'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;apply'= {
            cand -f 'The document (YAML, or JSON when it ends in .json); `-` reads stdin'
            cand --file 'The document (YAML, or JSON when it ends in .json); `-` reads stdin'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --dry-run 'Print the plan and write nothing'
            cand --prune 'Also delete schedules applied earlier from the same `source:` that the file no longer has'
            cand -y 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --yes 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;migrate'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;completions'= {
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;man'= {
            cand --out-dir 'Directory to write the pages into (created if missing): stockura.1, stockura-schedule-add.1, ...'
            cand --database-url 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-dotenv 'Do not read the .env file in the current directory'
            cand --no-headers 'Print table rows without the header line (and nothing for an empty list)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'stockura;help'= {
            cand schedule 'Create, list, change and preview schedules'
            cand task 'Define tasks: a JSON Schema that every schedule''s parameters must match'
            cand sync 'Watch the change events that tell running schedulers about changes'
            cand run-beat 'Run the scheduler: send due schedules to the Celery broker'
            cand beat 'The running schedulers: leader, standbys, heartbeats'
            cand history 'What ran, newest first, with the Celery results'
            cand diagnose 'Check configuration, database, Redis, change events and broker (exit 7 on failure)'
            cand check 'Is every enabled schedule healthy: its due slots sent, its latest results not failures (exit 7 when one is not)'
            cand apply 'Make the database match a schedule document (YAML or JSON): plan, confirm, write'
            cand migrate 'Apply pending database migrations; creates a SQLite database that does not exist yet'
            cand completions 'Print the shell completion script (bash, zsh, fish, elvish, powershell)'
            cand man 'Write the man pages, one per command'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'stockura;help;schedule'= {
            cand add 'Create a schedule'
            cand list 'List schedules with their next run'
            cand show 'Show every field of a schedule and its next 5 runs'
            cand update 'Change some fields of a schedule (only what is given changes)'
            cand delete 'Delete schedules (asks on a terminal; --yes otherwise)'
            cand enable 'Enable schedules (paused ones too)'
            cand disable 'Disable schedules (recording who and when)'
            cand pause 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)'
            cand resume 'Enable paused or disabled schedules again (the same as enable)'
            cand next 'Preview fire times of a schedule or of a cron expression'
            cand trigger 'Send one run now (optionally wait for its result)'
            cand backfill 'Send the past slots of a range that were not dispatched, once each, in order, at a pace'
            cand export 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)'
        }
        &'stockura;help;schedule;add'= {
        }
        &'stockura;help;schedule;list'= {
        }
        &'stockura;help;schedule;show'= {
        }
        &'stockura;help;schedule;update'= {
        }
        &'stockura;help;schedule;delete'= {
        }
        &'stockura;help;schedule;enable'= {
        }
        &'stockura;help;schedule;disable'= {
        }
        &'stockura;help;schedule;pause'= {
        }
        &'stockura;help;schedule;resume'= {
        }
        &'stockura;help;schedule;next'= {
        }
        &'stockura;help;schedule;trigger'= {
        }
        &'stockura;help;schedule;backfill'= {
        }
        &'stockura;help;schedule;export'= {
        }
        &'stockura;help;task'= {
            cand define 'Create or replace a task definition with a JSON Schema for its kwargs'
            cand list 'List task definitions with their number of schedules'
            cand show 'Show a definition, its schema and its schedules'
            cand delete 'Delete a task definition (its schedules stay)'
            cand validate 'Check parameters against a task''s schema (exit 0 valid, 3 invalid)'
        }
        &'stockura;help;task;define'= {
        }
        &'stockura;help;task;list'= {
        }
        &'stockura;help;task;show'= {
        }
        &'stockura;help;task;delete'= {
        }
        &'stockura;help;task;validate'= {
        }
        &'stockura;help;sync'= {
            cand monitor 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)'
        }
        &'stockura;help;sync;monitor'= {
        }
        &'stockura;help;run-beat'= {
        }
        &'stockura;help;beat'= {
            cand status 'List the live schedulers (leader first); exit 7 when no leader is alive'
        }
        &'stockura;help;beat;status'= {
        }
        &'stockura;help;history'= {
        }
        &'stockura;help;diagnose'= {
        }
        &'stockura;help;check'= {
        }
        &'stockura;help;apply'= {
        }
        &'stockura;help;migrate'= {
        }
        &'stockura;help;completions'= {
        }
        &'stockura;help;man'= {
        }
        &'stockura;help;help'= {
        }
    ]
    $completions[$command]
}
