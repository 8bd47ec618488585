
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'stockura' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'stockura'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'stockura' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('schedule', 'schedule', [CompletionResultType]::ParameterValue, 'Create, list, change and preview schedules')
            [CompletionResult]::new('task', 'task', [CompletionResultType]::ParameterValue, 'Define tasks: a JSON Schema that every schedule''s parameters must match')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Watch the change events that tell running schedulers about changes')
            [CompletionResult]::new('run-beat', 'run-beat', [CompletionResultType]::ParameterValue, 'Run the scheduler: send due schedules to the Celery broker')
            [CompletionResult]::new('beat', 'beat', [CompletionResultType]::ParameterValue, 'The running schedulers: leader, standbys, heartbeats')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'What ran, newest first, with the Celery results')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Check configuration, database, Redis, change events and broker (exit 7 on failure)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Is every enabled schedule healthy: its due slots sent, its latest results not failures (exit 7 when one is not)')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make the database match a schedule document (YAML or JSON): plan, confirm, write')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply pending database migrations; creates a SQLite database that does not exist yet')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (bash, zsh, fish, elvish, powershell)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages, one per command')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;schedule' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a schedule')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List schedules with their next run')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List schedules with their next run')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show every field of a schedule and its next 5 runs')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change some fields of a schedule (only what is given changes)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete schedules (asks on a terminal; --yes otherwise)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete schedules (asks on a terminal; --yes otherwise)')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable schedules (paused ones too)')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable schedules (recording who and when)')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Enable paused or disabled schedules again (the same as enable)')
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'Preview fire times of a schedule or of a cron expression')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Send one run now (optionally wait for its result)')
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Send the past slots of a range that were not dispatched, once each, in order, at a pace')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;schedule;add' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg (asked on a terminal when missing)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg (asked on a terminal when missing)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, '5-field cron expression or macro, e.g. ''0 9 * * mon-fri'' or @daily, or an interval such as ''@every 30s'' (asked on a terminal when missing)')
            [CompletionResult]::new('--cron', '--cron', [CompletionResultType]::ParameterName, '5-field cron expression or macro, e.g. ''0 9 * * mon-fri'' or @daily, or an interval such as ''@every 30s'' (asked on a terminal when missing)')
            [CompletionResult]::new('--every', '--every', [CompletionResultType]::ParameterName, 'Instead of --cron: every DURATION, such as 30s, 1h30m or 6h/5h (5 hours into each 6-hour period); slots are aligned to the Unix epoch in UTC')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Schedule name (not unique); generated from task, parameters and cron when omitted')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA timezone the cron expression is evaluated in [default: CELERY_TIMEZONE, else UTC]')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'Positional task arguments as a JSON array, e.g. ''[1, "a"]'', a file holding one, or ''-'' for standard input')
            [CompletionResult]::new('--kwargs', '--kwargs', [CompletionResultType]::ParameterName, 'Keyword arguments as a JSON object, e.g. ''{"period_type": "daily"}'', a file holding one, or ''-'' for standard input')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Category label')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag (repeatable)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Overlap policy: allow, skip or queue')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Celery queue to route the task to')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Message priority, 0 (most urgent on Redis) to 9')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Seconds after the scheduled time after which a run is pointless (sent as Celery `expires`)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'Free-text description')
            [CompletionResult]::new('--jitter', '--jitter', [CompletionResultType]::ParameterName, 'Send each slot up to DURATION after its instant (such as 60s or 5m; 0 for none): a fixed offset per schedule and slot, so schedules on the same instant spread out')
            [CompletionResult]::new('--last-run-at', '--last-run-at', [CompletionResultType]::ParameterName, 'When it last ran under another scheduler (RFC 3339, or a duration ago such as 90s): run-beat then runs its latest slot since then within the catch-up window, at once')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--require-definition', '--require-definition', [CompletionResultType]::ParameterName, 'Refuse a task that has no definition [env: STOCKURA_REQUIRE_TASK_DEFINITIONS]')
            [CompletionResult]::new('--disabled', '--disabled', [CompletionResultType]::ParameterName, 'Create it disabled')
            [CompletionResult]::new('--allow-duplicate', '--allow-duplicate', [CompletionResultType]::ParameterName, 'Add it even when a schedule already does the same job (same task, arguments, cron, timezone and delivery options); without this such an add is refused (exit 5)')
            [CompletionResult]::new('--if-not-exists', '--if-not-exists', [CompletionResultType]::ParameterName, 'When a schedule already does the same job, print it and exit 0 without writing (makes scripts idempotent)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate and show the schedule that would be created (its generated name included) without writing anything')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;list' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only schedules with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Case-insensitive text in name, task, description or category')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Case-insensitive text in name, task, description or category')
            [CompletionResult]::new('--sort-by', '--sort-by', [CompletionResultType]::ParameterName, 'The order of the list (ascending; schedules without the value come last)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N schedules, the first N in the list''s order')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--enabled', '--enabled', [CompletionResultType]::ParameterName, 'Only enabled schedules')
            [CompletionResult]::new('--disabled', '--disabled', [CompletionResultType]::ParameterName, 'Only disabled schedules (paused ones included)')
            [CompletionResult]::new('--paused', '--paused', [CompletionResultType]::ParameterName, 'Only paused schedules: switched off with a reason (`schedule pause`)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;ls' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only schedules with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Case-insensitive text in name, task, description or category')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Case-insensitive text in name, task, description or category')
            [CompletionResult]::new('--sort-by', '--sort-by', [CompletionResultType]::ParameterName, 'The order of the list (ascending; schedules without the value come last)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N schedules, the first N in the list''s order')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--enabled', '--enabled', [CompletionResultType]::ParameterName, 'Only enabled schedules')
            [CompletionResult]::new('--disabled', '--disabled', [CompletionResultType]::ParameterName, 'Only disabled schedules (paused ones included)')
            [CompletionResult]::new('--paused', '--paused', [CompletionResultType]::ParameterName, 'Only paused schedules: switched off with a reason (`schedule pause`)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;show' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;update' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'New Celery task name')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'New Celery task name')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'New cron expression (or an interval such as ''@every 30s'')')
            [CompletionResult]::new('--cron', '--cron', [CompletionResultType]::ParameterName, 'New cron expression (or an interval such as ''@every 30s'')')
            [CompletionResult]::new('--every', '--every', [CompletionResultType]::ParameterName, 'Instead of --cron: every DURATION, such as 30s, 1h30m or 6h/5h')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Schedule name (not unique); generated from task, parameters and cron when omitted')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA timezone the cron expression is evaluated in [default: CELERY_TIMEZONE, else UTC]')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'Positional task arguments as a JSON array, e.g. ''[1, "a"]'', a file holding one, or ''-'' for standard input')
            [CompletionResult]::new('--kwargs', '--kwargs', [CompletionResultType]::ParameterName, 'Keyword arguments as a JSON object, e.g. ''{"period_type": "daily"}'', a file holding one, or ''-'' for standard input')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Category label')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag (repeatable)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Overlap policy: allow, skip or queue')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Celery queue to route the task to')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Message priority, 0 (most urgent on Redis) to 9')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Seconds after the scheduled time after which a run is pointless (sent as Celery `expires`)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'Free-text description')
            [CompletionResult]::new('--jitter', '--jitter', [CompletionResultType]::ParameterName, 'Send each slot up to DURATION after its instant (such as 60s or 5m; 0 for none): a fixed offset per schedule and slot, so schedules on the same instant spread out')
            [CompletionResult]::new('--add-tag', '--add-tag', [CompletionResultType]::ParameterName, 'Add a tag (repeatable)')
            [CompletionResult]::new('--remove-tag', '--remove-tag', [CompletionResultType]::ParameterName, 'Remove a tag (repeatable)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--require-definition', '--require-definition', [CompletionResultType]::ParameterName, 'Refuse a task that has no definition [env: STOCKURA_REQUIRE_TASK_DEFINITIONS]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate and show the schedule as it would be, without writing anything')
            [CompletionResult]::new('--clear-description', '--clear-description', [CompletionResultType]::ParameterName, 'Remove the description')
            [CompletionResult]::new('--clear-category', '--clear-category', [CompletionResultType]::ParameterName, 'Remove the category')
            [CompletionResult]::new('--clear-timezone', '--clear-timezone', [CompletionResultType]::ParameterName, 'Use CELERY_TIMEZONE again instead of the schedule''s own zone')
            [CompletionResult]::new('--clear-options', '--clear-options', [CompletionResultType]::ParameterName, 'Remove every delivery option (queue, priority, expires) before applying the given ones')
            [CompletionResult]::new('--enabled', '--enabled', [CompletionResultType]::ParameterName, 'Enable the schedule')
            [CompletionResult]::new('--disabled', '--disabled', [CompletionResultType]::ParameterName, 'Disable the schedule')
            [CompletionResult]::new('--regenerate-name', '--regenerate-name', [CompletionResultType]::ParameterName, 'Generate the name again from task, parameters and cron (a name otherwise stays as it is, given or generated)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;delete' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule in this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and write nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;rm' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule in this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and write nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;enable' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule in this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and write nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;disable' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule in this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and write nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;pause' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule in this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the schedules are paused (required; one line, at most 500 characters): `list` and `show` print it until they are resumed')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Resume by itself at this instant: RFC 3339 (2026-12-08T09:00:00Z) or a duration from now (90s, 30m, 2h, 7d, 1w); the leading run-beat resumes it then. Without it, the pause lasts until `schedule resume`')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and write nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;resume' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule of this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule in this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule with this text in its name, task, description or category (case-insensitive)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Instead of REFs: every schedule')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change and write nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;next' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A cron expression to preview instead of a stored schedule')
            [CompletionResult]::new('--cron', '--cron', [CompletionResultType]::ParameterName, 'A cron expression to preview instead of a stored schedule')
            [CompletionResult]::new('--every', '--every', [CompletionResultType]::ParameterName, 'An interval to preview instead of a stored schedule, such as 30s or 6h/5h')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'IANA timezone [default: the schedule''s zone, else CELERY_TIMEZONE, else UTC]')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Start instant (RFC 3339); results are strictly after it [default: now]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many fire times')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many fire times')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;trigger' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait with --wait')
            [CompletionResult]::new('--broker-key-prefix', '--broker-key-prefix', [CompletionResultType]::ParameterName, 'The broker''s global_keyprefix [env: STOCKURA_BROKER_KEY_PREFIX]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the Celery result; exit 0 on SUCCESS, 7 on FAILURE, REVOKED or timeout')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;backfill' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Start of the range, included: an RFC 3339 instant, or a duration back from now (30m, 6h, 2d, 1w)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'End of the range, excluded, not after now: an RFC 3339 instant or a duration back from now [default: now]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'What to do with a slot while the schedule''s previous run still runs, checked before each slot')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Pace of the messages: N/s, N/m or N/h')
            [CompletionResult]::new('--broker-key-prefix', '--broker-key-prefix', [CompletionResultType]::ParameterName, 'The broker''s global_keyprefix [env: STOCKURA_BROKER_KEY_PREFIX]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--include-dispatched', '--include-dispatched', [CompletionResultType]::ParameterName, 'Also send again the slots already dispatched (recorded with trigger `resend`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'List the slots and what would be done with each; send and write nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask on a terminal before sending (without a terminal nothing is asked)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask on a terminal before sending (without a terminal nothing is asked)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;export' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only schedules with this tag (repeat: all of them)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The document format')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--with-tasks', '--with-tasks', [CompletionResultType]::ParameterName, 'Include the definitions of the exported schedules'' tasks')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;schedule;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a schedule')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List schedules with their next run')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show every field of a schedule and its next 5 runs')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change some fields of a schedule (only what is given changes)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete schedules (asks on a terminal; --yes otherwise)')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable schedules (paused ones too)')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable schedules (recording who and when)')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Enable paused or disabled schedules again (the same as enable)')
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'Preview fire times of a schedule or of a cron expression')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Send one run now (optionally wait for its result)')
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Send the past slots of a range that were not dispatched, once each, in order, at a pace')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;schedule;help;add' {
            break
        }
        'stockura;schedule;help;list' {
            break
        }
        'stockura;schedule;help;show' {
            break
        }
        'stockura;schedule;help;update' {
            break
        }
        'stockura;schedule;help;delete' {
            break
        }
        'stockura;schedule;help;enable' {
            break
        }
        'stockura;schedule;help;disable' {
            break
        }
        'stockura;schedule;help;pause' {
            break
        }
        'stockura;schedule;help;resume' {
            break
        }
        'stockura;schedule;help;next' {
            break
        }
        'stockura;schedule;help;trigger' {
            break
        }
        'stockura;schedule;help;backfill' {
            break
        }
        'stockura;schedule;help;export' {
            break
        }
        'stockura;schedule;help;help' {
            break
        }
        'stockura;task' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('define', 'define', [CompletionResultType]::ParameterValue, 'Create or replace a task definition with a JSON Schema for its kwargs')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List task definitions with their number of schedules')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List task definitions with their number of schedules')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a definition, its schema and its schedules')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a task definition (its schedules stay)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a task definition (its schedules stay)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check parameters against a task''s schema (exit 0 valid, 3 invalid)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;task;define' {
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'JSON Schema of the kwargs: a file, ''-'' for standard input, or inline JSON; ''none'' removes it. Omitted: a defined task keeps its schema')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Default category of the task''s schedules ('''' removes it; omitted: kept)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'Free-text description ('''' removes it; omitted: kept)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the schema even though existing schedules of the task would break it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate and show the definition as it would be, without writing anything')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;task;list' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;task;ls' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;task;show' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;task;delete' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Delete the definition even though schedules use the task (they stay, unvalidated)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;task;rm' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Delete the definition even though schedules use the task (they stay, unvalidated)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;task;validate' {
            [CompletionResult]::new('--kwargs', '--kwargs', [CompletionResultType]::ParameterName, 'The kwargs: inline JSON object, ''-'' for standard input, or a JSON file')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'One keyword argument (merged into --kwargs), VALUE as JSON when valid JSON')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'One keyword argument (merged into --kwargs), VALUE as JSON when valid JSON')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;task;help' {
            [CompletionResult]::new('define', 'define', [CompletionResultType]::ParameterValue, 'Create or replace a task definition with a JSON Schema for its kwargs')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List task definitions with their number of schedules')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a definition, its schema and its schedules')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a task definition (its schedules stay)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check parameters against a task''s schema (exit 0 valid, 3 invalid)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;task;help;define' {
            break
        }
        'stockura;task;help;list' {
            break
        }
        'stockura;task;help;show' {
            break
        }
        'stockura;task;help;delete' {
            break
        }
        'stockura;task;help;validate' {
            break
        }
        'stockura;task;help;help' {
            break
        }
        'stockura;sync' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('monitor', 'monitor', [CompletionResultType]::ParameterValue, 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;sync;monitor' {
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit 0 after this many events')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this many seconds: exit 7 if nothing (or fewer than --count) arrived')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;sync;help' {
            [CompletionResult]::new('monitor', 'monitor', [CompletionResultType]::ParameterValue, 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;sync;help;monitor' {
            break
        }
        'stockura;sync;help;help' {
            break
        }
        'stockura;run-beat' {
            [CompletionResult]::new('--catchup-window', '--catchup-window', [CompletionResultType]::ParameterName, 'Run the latest slot missed during downtime when it is at most this old (0 disables)')
            [CompletionResult]::new('--sync-interval', '--sync-interval', [CompletionResultType]::ParameterName, 'Seconds between polls of the durable change version (the safety net for lost events)')
            [CompletionResult]::new('--history-retention', '--history-retention', [CompletionResultType]::ParameterName, 'Delete run history older than this many days, once a day (0 keeps everything)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'Leadership lease: a leader renews it every third of this, a killed leader is replaced within about one lease (e.g. 10s, 1500ms)')
            [CompletionResult]::new('--running-timeout', '--running-timeout', [CompletionResultType]::ParameterName, 'A previous run without a final result counts as running for at most this long (policies skip and queue)')
            [CompletionResult]::new('--broker-key-prefix', '--broker-key-prefix', [CompletionResultType]::ParameterName, 'The broker''s global_keyprefix (Celery''s broker_transport_options) [env: STOCKURA_BROKER_KEY_PREFIX]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Serve /metrics, /healthz, /readyz and a status page at this address (e.g. 127.0.0.1:9746; port 0 picks a free one). Read-only; off by default')
            [CompletionResult]::new('--metrics-per-schedule', '--metrics-per-schedule', [CompletionResultType]::ParameterName, 'Per-schedule series on /metrics (one set per schedule: turn off for very large installations; totals by trigger and status remain)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Record and log what would be sent; send nothing (no broker needed)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Process everything due now (catch-up included), then exit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs (-v debug, -vv trace); STOCKURA_LOG sets a filter directly')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs (-v debug, -vv trace); STOCKURA_LOG sets a filter directly')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;beat' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'List the live schedulers (leader first); exit 7 when no leader is alive')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;beat;status' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for Redis or the database')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;beat;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'List the live schedulers (leader first); exit 7 when no leader is alive')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;beat;help;status' {
            break
        }
        'stockura;beat;help;help' {
            break
        }
        'stockura;history' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only runs with this status (dispatched, missed, failed, dry_run, skipped, deferred, owed)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only slots since a duration ago (30m, 6h, 2d, 1w) or an RFC 3339 instant')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many runs (1-100000); with --follow, how many recent ones come first')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many runs (1-100000); with --follow, how many recent ones come first')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing runs as they are recorded, and a run again when its status changes (owed or deferred to dispatched), until Ctrl-C; JSON formats print one object per line')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing runs as they are recorded, and a run again when its status changes (owed or deferred to dispatched), until Ctrl-C; JSON formats print one object per line')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;diagnose' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds each network step may take')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Run only these checks')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail on warnings too')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;check' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Only this task (full name, or its last dotted segment)')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only schedules with this tag (repeat: all of them)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Case-insensitive text in name, task, description or category')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Case-insensitive text in name, task, description or category')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'How long after its instant a slot may take to go out: 90, 90s, 15m, 1h, 2d')
            [CompletionResult]::new('--failures', '--failures', [CompletionResultType]::ParameterName, 'How many of each schedule''s latest results must not be failures, read from the Redis result backend when `CELERY_RESULT_BACKEND` is set (0: results are not read)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;apply' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The document (YAML, or JSON when it ends in .json); `-` reads stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The document (YAML, or JSON when it ends in .json); `-` reads stdin')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and write nothing')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Also delete schedules applied earlier from the same `source:` that the file no longer has')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal to delete, or to change a selection)')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;migrate' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;completions' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory to write the pages into (created if missing): stockura.1, stockura-schedule-add.1, ...')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: postgres://user@host:5432/db or sqlite:///path/file.db [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-dotenv', '--no-dotenv', [CompletionResultType]::ParameterName, 'Do not read the .env file in the current directory')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print table rows without the header line (and nothing for an empty list)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'stockura;help' {
            [CompletionResult]::new('schedule', 'schedule', [CompletionResultType]::ParameterValue, 'Create, list, change and preview schedules')
            [CompletionResult]::new('task', 'task', [CompletionResultType]::ParameterValue, 'Define tasks: a JSON Schema that every schedule''s parameters must match')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Watch the change events that tell running schedulers about changes')
            [CompletionResult]::new('run-beat', 'run-beat', [CompletionResultType]::ParameterValue, 'Run the scheduler: send due schedules to the Celery broker')
            [CompletionResult]::new('beat', 'beat', [CompletionResultType]::ParameterValue, 'The running schedulers: leader, standbys, heartbeats')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'What ran, newest first, with the Celery results')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Check configuration, database, Redis, change events and broker (exit 7 on failure)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Is every enabled schedule healthy: its due slots sent, its latest results not failures (exit 7 when one is not)')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make the database match a schedule document (YAML or JSON): plan, confirm, write')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply pending database migrations; creates a SQLite database that does not exist yet')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (bash, zsh, fish, elvish, powershell)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages, one per command')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stockura;help;schedule' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a schedule')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List schedules with their next run')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show every field of a schedule and its next 5 runs')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change some fields of a schedule (only what is given changes)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete schedules (asks on a terminal; --yes otherwise)')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable schedules (paused ones too)')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable schedules (recording who and when)')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Disable schedules saying why, and optionally until when (the leading run-beat resumes them then)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Enable paused or disabled schedules again (the same as enable)')
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'Preview fire times of a schedule or of a cron expression')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Send one run now (optionally wait for its result)')
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Send the past slots of a range that were not dispatched, once each, in order, at a pace')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the selected schedules as an editable document (YAML or JSON, keyed by name)')
            break
        }
        'stockura;help;schedule;add' {
            break
        }
        'stockura;help;schedule;list' {
            break
        }
        'stockura;help;schedule;show' {
            break
        }
        'stockura;help;schedule;update' {
            break
        }
        'stockura;help;schedule;delete' {
            break
        }
        'stockura;help;schedule;enable' {
            break
        }
        'stockura;help;schedule;disable' {
            break
        }
        'stockura;help;schedule;pause' {
            break
        }
        'stockura;help;schedule;resume' {
            break
        }
        'stockura;help;schedule;next' {
            break
        }
        'stockura;help;schedule;trigger' {
            break
        }
        'stockura;help;schedule;backfill' {
            break
        }
        'stockura;help;schedule;export' {
            break
        }
        'stockura;help;task' {
            [CompletionResult]::new('define', 'define', [CompletionResultType]::ParameterValue, 'Create or replace a task definition with a JSON Schema for its kwargs')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List task definitions with their number of schedules')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a definition, its schema and its schedules')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a task definition (its schedules stay)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check parameters against a task''s schema (exit 0 valid, 3 invalid)')
            break
        }
        'stockura;help;task;define' {
            break
        }
        'stockura;help;task;list' {
            break
        }
        'stockura;help;task;show' {
            break
        }
        'stockura;help;task;delete' {
            break
        }
        'stockura;help;task;validate' {
            break
        }
        'stockura;help;sync' {
            [CompletionResult]::new('monitor', 'monitor', [CompletionResultType]::ParameterValue, 'Print change events as they arrive (Redis channel, and Postgres NOTIFY)')
            break
        }
        'stockura;help;sync;monitor' {
            break
        }
        'stockura;help;run-beat' {
            break
        }
        'stockura;help;beat' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'List the live schedulers (leader first); exit 7 when no leader is alive')
            break
        }
        'stockura;help;beat;status' {
            break
        }
        'stockura;help;history' {
            break
        }
        'stockura;help;diagnose' {
            break
        }
        'stockura;help;check' {
            break
        }
        'stockura;help;apply' {
            break
        }
        'stockura;help;migrate' {
            break
        }
        'stockura;help;completions' {
            break
        }
        'stockura;help;man' {
            break
        }
        'stockura;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
