# fish completion for spoolcheck(1)

complete -c spoolcheck -s h -l help -d 'Print a summary of the options and exit'
complete -c spoolcheck -l version -d 'Print the version and exit'
complete -c spoolcheck -s v -l verbose -d 'Say how many spools were checked'
complete -c spoolcheck -s q -l quiet -d 'Print nothing; exit 0 at the first spool with mail'
complete -c spoolcheck -l syslog -d 'Also log to syslog, facility mail'
complete -c spoolcheck -l config -r -F -d 'Read options from the [spoolcheck] section of FILE'
complete -c spoolcheck -s f -l files-from -r -F -d 'Also check the spools named in FILE, one per line'
complete -c spoolcheck -s c -l count -d 'Print COUNT SPOOL for every spool'
complete -c spoolcheck -l json -d 'Print one JSON object describing every spool'
complete -c spoolcheck -l watch -d 'Wait until a spool has new mail'
complete -c spoolcheck -l timeout -x -n '__fish_contains_opt watch' -d 'With --watch: give up after SECS'
